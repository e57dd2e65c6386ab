// sk_fs.h: file-system calls the archive extractor needs that Swift's Glibc module does not expose
// (openat2 has no glibc wrapper before 2.39; the xattr, makedev and pipe-size calls are GNU or
// Linux extensions hidden from Swift).
#ifndef SK_FS_H
#define SK_FS_H

#include <stddef.h>
#include <sys/types.h>

/// RESOLVE_* flags of openat2(2), repeated here so Swift need not import linux/openat2.h.
enum {
    SK_RESOLVE_NO_XDEV = 0x01,
    SK_RESOLVE_NO_MAGICLINKS = 0x02,
    SK_RESOLVE_NO_SYMLINKS = 0x04,
    SK_RESOLVE_BENEATH = 0x08,
    SK_RESOLVE_IN_ROOT = 0x10,
};

/// O_PATH (a GNU extension, hidden from Swift): a descriptor that names a file without opening
/// it for I/O, usable as the directory of *at calls.
#define SK_O_PATH 010000000

/// openat2(2) with O_CLOEXEC added: a descriptor or -1 with errno. errno is ENOSYS when the
/// kernel (before 5.6) or a seccomp filter lacks the call; callers then fall back to a
/// userspace walk.
int sk_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve);

/// fsetxattr(2); 0 or -1 with errno.
int sk_fsetxattr(int fd, const char *name, const void *value, size_t size);

/// lsetxattr(2) on `name` inside the directory `dirfd`, without following a final symlink (for
/// symlinks and device nodes, which cannot be opened for fsetxattr). Goes through
/// /proc/self/fd/<dirfd>/<name>; 0 or -1 with errno.
int sk_lsetxattrat(int dirfd, const char *name, const char *key, const void *value, size_t size);

/// lgetxattr(2) on `name` inside `dirfd` (see sk_lsetxattrat): the value size or -1 with errno.
ssize_t sk_lgetxattrat(int dirfd, const char *name, const char *key, void *value, size_t size);

/// mknodat(2) with the device number built from major and minor (makedev is a macro).
int sk_mknodat(int dirfd, const char *name, mode_t mode, unsigned int major, unsigned int minor);

/// major(3) and minor(3) of a device number.
unsigned int sk_dev_major(dev_t dev);
unsigned int sk_dev_minor(dev_t dev);

/// fcntl(F_SETPIPE_SZ): grows a pipe's buffer so a decompressor can run further ahead of its
/// reader. Returns the new size or -1 with errno (failure is harmless).
int sk_pipe_set_size(int fd, int size);

/// The mount ID of the file `fd` is open on (statx STATX_MNT_ID with AT_EMPTY_PATH): 0 with *id
/// set, or -1 with errno (ENOSYS when the kernel, before 5.8, does not report mount IDs). Unlike
/// st_dev, it tells a bind mount of a directory from the file system the directory is on.
int sk_fd_mount_id(int fd, unsigned long long *id);

#endif
