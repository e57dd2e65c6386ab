// sk_mount.h: mount calls glibc does not wrap for Swift (mount_setattr has no wrapper before 2.36
// and its header conflicts with sys/mount.h).
#ifndef SK_MOUNT_H
#define SK_MOUNT_H

/// mount_setattr(2) setting MOUNT_ATTR_RDONLY on the mount at `path` (and every mount below it
/// when `recursive`), leaving its other flags (nosuid, nodev, noexec, atime) as they are.
/// 0 or -1 with errno (ENOSYS before Linux 5.12).
int sk_mount_set_readonly(const char *path, int recursive);

#endif
