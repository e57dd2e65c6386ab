// process.c: pidfd_open, pidfd_send_signal, the SIGWINCH self-pipe, spawn helpers. See sk_process.h.
#include "sk_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int sk_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0U);
}

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int sk_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0U);
}

static volatile sig_atomic_t winch_fd = -1;
static struct sigaction winch_saved;

static void winch_handler(int sig) {
    (void)sig;
    int saved_errno = errno;
    int fd = winch_fd;
    if (fd >= 0) {
        char byte = 'w';
        ssize_t ignored = write(fd, &byte, 1); /* a full pipe already says "changed" */
        (void)ignored;
    }
    errno = saved_errno;
}

int sk_winch_relay_install(int write_fd) {
    winch_fd = write_fd;
    struct sigaction sa = {0};
    sa.sa_handler = winch_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGWINCH, &sa, &winch_saved);
}

void sk_winch_relay_remove(void) {
    sigaction(SIGWINCH, &winch_saved, NULL);
    winch_fd = -1;
}

int sk_pipe2(int fds[2], int nonblock) {
    return pipe2(fds, O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
}

int sk_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}
