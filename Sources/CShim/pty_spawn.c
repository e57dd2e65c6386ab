// pty_spawn.c: forkpty(3) plus the child side that runs until execve. See sk_pty.h for why this is C.
#include "sk_pty.h"
#include "sk_child.h"

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

/* Child only: report the failing stage and errno to the parent, then exit. */
static void child_fail(int report_fd, int stage) {
    int msg[2] = {stage, errno};
    ssize_t n;
    do {
        n = write(report_fd, msg, sizeof msg);
    } while (n < 0 && errno == EINTR);
    _exit(127);
}

/* Child only: everything between forkpty and execve. Async-signal-safe calls only: no malloc,
 * no stdio, no locks. forkpty has already made the slave the controlling terminal and stdio. */
static void child_exec(const sk_spawn_attr *a, int report_fd) {
    /* Handlers inherited from the parent must not run here; dispositions go back to default
     * (ignored signals too, as exec would otherwise keep SIG_IGN). */
    sk_child_reset_dispositions(NULL);
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

    sk_child_cloexec_above_stderr();

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
