// pty_spawn.c: forkpty(3) plus the child side that runs until execve. See sk_pty.h for why this is C.
#include "sk_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The kernel's struct sigaction on Linux (not glibc's), for the raw rt_sigaction syscall. */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

/* Child only: report the failing stage and errno to the parent, then exit. */
static void child_fail(int report_fd, int stage) {
    int msg[2] = {stage, errno};
    ssize_t n;
    do {
        n = write(report_fd, msg, sizeof msg);
    } while (n < 0 && errno == EINTR);
    _exit(127);
}

/* Child only: make every descriptor above stderr close on exec. close_range(2) does it in one call
 * (Linux 5.11); older kernels get a loop bounded by RLIMIT_NOFILE. The report pipe is already
 * close-on-exec, so it stays usable until execve. */
static void child_cloexec_fds(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
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

/* Child only: everything between forkpty and execve. Async-signal-safe calls only: no malloc,
 * no stdio, no locks. forkpty has already made the slave the controlling terminal and stdio. */
static void child_exec(const sk_spawn_attr *a, int report_fd) {
    /* Handlers inherited from the parent must not run here; dispositions go back to default
     * (ignored signals too, as exec would otherwise keep SIG_IGN). */
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        if (sigaction(sig, &dfl, NULL) < 0 && errno == EINVAL) {
            /* glibc refuses its reserved real-time signals (32, 33), but an ignored one would
             * survive exec; the raw system call resets it. */
            struct kernel_sigaction k = {.handler = SIG_DFL};
            syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask);
        }
    }
    if (a->ignore_sighup) {
        struct sigaction ign = {0};
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGHUP, &ign, NULL);
    }

    struct termios t;
    if (tcgetattr(STDIN_FILENO, &t) < 0)
        child_fail(report_fd, SK_STAGE_TERMIOS);
    if (!a->echo)
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    t.c_iflag |= IUTF8; /* so canonical-mode erase removes whole UTF-8 characters */
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
        child_fail(report_fd, SK_STAGE_TERMIOS);

    if (a->cwd != NULL && chdir(a->cwd) < 0)
        child_fail(report_fd, SK_STAGE_CHDIR);

    child_cloexec_fds();

    /* The parent blocked every signal around the fork; unblock only now that no handler of the
     * parent is left to run. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    execve(a->path, a->argv, a->envp);
    child_fail(report_fd, SK_STAGE_EXEC);
}

int sk_pty_spawn(const sk_spawn_attr *a, sk_spawn_result *r) {
    r->pid = -1;
    r->master = -1;
    r->stage = SK_STAGE_NONE;
    r->error = 0;

    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        r->stage = SK_STAGE_PIPE;
        r->error = errno;
        return -1;
    }

    struct winsize ws = {.ws_row = a->rows, .ws_col = a->cols};
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int master = -1;
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid == 0)
        child_exec(a, report[1]); /* never returns */
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    close(report[1]);

    if (pid < 0) {
        close(report[0]);
        r->stage = SK_STAGE_FORKPTY;
        r->error = fork_errno;
        return -1;
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);

    /* EOF on the report pipe means execve succeeded (the pipe closed on exec). */
    int msg[2];
    ssize_t n;
    do {
        n = read(report[0], msg, sizeof msg);
    } while (n < 0 && errno == EINTR);
    close(report[0]);

    if (n == (ssize_t)sizeof msg) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        close(master);
        r->stage = msg[0];
        r->error = msg[1];
        return -1;
    }
    r->pid = pid;
    r->master = master;
    return 0;
}

int sk_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    return ioctl(fd, TIOCSWINSZ, &ws);
}

int sk_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
        return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}
