// masks.c: masked and read-only paths as mounts. See sk_masks.h.
#include "sk_masks.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "sk_mount.h"

/* Remounts the bind at `path` read-only. mount_setattr (Linux 5.12) changes only the read-only
 * flag, recursively; the older remount must repeat the flags the mount already has (nosuid,
 * nodev, noexec), or a user namespace refuses to clear locked ones (EPERM). */
static int make_readonly(const char *path, int recursive) {
    if (sk_mount_set_readonly(path, recursive) == 0)
        return 0;
    if (errno != ENOSYS)
        return -1;
    struct statvfs st;
    if (statvfs(path, &st) < 0)
        return -1;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
    if (st.f_flag & ST_NOSUID)
        flags |= MS_NOSUID;
    if (st.f_flag & ST_NODEV)
        flags |= MS_NODEV;
    if (st.f_flag & ST_NOEXEC)
        flags |= MS_NOEXEC;
    return mount(NULL, path, NULL, flags, NULL);
}

static int apply_one(const sk_mask *m) {
    switch (m->kind) {
    case SK_MASK_READONLY:
        if (mount(m->path, m->path, NULL, MS_BIND | MS_REC, NULL) < 0)
            return -1;
        return make_readonly(m->path, 1);
    case SK_MASK_HIDE_FILE:
        if (mount("/dev/null", m->path, NULL, MS_BIND, NULL) < 0)
            return -1;
        return make_readonly(m->path, 0);
    case SK_MASK_HIDE_DIR:
        return mount("tmpfs", m->path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555,size=4k");
    default:
        errno = EINVAL;
        return -1;
    }
}

int sk_masks_apply(const sk_mask *masks, size_t count, size_t *failed) {
    for (size_t i = 0; i < count; i++) {
        if (apply_one(&masks[i]) < 0) {
            *failed = i;
            return -1;
        }
    }
    return 0;
}

int sk_masks_cover(const char *empty_file, const char *empty_dir, const sk_mask *masks, size_t count, size_t *failed) {
    for (size_t i = 0; i < count; i++) {
        const sk_mask *m = &masks[i];
        int rc;
        switch (m->kind) {
        case SK_MASK_READONLY:
            rc = mount(m->path, m->path, NULL, MS_BIND | MS_REC, NULL);
            if (rc == 0)
                rc = make_readonly(m->path, 1);
            break;
        case SK_MASK_HIDE_FILE:
            rc = mount(empty_file, m->path, NULL, MS_BIND, NULL);
            break;
        case SK_MASK_HIDE_DIR:
            rc = mount(empty_dir, m->path, NULL, MS_BIND, NULL);
            break;
        default:
            errno = EINVAL;
            rc = -1;
        }
        if (rc < 0 && errno != ENOENT) {
            *failed = i;
            return -1;
        }
    }
    return 0;
}
