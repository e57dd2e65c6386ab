// mount.c: mount_setattr for read-only binds. See sk_mount.h.
#include "sk_mount.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/* struct mount_attr and its constants from linux/mount.h (which conflicts with sys/mount.h). */
struct sk_mount_attr {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};
#define SK_MOUNT_ATTR_RDONLY 0x00000001ULL
#define SK_AT_RECURSIVE 0x8000

int sk_mount_set_readonly(const char *path, int recursive) {
    struct sk_mount_attr attr = {.attr_set = SK_MOUNT_ATTR_RDONLY};
    unsigned int flags = recursive ? SK_AT_RECURSIVE : 0;
    return (int)syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &attr, sizeof attr);
}
