// sk_exec.h: start a program inside a root directory (chroot, working directory, credentials,
// execve) for the stage1s. Why C: between fork and exec the child may run only
// async-signal-safe code; Swift's runtime allocates and takes locks, so it must not run there.
#ifndef SK_EXEC_H
#define SK_EXEC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "sk_isolation.h"

/// The step that failed; reported with its errno.
enum sk_exec_stage {
    SK_EXEC_NONE = 0,
    SK_EXEC_PIPE = 1,       /* pipe2 for the error report, in the parent */
    SK_EXEC_FORK = 2,       /* fork itself, in the parent */
    SK_EXEC_CHROOT = 3,     /* chroot to the root */
    SK_EXEC_CHDIR = 4,      /* chdir to the working directory (inside the root) */
    SK_EXEC_SETGROUPS = 5,  /* setgroups to the supplementary groups */
    SK_EXEC_SETGID = 6,     /* setresgid */
    SK_EXEC_SETUID = 7,     /* setresuid */
    SK_EXEC_EXEC = 8,       /* execve */
    SK_EXEC_UNSHARE = 9,    /* unshare(CLONE_NEWNS) for the app's own mount namespace */
    SK_EXEC_READONLY = 10,  /* making the app's root read-only */
    SK_EXEC_PRESTART = 11,  /* the pre-start handler: its own failure (result->pre) or its status */
    SK_EXEC_STDIN = 12,     /* opening /dev/null as stdin */
    SK_EXEC_USERNS = 13,    /* entering the app's user namespace (sk_isolation.h sk_userns) */
    SK_EXEC_ISOLATION = 16, /* an isolation step: stage - SK_EXEC_ISOLATION is its
                               enum sk_isolation_step (sk_isolation.h) */
};

/// Signal dispositions and mask a process started with, so the program a stage1 starts gets
/// what the stage1 itself got (POSIX keeps ignored signals and the mask across exec), not the
/// stage1's own handling.
typedef struct sk_signal_state {
    sigset_t ignored;       /* signals whose disposition was SIG_IGN */
    sigset_t mask;          /* the blocked mask */
} sk_signal_state;

/// Records the current ignored signals and mask into *state.
void sk_signal_snapshot(sk_signal_state *state);

/// Sets SIGINT and SIGQUIT to SIG_IGN and SIGCHLD to SIG_DFL (a supervisor that a terminal's
/// Ctrl-C must not kill before its child, and that must be able to wait for that child).
/// Returns 0 or -1 with errno.
int sk_supervisor_signals(void);

/// What to start. Every pointer is prepared by the caller before the call.
typedef struct sk_exec_attr {
    const char *root;           /* chroot here first; NULL: no chroot */
    const char *cwd;            /* chdir here (after the chroot); NULL: "/" */
    int set_ids;                /* 1: setgroups, setresgid, setresuid below; 0: keep the caller's */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;        /* supplementary groups (may be NULL when ngroups is 0) */
    size_t ngroups;
    const char *path;           /* program path as seen inside the root */
    char *const *argv;          /* NULL-terminated */
    char *const *envp;          /* NULL-terminated */
    const sk_signal_state *signals; /* restored just before execve; NULL: all default, none blocked */
    int inherit_fds;            /* 0: only stdin, stdout and stderr reach the program (every other
                                   descriptor is made close-on-exec); 1: keep inheritable ones */
    const sk_isolation *isolation; /* NULL: none. sk_isolation_begin runs before the chroot,
                                      sk_isolation_end right before execve (sk_isolation.h) */
    int into_cgroup;            /* 1: fork with sk_fork_into_cgroup(cgroup_fd) (sk_clone.h): the
                                   child starts in that v2 cgroup, no migration needed */
    int cgroup_fd;              /* a v2 cgroup directory, when into_cgroup is 1 */
} sk_exec_attr;

/// The outcome: pid on success, or the failing stage and its errno.
typedef struct sk_exec_result {
    pid_t pid;
    int stage;                  /* enum sk_exec_stage */
    int error;
    int pre_stage;              /* SK_EXEC_PRESTART: the handler's failed stage, or SK_EXEC_NONE when
                                   it ran and `error` is its exit status (128 + N for signal N) */
} sk_exec_result;

/// How the container stage1's init starts an app (or an event handler) in a forked child: a
/// mount namespace of its own (a copy of the pod's), the root read-only if asked, chroot, the
/// pre-start handler run to completion, /dev/null on stdin if asked, then `exec`. Everything is
/// prepared before the fork, so the child runs no Swift code and allocates nothing.
typedef struct sk_app_attr {
    const char *root;           /* the app's root (chroot here) */
    int readonly_root;          /* 1: the root's own mount made read-only in the new namespace */
    int stdin_null;             /* 1: /dev/null on stdin */
    const sk_exec_attr *pre;    /* run to completion first (its root NULL: inside the chroot); NULL: none */
    const sk_exec_attr *exec;   /* what the child becomes (its root NULL) */
    const sk_userns *userns;    /* NULL, or first of all a user namespace of its own (sk_isolation.h) */
} sk_app_attr;

/// In the forked child: the steps of sk_app_attr. Returns only on failure: -1 with
/// result->stage and result->error (and result->pre_stage for SK_EXEC_PRESTART).
int sk_app_enter_and_exec(const sk_app_attr *attr, sk_exec_result *result);

/// Forks; the child enters the root and executes attr->path. Returns 0 once execve succeeded
/// (result->pid set), or -1 with result->stage and result->error (the failed child is reaped).
/// The report travels over a close-on-exec pipe: end of file means the exec happened.
int sk_fork_exec_in_root(const sk_exec_attr *attr, sk_exec_result *result);

/// sk_fork_exec_in_root in two halves, so the parent can work while the child is on its way to
/// execve (fly writes `pid` then). Start forks: 0 with result->pid set and *report_fd the read
/// end of the report pipe, or -1 with result->stage and result->error (no child). Finish reads
/// the report and closes report_fd: 0 once execve succeeded, or -1 with result->stage and
/// result->error and result->pid reset to -1 (the failed child is reaped).
int sk_fork_exec_start(const sk_exec_attr *attr, sk_exec_result *result, int *report_fd);
int sk_fork_exec_finish(int report_fd, sk_exec_result *result);

/// The same steps in this process, without fork (for an entrypoint that becomes the program).
/// Returns only on failure: -1 with result->stage and result->error.
int sk_exec_in_root(const sk_exec_attr *attr, sk_exec_result *result);

#endif
