// sk_namespace.h: Linux namespace, mount-root and process-attribute calls for the container
// stage1. Why C: unshare, setns and the CLONE_* flags are _GNU_SOURCE declarations Swift's Glibc
// module does not show, pivot_root has no glibc wrapper, and prctl and ioctl are variadic.
#ifndef SK_NAMESPACE_H
#define SK_NAMESPACE_H

#include <stddef.h>
#include <sys/types.h>

/// The CLONE_NEW* flags (sched.h, _GNU_SOURCE only), for sk_unshare and sk_setns.
enum {
    SK_CLONE_NEWNS = 0x00020000,
    SK_CLONE_NEWUTS = 0x04000000,
    SK_CLONE_NEWIPC = 0x08000000,
    SK_CLONE_NEWUSER = 0x10000000,
    SK_CLONE_NEWPID = 0x20000000,
    SK_CLONE_NEWNET = 0x40000000,
};

/// unshare(2): 0 or -1 with errno.
int sk_unshare(int flags);

/// setns(2) on a namespace descriptor (/proc/PID/ns/...); nstype 0 accepts any kind.
/// 0 or -1 with errno.
int sk_setns(int fd, int nstype);

/// pivot_root(2) (no glibc wrapper): 0 or -1 with errno.
int sk_pivot_root(const char *new_root, const char *put_old);

/// sethostname(2) of the calling process's UTS namespace: 0 or -1 with errno.
int sk_sethostname(const char *name, size_t length);

/// Brings the loopback interface "lo" of the calling process's network namespace up (SIOCSIFFLAGS
/// with IFF_UP, as `ip link set lo up`): 0 or -1 with errno.
int sk_loopback_up(void);

/// prctl(PR_SET_PDEATHSIG): the calling process gets `sig` when its parent thread exits.
int sk_set_parent_death_signal(int sig);

/// prctl(PR_SET_NAME): the process name /proc/PID/comm and ps show (15 bytes kept).
int sk_set_process_name(const char *name);

/// fork(2) (for a single-threaded stage1 that runs its own code in the child, like the pod's
/// init): the child's PID in the parent, 0 in the child, -1 with errno.
pid_t sk_fork(void);


#endif
