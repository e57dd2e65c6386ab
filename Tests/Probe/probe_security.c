// probe_security.c: what an app must not be able to do; the outcome is the answer.
#include "probe.h"

// MARK: security probes (the outcome is the answer: result=ok or result=<ERRNO>)

static void print_result(int rc) { printf("result=%s\n", rc == 0 ? "ok" : errno_name(errno)); }

void do_mknod_block(const char *path) {
    // 7:0 is /dev/loop0; what matters is whether a block node may be created at all.
    int rc = mknod(path, S_IFBLK | 0600, makedev(7, 0));
    print_result(rc);
}

void do_mount_tmpfs(const char *path) {
    int rc = mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
    print_result(rc);
    // Unmount at once: the question was answered, and a probe run on the host must leave nothing.
    if (rc == 0) umount2(path, MNT_DETACH);
}

void do_sh(char **args, int count) {
    static const char busybox[] = "/bin/busybox";
    if (access(busybox, X_OK) < 0) fail("sh", busybox);
    char *argv[count + 2];
    argv[0] = "sh";
    for (int i = 0; i < count; i++) argv[i + 1] = args[i];
    argv[count + 1] = NULL;
    fflush(stdout);
    execv(busybox, argv);
    fail("sh", busybox);
}


// MARK: syscalls an app must not be able to make (the outcome is the answer)

// Runs one attempt in a child, so a seccomp kill (SIGSYS) is reported instead of ending the probe:
// `try.NAME=ok`, `try.NAME=<ERRNO>` or `try.NAME=<SIGNAL>` (the child was killed).
static int attempt(const char *name) {
    if (strcmp(name, "mount") == 0) return mount("tmpfs", "/tmp", "tmpfs", 0, "size=1m");
    if (strcmp(name, "umount") == 0) return umount2("/proc/kcore", MNT_DETACH);  // unmask a hidden path
    if (strcmp(name, "umount-sys") == 0) return umount2("/proc/sys", MNT_DETACH);
    if (strcmp(name, "swapon") == 0) return swapon("/dev/null", 0);
    // Ctrl-Alt-Del off: harmless even where it were allowed.
    if (strcmp(name, "reboot") == 0) return reboot(RB_DISABLE_CAD);
    if (strcmp(name, "kexec_load") == 0) return (int)syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL);
    if (strcmp(name, "init_module") == 0) return (int)syscall(SYS_init_module, NULL, 0UL, "");
    if (strcmp(name, "keyctl") == 0) return (int)syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0) < 0 ? -1 : 0;
    if (strcmp(name, "bpf") == 0) {
        char attr[128] = {0};
        attr[0] = 2;  // BPF_MAP_TYPE_ARRAY
        attr[4] = 4;  // key size
        attr[8] = 4;  // value size
        attr[12] = 1; // entries
        return (int)syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr) < 0 ? -1 : 0;
    }
    if (strcmp(name, "open_by_handle_at") == 0) {
        struct { unsigned int bytes; int type; unsigned char data[16]; } handle = {8, 1, {0}};
        return (int)syscall(SYS_open_by_handle_at, AT_FDCWD, &handle, O_RDONLY) < 0 ? -1 : 0;
    }
    if (strcmp(name, "ptrace") == 0) return (int)ptrace(PTRACE_ATTACH, 1, NULL, NULL) < 0 ? -1 : 0;
    if (strcmp(name, "unshare-user") == 0) return unshare(0x10000000 /* CLONE_NEWUSER */);
    if (strcmp(name, "getpid") == 0) return getpid() > 0 ? 0 : -1;
    usage_error("try: unknown syscall \"%s\"", name);
    return -1;
}

void do_try(const char *name) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) fail("try", "fork");
    if (pid == 0) _exit(attempt(name) == 0 ? 0 : (errno & 0xff) ? (errno & 0xff) : 255);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) fail("try", "waitpid");
    if (WIFSIGNALED(status)) printf("try.%s=SIG%s\n", name, sigabbrev_np(WTERMSIG(status)));
    else if (WEXITSTATUS(status) == 0) printf("try.%s=ok\n", name);
    else printf("try.%s=%s\n", name, errno_name(WEXITSTATUS(status)));
}

// Opens PATH for writing only (nothing is written): `open-write=ok` or the errno.
void do_open_write(const char *path) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    printf("open-write=%s\n", fd >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0) close(fd);
}

// A host disk: the first partition /proc/partitions lists, as a block node in /tmp, then opened.
void do_open_disk(void) {
    unsigned major = 8, minor = 0;
    char *text = slurp("/proc/partitions");
    char *line = text ? strchr(text, '\n') : NULL;
    while (line && *line) {
        unsigned a, b;
        if (sscanf(line, " %u %u", &a, &b) == 2) { major = a; minor = b; break; }
        line = strchr(line + 1, '\n');
    }
    printf("disk=%u:%u\n", major, minor);
    unlink("/tmp/.probe-disk");
    int rc = mknod("/tmp/.probe-disk", S_IFBLK | 0600, makedev(major, minor));
    printf("disk.mknod=%s\n", rc == 0 ? "ok" : errno_name(errno));
    if (rc == 0) {
        int fd = open("/tmp/.probe-disk", O_RDONLY | O_CLOEXEC);
        printf("disk.open=%s\n", fd >= 0 ? "ok" : errno_name(errno));
        if (fd >= 0) close(fd);
        unlink("/tmp/.probe-disk");
    }
}

// Every open descriptor but the one listing them: `fd.N=<target>`.
void do_fds(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) fail("fds", "/proc/self/fd");
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(dir)) continue;
        char path[300], target[PATH_MAX] = {0};
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        if (readlink(path, target, sizeof target - 1) < 0) snprintf(target, sizeof target, "?");
        printf("fd.%s=%s\n", e->d_name, target);
    }
    closedir(dir);
}

// The visible PIDs, sorted: `pids=1,7,8`.
void do_pids(void) {
    DIR *dir = opendir("/proc");
    if (!dir) fail("pids", "/proc");
    int list[4096], n = 0;
    for (struct dirent *e; (e = readdir(dir)) && n < 4096;)
        if (isdigit((unsigned char)e->d_name[0])) list[n++] = atoi(e->d_name);
    closedir(dir);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && list[j - 1] > list[j]; j--) { int t = list[j]; list[j] = list[j - 1]; list[j - 1] = t; }
    printf("pids=");
    for (int i = 0; i < n; i++) printf(i ? ",%d" : "%d", list[i]);
    printf("\n");
}

// Every process's executable, opened for writing: `exe.PID=<ERRNO|ok> <target or ?>`.
void do_exes(void) {
    DIR *dir = opendir("/proc");
    if (!dir) fail("exes", "/proc");
    for (struct dirent *e; (e = readdir(dir));) {
        if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == getpid()) continue;
        char path[300], target[PATH_MAX] = {0};
        snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
        if (readlink(path, target, sizeof target - 1) < 0) snprintf(target, sizeof target, "?%s", errno_name(errno));
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        printf("exe.%s=%s %s\n", e->d_name, fd >= 0 ? "ok" : errno_name(errno), target);
        if (fd >= 0) close(fd);
    }
    closedir(dir);
}

// Allocates and touches MEGABYTES, 1 MiB at a time: `hog=N` as it goes, `hog=done` at the end.
void do_hog(const char *text) {
    int megabytes = parse_number(text, "hog");
    for (int i = 1; i <= megabytes; i++) {
        char *block = malloc(1 << 20);
        if (!block) fail("hog", "malloc");
        memset(block, i, 1 << 20);
        if (i % 16 == 0) { printf("hog=%d\n", i); fflush(stdout); }
    }
    printf("hog=done\n");
}
