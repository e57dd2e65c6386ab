// probe.c: the test probe. See skt_probe.h. Exit codes of a failed child: 101 unshare,
// 102 make-private, 103 isolation begin, 104 credentials, 105 isolation end, 106 exec;
// the report line says "skt: stage N errno E".
#include "skt_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void put(int fd, const char *text) {
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static void put_number(int fd, long long value) {
    char text[24];
    int pos = (int)sizeof text - 1;
    text[pos] = '\0';
    unsigned long long magnitude = value < 0 ? (unsigned long long)(-value) : (unsigned long long)value;
    do {
        text[--pos] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        text[--pos] = '-';
    put(fd, text + pos);
}

static void fail(int fd, int stage, int step) {
    int saved = errno;
    put(fd, "skt: stage ");
    put_number(fd, stage);
    put(fd, " step ");
    put_number(fd, step);
    put(fd, " errno ");
    put_number(fd, saved);
    put(fd, "\n");
    _exit(100 + stage);
}

static void run_child(const skt_probe *p, int out, int ready, int go) {
    dup2(out, 1);
    dup2(out, 2);
    if (p->unshare_flags && unshare(p->unshare_flags) < 0)
        fail(1, 1, 0);
    if (p->make_private && mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        fail(1, 2, 0);
    if (p->wait_for_parent) {
        char byte = 'r';
        if (write(ready, &byte, 1) != 1 || read(go, &byte, 1) != 1)
            _exit(99);
    }
    int step;
    if (p->isolation != NULL && (step = sk_isolation_begin(p->isolation)) != 0)
        fail(1, 3, step);
    if (p->set_ids) {
        if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0 ||
            syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
            fail(1, 4, 0);
    }
    if (p->isolation != NULL && (step = sk_isolation_end(p->isolation)) != 0)
        fail(1, 5, step);
    switch (p->action) {
    case SKT_EXEC:
        execve(p->path, p->argv, p->envp);
        fail(1, 6, 0);
        break;
    case SKT_SYSCALL: {
        errno = 0;
        long r = syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4], p->args[5]);
        int e = errno;
        put(1, "result ");
        put_number(1, r);
        put(1, " errno ");
        put_number(1, r < 0 ? e : 0);
        put(1, "\n");
        break;
    }
    case SKT_LOOP: {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long i = 0; i < p->iterations; i++)
            syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4], p->args[5]);
        clock_gettime(CLOCK_MONOTONIC, &b);
        put(1, "ns ");
        put_number(1, (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
        put(1, "\n");
        break;
    }
    default:
        break;
    }
    _exit(0);
}

int skt_start(const skt_probe *p, skt_child *c) {
    int out[2], ready[2], go[2];
    if (pipe2(out, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
        return -1;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        close(out[0]);
        close(ready[0]);
        close(go[1]);
        run_child(p, out[1], ready[1], go[0]);
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    close(out[1]);
    close(ready[1]);
    close(go[0]);
    if (pid < 0) {
        close(out[0]);
        close(ready[0]);
        close(go[1]);
        return -1;
    }
    c->pid = pid;
    c->output = out[0];
    c->ready = ready[0];
    c->go = go[1];
    return 0;
}

int skt_wait_ready(skt_child *c) {
    char byte;
    ssize_t n;
    do {
        n = read(c->ready, &byte, 1);
    } while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

int skt_release(skt_child *c) {
    char byte = 'g';
    return write(c->go, &byte, 1) == 1 ? 0 : -1;
}

long skt_collect(skt_child *c, char *buffer, unsigned long capacity, int *status) {
    unsigned long used = 0;
    for (;;) {
        char scratch[4096];
        ssize_t n = read(c->output, scratch, sizeof scratch);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n && used + 1 < capacity; i++)
            buffer[used++] = scratch[i];
    }
    buffer[used] = '\0';
    close(c->output);
    close(c->ready);
    close(c->go);
    while (waitpid(c->pid, status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return (long)used;
}
