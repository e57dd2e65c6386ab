// skt_probe.h (tests only): forks a child that enters namespaces, applies an sk_isolation the
// way a stage1 does (begin, credentials, end) and then either executes a program (stdout and
// stderr to a pipe) or calls one syscall, or times a loop of one syscall, reporting back as text.
// Everything in the child is async-signal-safe: the test process is multithreaded.
#ifndef SKT_PROBE_H
#define SKT_PROBE_H

#include <sys/types.h>

#include "sk_isolation.h"

enum skt_action { SKT_EXEC = 1, SKT_SYSCALL = 2, SKT_LOOP = 3 };

/// CLONE_NEWNS and CLONE_NEWUSER (sched.h hides them from Swift without _GNU_SOURCE).
enum skt_namespace { SKT_NEWNS = 0x00020000, SKT_NEWUSER = 0x10000000 };

typedef struct skt_probe {
    int unshare_flags;          /* CLONE_NEW* for unshare(2) first; 0: none */
    int make_private;           /* 1: make every mount private (after CLONE_NEWNS) */
    int wait_for_parent;        /* 1: after unshare, signal ready and wait for skt_release */
    const sk_isolation *isolation; /* NULL: none */
    int set_ids;                /* 1: setgroups({}), setresgid(gid), setresuid(uid) between begin and end */
    uid_t uid;
    gid_t gid;
    int action;                 /* enum skt_action */
    const char *path;           /* SKT_EXEC */
    char *const *argv;
    char *const *envp;
    long nr;                    /* SKT_SYSCALL, SKT_LOOP */
    long args[6];
    long iterations;            /* SKT_LOOP */
} skt_probe;

typedef struct skt_child {
    pid_t pid;
    int output;                 /* read end: the child's stdout, stderr and report */
    int ready;                  /* read end: one byte once unshared (wait_for_parent) */
    int go;                     /* write end: one byte releases the child */
} skt_child;

/// Forks the child. 0, or -1 with errno.
int skt_start(const skt_probe *probe, skt_child *child);

/// Waits for the child's ready byte. 0, or -1 (the child died first).
int skt_wait_ready(skt_child *child);

/// Lets a waiting child go on.
int skt_release(skt_child *child);

/// Reads the output to end of file into buffer (up to capacity − 1 bytes, NUL-terminated), then
/// reaps the child into *status (waitpid format). Returns the bytes read, or -1.
long skt_collect(skt_child *child, char *buffer, unsigned long capacity, int *status);

#endif
