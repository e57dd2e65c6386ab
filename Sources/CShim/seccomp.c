// seccomp.c: seccomp filter installation, no_new_privs, oom_score_adj. See sk_seccomp.h.
#include "sk_seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(sizeof(sk_bpf_insn) == sizeof(struct sock_filter), "sk_bpf_insn layout");
_Static_assert(offsetof(sk_bpf_insn, k) == offsetof(struct sock_filter, k), "sk_bpf_insn layout");

int sk_seccomp_install(const sk_bpf_insn *program, unsigned short length, unsigned int flags) {
    struct sock_fprog prog = {.len = length, .filter = (struct sock_filter *)(uintptr_t)program};
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (rc < 0 && errno == ENOSYS && flags == 0)
        rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0UL, 0UL);
    return rc < 0 ? -1 : 0;
}

int sk_seccomp_action_available(uint32_t action) {
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0U, &action) == 0 ? 1 : 0;
}

int sk_seccomp_mode(void) { return prctl(PR_GET_SECCOMP, 0UL, 0UL, 0UL, 0UL); }

int sk_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL); }

int sk_get_no_new_privs(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0UL, 0UL, 0UL, 0UL); }

int sk_set_oom_score_adj(int value) {
    /* Formatted by hand: snprintf is not async-signal-safe. */
    char text[16];
    int pos = (int)sizeof text;
    unsigned int magnitude = value < 0 ? (unsigned int)(-(long)value) : (unsigned int)value;
    text[--pos] = '\n';
    do {
        text[--pos] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0 && pos > 1);
    if (value < 0)
        text[--pos] = '-';
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n;
    do {
        n = write(fd, text + pos, (size_t)((int)sizeof text - pos));
    } while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return n < 0 ? -1 : 0;
}
