// child.c: the steps every child of ours takes between fork and execve. See sk_child.h.
#include "sk_child.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SK_CLOSE_RANGE_CLOEXEC (1U << 2)

/* The kernel's struct sigaction on Linux (not glibc's), for the raw rt_sigaction syscall. */
struct sk_kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

void sk_child_cloexec_above_stderr(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, SK_CLOSE_RANGE_CLOEXEC) == 0)
        return;
#endif
    struct rlimit rl;
    long max = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < max)
        max = (long)rl.rlim_cur;
    for (int fd = 3; fd < max; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

void sk_child_reset_dispositions(const sigset_t *ignored) {
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        struct sigaction sa = {0};
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = (ignored != NULL && sigismember(ignored, sig) == 1) ? SIG_IGN : SIG_DFL;
        /* glibc refuses its reserved real-time signals (EINVAL), but an ignored one would
           survive exec: the raw system call resets it. */
        if (sigaction(sig, &sa, NULL) < 0 && errno == EINVAL) {
            struct sk_kernel_sigaction k = {.handler = SIG_DFL};
            syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask);
        }
    }
}
