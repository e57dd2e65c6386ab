// sk_child.h: the steps every child of ours takes between fork and execve (stage1 apps,
// Expect's pty sessions). Async-signal-safe: no malloc, no stdio, no locks.
#ifndef SK_CHILD_H
#define SK_CHILD_H

#include <signal.h>

/// Every descriptor above stderr close-on-exec: close_range(2) in one call (Linux 5.11), else a
/// loop bounded by RLIMIT_NOFILE. A report pipe already close-on-exec stays usable until execve.
void sk_child_cloexec_above_stderr(void);

/// Every signal disposition (but SIGKILL's and SIGSTOP's) back to SIG_DFL, or SIG_IGN for the
/// members of `ignored` (NULL: none), so no handler of ours survives into the program. glibc's
/// reserved real-time signals, which sigaction refuses, are reset with the raw system call.
void sk_child_reset_dispositions(const sigset_t *ignored);

#endif
