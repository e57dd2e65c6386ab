// fs.c: openat2, xattrs, mknodat and pipe sizing for the archive extractor. See sk_fs.h.
#include "sk_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

_Static_assert(SK_O_PATH == O_PATH, "O_PATH value");

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int sk_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned int)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int sk_fsetxattr(int fd, const char *name, const void *value, size_t size) {
    return fsetxattr(fd, name, value, size, 0);
}

/* The /proc path of name inside dirfd; -1 with ENAMETOOLONG if it does not fit. */
static int proc_path(char *out, size_t size, int dirfd, const char *name) {
    int n = snprintf(out, size, "/proc/self/fd/%d/%s", dirfd, name);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int sk_lsetxattrat(int dirfd, const char *name, const char *key, const void *value, size_t size) {
    char path[4200];
    if (proc_path(path, sizeof path, dirfd, name) < 0) return -1;
    return lsetxattr(path, key, value, size, 0);
}

ssize_t sk_lgetxattrat(int dirfd, const char *name, const char *key, void *value, size_t size) {
    char path[4200];
    if (proc_path(path, sizeof path, dirfd, name) < 0) return -1;
    return lgetxattr(path, key, value, size);
}

int sk_mknodat(int dirfd, const char *name, mode_t mode, unsigned int major, unsigned int minor) {
    return mknodat(dirfd, name, mode, makedev(major, minor));
}

unsigned int sk_dev_major(dev_t dev) { return major(dev); }

unsigned int sk_dev_minor(dev_t dev) { return minor(dev); }

int sk_pipe_set_size(int fd, int size) {
    return fcntl(fd, F_SETPIPE_SZ, size);
}

int sk_fd_mount_id(int fd, unsigned long long *id) {
    struct statx stx;
    memset(&stx, 0, sizeof stx);
    if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0) return -1;
    if (!(stx.stx_mask & STATX_MNT_ID)) {
        errno = ENOSYS;
        return -1;
    }
    *id = (unsigned long long)stx.stx_mnt_id;
    return 0;
}
