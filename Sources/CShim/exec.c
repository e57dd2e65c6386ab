// exec.c: chroot, chdir, credentials and execve for the stage1s, forked or in place. See sk_exec.h
// for why this is C.
#include "sk_exec.h"
#include "sk_child.h"
#include "sk_mount.h"

#include "sk_clone.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>


void sk_signal_snapshot(sk_signal_state *state) {
    sigemptyset(&state->ignored);
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction old;
        /* glibc refuses its reserved real-time signals (EINVAL): they cannot be ignored by us. */
        if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            sigaddset(&state->ignored, sig);
    }
    sigprocmask(SIG_SETMASK, NULL, &state->mask);
}

int sk_supervisor_signals(void) {
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGQUIT, &sa, NULL) < 0)
        return -1;
    /* An inherited SIG_IGN for SIGCHLD would make the kernel reap the child itself, and its
     * status would be lost. */
    sa.sa_handler = SIG_DFL;
    return sigaction(SIGCHLD, &sa, NULL);
}

/* Async-signal-safe: the steps from the stage1 into the program. Returns the failing stage
 * (errno set); on success execve does not return. */
static int enter_and_exec(const sk_exec_attr *a) {
    sk_child_reset_dispositions(a->signals != NULL ? &a->signals->ignored : NULL);
    int step;
    if (a->isolation != NULL && (step = sk_isolation_begin(a->isolation)) != SK_ISOLATION_OK)
        return SK_EXEC_ISOLATION + step;
    if (a->root != NULL && chroot(a->root) < 0)
        return SK_EXEC_CHROOT;
    /* Always chdir: after chroot the old working directory lies outside the new root. */
    if (chdir(a->cwd != NULL ? a->cwd : "/") < 0)
        return SK_EXEC_CHDIR;
    if (a->set_ids) {
        /* Order matters: setgroups and setresgid need CAP_SETGID, which the process loses as
         * soon as setresuid leaves uid 0. So the supplementary groups first (dropping root's
         * own), then the primary group, then the user. Raw system calls: glibc's wrappers
         * broadcast to every thread of the process, which only makes sense before fork. */
        if (syscall(SYS_setgroups, a->ngroups, a->groups) < 0)
            return SK_EXEC_SETGROUPS;
        if (syscall(SYS_setresgid, a->gid, a->gid, a->gid) < 0)
            return SK_EXEC_SETGID;
        if (syscall(SYS_setresuid, a->uid, a->uid, a->uid) < 0)
            return SK_EXEC_SETUID;
    }
    if (!a->inherit_fds)
        sk_child_cloexec_above_stderr();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, a->signals != NULL ? &a->signals->mask : &none, NULL);
    /* Last: the seccomp filter it installs may allow nothing of ours but execve. */
    if (a->isolation != NULL && (step = sk_isolation_end(a->isolation)) != SK_ISOLATION_OK)
        return SK_EXEC_ISOLATION + step;
    execve(a->path, a->argv, a->envp);
    return SK_EXEC_EXEC;
}

/* Child only: report the failing stage and errno to the parent, then exit. */
static void child_fail(int report_fd, int stage) {
    int msg[2] = {stage, errno};
    ssize_t n;
    do {
        n = write(report_fd, msg, sizeof msg);
    } while (n < 0 && errno == EINTR);
    _exit(127);
}

int sk_fork_exec_start(const sk_exec_attr *a, sk_exec_result *r, int *report_fd) {
    r->pid = -1;
    r->stage = SK_EXEC_NONE;
    r->error = 0;
    r->pre_stage = SK_EXEC_NONE;
    *report_fd = -1;

    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        r->stage = SK_EXEC_PIPE;
        r->error = errno;
        return -1;
    }
    /* Every signal blocked across fork: nothing of the parent's may run in the child, which
     * sets its own dispositions and mask before execve. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t pid = a->into_cgroup ? sk_fork_into_cgroup(a->cgroup_fd) : fork();
    if (pid == 0) {
        close(report[0]);
        child_fail(report[1], enter_and_exec(a)); /* never returns */
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        r->stage = SK_EXEC_FORK;
        r->error = fork_errno;
        return -1;
    }
    r->pid = pid;
    *report_fd = report[0];
    return 0;
}

int sk_fork_exec_finish(int report_fd, sk_exec_result *r) {
    /* End of file on the report pipe means execve succeeded (the pipe closed on exec). */
    int msg[2];
    ssize_t n;
    do {
        n = read(report_fd, msg, sizeof msg);
    } while (n < 0 && errno == EINTR);
    close(report_fd);
    if (n == (ssize_t)sizeof msg) {
        int status;
        while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
        }
        r->pid = -1;
        r->stage = msg[0];
        r->error = msg[1];
        return -1;
    }
    return 0;
}

int sk_fork_exec_in_root(const sk_exec_attr *a, sk_exec_result *r) {
    int report_fd;
    if (sk_fork_exec_start(a, r, &report_fd) < 0)
        return -1;
    return sk_fork_exec_finish(report_fd, r);
}

int sk_exec_in_root(const sk_exec_attr *a, sk_exec_result *r) {
    r->pid = -1;
    r->pre_stage = SK_EXEC_NONE;
    r->stage = enter_and_exec(a);
    r->error = errno;
    return -1;
}

/* Fails `r` with `stage` and the current errno. */
static int app_fail(sk_exec_result *r, int stage) {
    r->stage = stage;
    r->error = errno;
    return -1;
}

int sk_app_enter_and_exec(const sk_app_attr *a, sk_exec_result *r) {
    r->pid = -1;
    r->pre_stage = SK_EXEC_NONE;
    /* The user namespace first: the mount namespace made next is then owned by it (its mounts
     * locked, so the app cannot uncover what the stage1 mounted over). */
    if (a->userns != NULL && sk_userns_enter(a->userns) < 0)
        return app_fail(r, SK_EXEC_USERNS);
    if (unshare(CLONE_NEWNS) < 0)
        return app_fail(r, SK_EXEC_UNSHARE);
    if (a->readonly_root && sk_mount_set_readonly(a->root, 0) < 0)
        return app_fail(r, SK_EXEC_READONLY);
    if (chroot(a->root) < 0)
        return app_fail(r, SK_EXEC_CHROOT);
    if (chdir("/") < 0)
        return app_fail(r, SK_EXEC_CHDIR);
    if (a->pre != NULL) {
        sk_exec_result pre;
        if (sk_fork_exec_in_root(a->pre, &pre) < 0) {
            r->stage = SK_EXEC_PRESTART;
            r->pre_stage = pre.stage;
            r->error = pre.error;
            return -1;
        }
        int status;
        while (waitpid(pre.pid, &status, 0) < 0) {
            if (errno != EINTR)
                return app_fail(r, SK_EXEC_PRESTART);
        }
        int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        if (code != 0) {
            r->stage = SK_EXEC_PRESTART;
            r->error = code;
            return -1;
        }
    }
    if (a->stdin_null) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0)
            return app_fail(r, SK_EXEC_STDIN);
        if (fd != 0) {
            if (dup2(fd, 0) < 0)
                return app_fail(r, SK_EXEC_STDIN);
            close(fd);
        }
    }
    r->stage = enter_and_exec(a->exec);
    r->error = errno;
    return -1;
}
