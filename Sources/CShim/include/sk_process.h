// sk_process.h: process calls that glibc does not expose to Swift (variadic syscall(2)).
#ifndef SK_PROCESS_H
#define SK_PROCESS_H

#include <sys/types.h>

/// pidfd_open(2): a descriptor that polls readable once the process exits; -1 with errno
/// (ENOSYS before Linux 5.3).
int sk_pidfd_open(pid_t pid);

/// Installs a SIGWINCH handler that writes one byte to write_fd per signal (a self-pipe), so a
/// poll loop can learn of window-size changes without a thread. Returns 0 or -1 with errno.
int sk_winch_relay_install(int write_fd);

/// Restores the SIGWINCH disposition saved by sk_winch_relay_install.
void sk_winch_relay_remove(void);

/// pipe2(2) with O_CLOEXEC and, if nonblock, O_NONBLOCK (pipe2 is not visible to Swift).
int sk_pipe2(int fds[2], int nonblock);

#endif
