// sk_process.h: process calls that glibc does not expose to Swift (variadic syscall(2)).
#ifndef SK_PROCESS_H
#define SK_PROCESS_H

#include <sys/types.h>

/// pidfd_open(2): a descriptor that polls readable once the process exits; -1 with errno
/// (ENOSYS before Linux 5.3).
int sk_pidfd_open(pid_t pid);

/// pidfd_send_signal(2): signals the process `pidfd` names, which cannot be a recycled PID.
/// 0 or -1 with errno (ESRCH once the process has exited, ENOSYS before Linux 5.1).
int sk_pidfd_send_signal(int pidfd, int sig);

/// Installs a SIGWINCH handler that writes one byte to write_fd per signal (a self-pipe), so a
/// poll loop can learn of window-size changes without a thread. Returns 0 or -1 with errno.
int sk_winch_relay_install(int write_fd);

/// Restores the SIGWINCH disposition saved by sk_winch_relay_install.
void sk_winch_relay_remove(void);

/// pipe2(2) with O_CLOEXEC and, if nonblock, O_NONBLOCK (pipe2 is not visible to Swift).
int sk_pipe2(int fds[2], int nonblock);

#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np (glibc 2.29; a GNU extension Swift does not see): the
/// child changes to `path` before exec.
int sk_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
