// sk_pty.h: spawn a program on a new pseudo-terminal with forkpty(3).
// Why C: between fork and exec the child of a multithreaded process may run only
// async-signal-safe code; Swift's runtime allocates and takes locks, so it must not run there.
#ifndef SK_PTY_H
#define SK_PTY_H

#include <sys/types.h>

/// Where a failed spawn failed; sent back to the parent over a close-on-exec pipe.
enum sk_spawn_stage {
    SK_STAGE_NONE = 0,
    SK_STAGE_PIPE = 1,      /* pipe2 for the error report, in the parent */
    SK_STAGE_FORKPTY = 2,   /* forkpty itself, in the parent */
    SK_STAGE_TERMIOS = 3,   /* tcgetattr/tcsetattr on the new terminal, in the child */
    SK_STAGE_CHDIR = 4,     /* chdir to the working directory, in the child */
    SK_STAGE_EXEC = 5,      /* execve, in the child */
};

/// What to spawn. Every pointer is prepared by the caller before the fork.
typedef struct sk_spawn_attr {
    const char *path;           /* resolved program path given to execve */
    char *const *argv;          /* NULL-terminated */
    char *const *envp;          /* NULL-terminated */
    const char *cwd;            /* NULL: inherit */
    unsigned short rows, cols;  /* initial window size */
    int echo;                   /* 0: clear ECHO on the new terminal */
    int ignore_sighup;          /* 1: the child starts with SIGHUP ignored */
} sk_spawn_attr;

/// The result: on success pid and master are set; on failure stage and error say why.
typedef struct sk_spawn_result {
    pid_t pid;
    int master;                 /* the pty master, close-on-exec, blocking */
    int stage;                  /* enum sk_spawn_stage */
    int error;                  /* errno of the failing step */
} sk_spawn_result;

/// Spawns attr->path on a new pty; returns 0, or -1 with result->stage and result->error set.
/// A failed exec is reported as an error, and the failed child is already reaped.
int sk_pty_spawn(const sk_spawn_attr *attr, sk_spawn_result *result);

/// Sets the window size of a terminal (TIOCSWINSZ); returns 0 or -1 with errno.
int sk_set_winsize(int fd, unsigned short rows, unsigned short cols);

/// Reads the window size of a terminal (TIOCGWINSZ); returns 0 or -1 with errno.
int sk_get_winsize(int fd, unsigned short *rows, unsigned short *cols);

#endif
