// sk_isolation.h: everything an app's process must do to itself between fork and execve to be
// isolated (cgroups, oom_score_adj, capabilities, no_new_privs, seccomp), in the one order that
// works. Why C: a multithreaded stage1 may run only async-signal-safe code in the forked child.
// SkiffIsolation's PreparedIsolation fills this struct; sk_exec's `isolation` field runs it.
//
// The order, and why:
//   sk_isolation_begin: after fork, before chroot and before setgroups/setgid/setuid
//     1. cgroups: write "0" (= the writer) to each pre-opened cgroup.procs, so the app and
//        everything it forks is accounted from its first instruction on.
//     2. oom_score_adj: /proc/self must still be reachable (before chroot).
//     3. masked paths (sk_masks.h), if the stage1 applies them here rather than in its own
//        mount namespace: paths as the caller sees them, so before chroot; CAP_SYS_ADMIN is
//        still there.
//     4. bounding set: PR_CAPBSET_DROP needs CAP_SETPCAP, which leaving uid 0 takes away.
//   then the caller: chroot, chdir, setgroups, setresgid, setresuid (setresuid from 0 to
//     another uid empties the permitted and effective sets, because SECBIT_KEEP_CAPS is not
//     set: a non-root app keeps no capability, which is the plan; no keep-caps dance needed).
//   sk_isolation_end: the last step before execve, after descriptors are made close-on-exec
//     5. capset: effective/permitted/inheritable as planned (CAP_SYS_ADMIN may stay in the
//        effective set until execve when step 8 needs it; see below).
//     6. ambient set cleared.
//     7. no_new_privs, if asked for (or forced: a non-root app has no CAP_SYS_ADMIN to
//        install a filter without it).
//     8. seccomp filter. Installed last so that no call of the stage1's own follows it except
//        execve: the filter may forbid anything else. A root app without no_new_privs needs
//        CAP_SYS_ADMIN here; execve then recomputes root's sets from the bounding set, which
//        no longer holds CAP_SYS_ADMIN unless the plan kept it.
#ifndef SK_ISOLATION_H
#define SK_ISOLATION_H

#include <stddef.h>
#include <stdint.h>

#include "sk_masks.h"
#include "sk_harden.h"
#include "sk_seccomp.h"

/// The step that failed (returned by begin/end; errno says why).
enum sk_isolation_step {
    SK_ISOLATION_OK = 0,
    SK_ISOLATION_CGROUP = 1,        /* write to a cgroup.procs */
    SK_ISOLATION_OOM = 2,           /* /proc/self/oom_score_adj */
    SK_ISOLATION_BOUNDING = 3,      /* PR_CAPBSET_DROP */
    SK_ISOLATION_CAPSET = 4,        /* capset */
    SK_ISOLATION_AMBIENT = 5,       /* PR_CAP_AMBIENT_CLEAR_ALL */
    SK_ISOLATION_NO_NEW_PRIVS = 6,  /* PR_SET_NO_NEW_PRIVS */
    SK_ISOLATION_SECCOMP = 7,       /* seccomp(SECCOMP_SET_MODE_FILTER) */
    SK_ISOLATION_MASKS = 8,         /* a masked or read-only path (errno of its mount) */
};

/// What to apply. Every pointer is prepared by the caller before fork and stays valid until
/// execve; a zero-initialised struct applies nothing.
typedef struct sk_isolation {
    const int *cgroup_procs;        /* open (O_WRONLY|O_CLOEXEC) cgroup.procs files to join */
    size_t ncgroup_procs;
    int set_oom_score_adj;          /* 1: write oom_score_adj */
    int oom_score_adj;
    const sk_mask *masks;           /* masked and read-only paths; NULL: none */
    size_t nmasks;
    int set_capabilities;           /* 1: bounding set and capset below */
    uint64_t bounding;              /* kept in the bounding set; every other one is dropped */
    uint64_t effective;             /* for capset in sk_isolation_end */
    uint64_t permitted;
    uint64_t inheritable;
    int no_new_privs;               /* 1: PR_SET_NO_NEW_PRIVS */
    const sk_bpf_insn *filter;      /* NULL: no seccomp filter */
    unsigned short filter_length;
    unsigned int filter_flags;      /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
} sk_isolation;

/// A user namespace for an app's child (`--private-users`): it unshares one, tells its parent on
/// `ready_fd` (one byte), and waits on `go_fd` for one byte: the parent has written its uid and
/// gid maps (only a process with CAP_SETUID in the parent namespace may map more than itself).
/// A zero byte, or end of file, means the parent failed: EPERM.
typedef struct sk_userns {
    int ready_fd;
    int go_fd;
} sk_userns;

/// The child's side of sk_userns. 0, or -1 with errno.
int sk_userns_enter(const sk_userns *userns);

/// Steps 1-4 (see the top of this file). SK_ISOLATION_OK or the failed step, errno set.
int sk_isolation_begin(const sk_isolation *iso);

/// Steps 5-8. SK_ISOLATION_OK or the failed step, errno set.
int sk_isolation_end(const sk_isolation *iso);

#endif
