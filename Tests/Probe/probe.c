// probe: what an app sees from inside a Skiff pod, one `key=value` line per fact.
//
// The test images put this program at /probe; functional tests run it as the app and match its
// output with regexes. It is a multi-call program in the spirit of rkt's tests/inspect, crun's
// tests/init.c and youki's runtimetest, and it is linked statically (`cc -static -O2`) because an
// image has no dynamic loader: a dynamic payload fails with a misleading "no such file".
//
//   probe SUBCOMMAND [ARGS] [--- SUBCOMMAND [ARGS]]...     (or argv[0] = SUBCOMMAND via a symlink)
//
// Exit status: 0; what `exit` asks for; 1 when an operation the probe was asked to do failed (it
// prints `error=<subcommand> <object>: <ERRNO>`); 2 for a usage error (message on stderr).
// `mknod-block` and `mount-tmpfs` report `result=ok` or `result=<ERRNO>` and exit 0: the outcome
// is the answer. The probe uses no NSS, so static glibc needs nothing at run time.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sched.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/swap.h>
#include <sys/reboot.h>
#include <sys/ptrace.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

// MARK: helpers

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "probe: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: probe SUBCOMMAND [ARGS] [--- SUBCOMMAND [ARGS]]...\n"
                    "subcommands: env cwd id hostname caps nnp seccomp cgroup mounts tty pid net\n"
                    "  read-file PATH, write-file PATH CONTENT, stat PATH, exit CODE, sleep SECONDS,\n"
                    "  read-stdin, print MESSAGE, kill-self SIGNAL, mknod-block PATH, mount-tmpfs PATH, sh [ARGS]\n"
                    "  try SYSCALL, open-write PATH, open-disk, fds, exes, pids, hog MEGABYTES\n");
    exit(2);
}

static const char *errno_name(int err) {
    const char *name = strerrorname_np(err);
    return name ? name : "EUNKNOWN";
}

// Prints `error=<what>: <ERRNO>` and exits 1: the probe could not do what it was asked.
__attribute__((noreturn)) static void fail(const char *what, const char *object) {
    int err = errno;
    printf("error=%s %s: %s\n", what, object, errno_name(err));
    fflush(stdout);
    exit(1);
}

// Reads a small file whole into a static buffer; NULL (errno set) if it cannot be read.
static char *slurp(const char *path) {
    static char buffer[1 << 16];
    FILE *file = fopen(path, "re");
    if (!file) return NULL;
    size_t n = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[n] = '\0';
    return buffer;
}

static void strip_newline(char *text) {
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
}

// Prints `key=value` with newlines and backslashes escaped, so one fact stays one line.
static void print_escaped(const char *key, const char *value) {
    printf("%s=", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\n') fputs("\\n", stdout);
        else if (*p == '\\') fputs("\\\\", stdout);
        else putchar(*p);
    }
    putchar('\n');
}

// The value after `field:` in /proc/self/status, trimmed; NULL if absent.
static const char *status_field(const char *field) {
    static char value[256];
    FILE *file = fopen("/proc/self/status", "re");
    if (!file) return NULL;
    char line[512];
    size_t len = strlen(field);
    const char *found = NULL;
    while (fgets(line, sizeof line, file)) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            const char *start = line + len + 1;
            while (*start == ' ' || *start == '\t') start++;
            snprintf(value, sizeof value, "%s", start);
            strip_newline(value);
            found = value;
            break;
        }
    }
    fclose(file);
    return found;
}

// MARK: identity and environment

static void do_env(void) {
    size_t count = 0;
    while (environ[count]) count++;
    // Sorted, so output is stable whatever order the runtime set the variables in.
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && strcmp(environ[j - 1], environ[j]) > 0; j--) {
            char *swap = environ[j];
            environ[j] = environ[j - 1];
            environ[j - 1] = swap;
        }
    for (size_t i = 0; i < count; i++) printf("env.%s\n", environ[i]);
}

static void do_cwd(void) {
    char path[PATH_MAX];
    if (!getcwd(path, sizeof path)) fail("cwd", ".");
    printf("cwd=%s\n", path);
}

static int compare_gid(const void *a, const void *b) {
    gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
    return x < y ? -1 : x > y;
}

static void do_id(void) {
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);
    if (n < 0) fail("id", "getgroups");
    qsort(groups, (size_t)n, sizeof groups[0], compare_gid);
    printf("uid=%u\ngid=%u\ngroups=", getuid(), getgid());
    for (int i = 0; i < n; i++) printf(i ? ",%u" : "%u", groups[i]);
    printf("\neuid=%u\negid=%u\n", geteuid(), getegid());
}

static void do_hostname(void) {
    char name[HOST_NAME_MAX + 1] = {0};
    if (gethostname(name, sizeof name - 1) < 0) fail("hostname", "gethostname");
    printf("hostname=%s\n", name);
}

// MARK: privileges

static const char *const cap_names[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static void print_caps(const char *field, const char *key) {
    const char *hex = status_field(field);
    if (!hex) fail("caps", "/proc/self/status");
    printf("cap.%s=%s\ncap.names.%s=", key, hex, key);
    unsigned long long mask = strtoull(hex, NULL, 16);
    int first = 1;
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!(mask & (1ULL << bit))) continue;
        if (!first) putchar(',');
        first = 0;
        if (bit < sizeof cap_names / sizeof cap_names[0]) fputs(cap_names[bit], stdout);
        else printf("CAP_%u", bit);
    }
    putchar('\n');
}

static void do_caps(void) {
    print_caps("CapBnd", "bnd");
    print_caps("CapEff", "eff");
    print_caps("CapPrm", "prm");
}

static void do_nnp(void) {
    int value = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    if (value < 0) fail("nnp", "prctl");
    printf("nnp=%d\n", value);
}

static void do_seccomp(void) {
    // 0 disabled, 1 strict, 2 filter (proc(5)).
    const char *mode = status_field("Seccomp");
    printf("seccomp=%s\n", mode ? mode : "unknown");
}

// MARK: cgroups and mounts

// One cgroup knob to report: controller (v1 hierarchy option, or NULL for v2) and file name.
struct knob { const char *controller; const char *file; };

static const struct knob v1_knobs[] = {
    {"memory", "memory.limit_in_bytes"}, {"cpu", "cpu.cfs_quota_us"}, {"cpu", "cpu.cfs_period_us"},
    {"cpu", "cpu.shares"},
};
static const char *const v2_knobs[] = {"memory.max", "cpu.max", "cpu.weight"};

// Whether the comma list `list` contains `word`.
static int has_word(const char *list, const char *word) {
    size_t len = strlen(word);
    for (const char *p = list; p && *p;) {
        if (strncmp(p, word, len) == 0 && (p[len] == ',' || p[len] == '\0' || p[len] == ' ')) return 1;
        p = strchr(p, ',');
        if (p) p++;
    }
    return 0;
}

// Fields of a /proc/self/mountinfo line: root, mount point, fs type, mount options, super options.
struct mountinfo { char root[PATH_MAX], point[PATH_MAX], type[64], options[256], super[512]; };

static int parse_mountinfo(const char *line, struct mountinfo *m) {
    char before[PATH_MAX * 3];
    const char *dash = strstr(line, " - ");
    if (!dash || (size_t)(dash - line) >= sizeof before) return 0;
    memcpy(before, line, (size_t)(dash - line));
    before[dash - line] = '\0';
    if (sscanf(before, "%*s %*s %*s %4095s %4095s %255s", m->root, m->point, m->options) != 3) return 0;
    m->super[0] = '\0';
    return sscanf(dash + 3, "%63s %*s %511s", m->type, m->super) >= 1;
}

// Prints the knobs of one hierarchy: the file is mount point + (cgroup path - mount root).
static void print_knobs(const struct mountinfo *m, const char *cgroup_path, int v2) {
    const char *relative = cgroup_path;
    size_t root_len = strlen(m->root);
    if (strcmp(m->root, "/") != 0 && strncmp(cgroup_path, m->root, root_len) == 0) relative += root_len;
    size_t count = v2 ? sizeof v2_knobs / sizeof v2_knobs[0] : sizeof v1_knobs / sizeof v1_knobs[0];
    for (size_t i = 0; i < count; i++) {
        if (!v2 && !has_word(m->super, v1_knobs[i].controller)) continue;
        const char *file = v2 ? v2_knobs[i] : v1_knobs[i].file;
        char path[PATH_MAX * 2 + 64], key[96];
        snprintf(path, sizeof path, "%s%s/%s", m->point, relative, file);
        char *value = slurp(path);
        if (!value) continue;  // not readable here: say nothing rather than guess
        strip_newline(value);
        snprintf(key, sizeof key, "cgroup.%s", file);
        print_escaped(key, value);
    }
}

static void do_cgroup(void) {
    static char cgroups[1 << 16];
    const char *text = slurp("/proc/self/cgroup");
    if (!text) fail("cgroup", "/proc/self/cgroup");
    snprintf(cgroups, sizeof cgroups, "%s", text);
    // Lines are "ID:CONTROLLERS:PATH"; "0::PATH" is the unified (v2) hierarchy.
    for (char *save = NULL, *line = strtok_r(cgroups, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *first = strchr(line, ':'), *second = first ? strchr(first + 1, ':') : NULL;
        if (!second) continue;
        *second = '\0';
        const char *controllers = first + 1, *path = second + 1;
        if (*controllers == '\0') printf("cgroup.path=%s\n", path);
        else {
            // "name=systemd" would put a second '=' in the key.
            printf("cgroup.path.");
            for (const char *c = controllers; *c; c++) putchar(*c == '=' ? ':' : *c);
            printf("=%s\n", path);
        }
        // The hierarchy's mount: cgroup2 for "0::", else the v1 mount whose super options name
        // the line's first controller. The first such mount only (a hierarchy may be bound twice).
        char first_controller[64];
        snprintf(first_controller, sizeof first_controller, "%.*s", (int)strcspn(controllers, ","), controllers);
        FILE *mounts = fopen("/proc/self/mountinfo", "re");
        if (!mounts) continue;
        char entry[PATH_MAX * 3];
        struct mountinfo m;
        while (fgets(entry, sizeof entry, mounts)) {
            if (!parse_mountinfo(entry, &m)) continue;
            int v2 = *controllers == '\0';
            if (v2 ? strcmp(m.type, "cgroup2") != 0
                   : strcmp(m.type, "cgroup") != 0 || !has_word(m.super, first_controller))
                continue;
            print_knobs(&m, path, v2);
            break;
        }
        fclose(mounts);
    }
}

static void do_mounts(void) {
    FILE *mounts = fopen("/proc/self/mountinfo", "re");
    if (!mounts) fail("mounts", "/proc/self/mountinfo");
    char line[PATH_MAX * 3];
    struct mountinfo m;
    // Mount points keep mountinfo's octal escapes (\040 for a space), so a line stays parseable.
    while (fgets(line, sizeof line, mounts))
        if (parse_mountinfo(line, &m)) printf("mount.%s=%s %s\n", m.point, m.type, m.options);
    fclose(mounts);
}

// MARK: terminal, processes, network

static void do_tty(void) {
    for (int fd = 0; fd <= 2; fd++) {
        int tty = isatty(fd);
        printf("tty.%d=%d\n", fd, tty);
        char *name = tty ? ttyname(fd) : NULL;
        if (name) printf("tty.%d.name=%s\n", fd, name);
    }
}

static void do_pid(void) {
    char link[64] = {0};
    printf("pid=%d\nppid=%d\n", getpid(), getppid());
    // "/proc/self/ns/pid" reads "pid:[4026531836]": the namespace's inode number.
    if (readlink("/proc/self/ns/pid", link, sizeof link - 1) < 0) fail("pid", "/proc/self/ns/pid");
    const char *open = strchr(link, '[');
    printf("pidns=%.*s\n", open ? (int)strcspn(open + 1, "]") : 0, open ? open + 1 : "");
}

static void do_net(void) {
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0) fail("net", "getifaddrs");
    for (struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr) continue;
        int family = a->ifa_addr->sa_family;
        char text[INET6_ADDRSTRLEN];
        if (family == AF_INET) {
            struct in_addr mask = ((struct sockaddr_in *)(void *)a->ifa_netmask)->sin_addr;
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)a->ifa_addr)->sin_addr, text, sizeof text);
            printf("net.%s.ipv4=%s/%d\n", a->ifa_name, text, __builtin_popcount(mask.s_addr));
        } else if (family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)a->ifa_addr)->sin6_addr, text, sizeof text);
            printf("net.%s.ipv6=%s\n", a->ifa_name, text);
        } else if (family == AF_PACKET) {
            printf("net.%s=%s\n", a->ifa_name, (a->ifa_flags & IFF_UP) ? "up" : "down");
        }
    }
    freeifaddrs(list);
}

// MARK: files

static void do_read_file(const char *path) {
    char *content = slurp(path);
    if (!content) fail("read-file", path);
    // One trailing newline is the file's line end, not content worth escaping.
    size_t n = strlen(content);
    if (n > 0 && content[n - 1] == '\n') content[n - 1] = '\0';
    print_escaped("content", content);
}

static void do_write_file(const char *path, const char *content) {
    FILE *file = fopen(path, "we");
    if (!file) fail("write-file", path);
    if (fputs(content, file) < 0 || fclose(file) != 0) fail("write-file", path);
    printf("wrote=%s\n", path);
}

static void do_stat(const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) fail("stat", path);
    const char *type = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink"
                     : S_ISCHR(st.st_mode) ? "char" : S_ISBLK(st.st_mode) ? "block" : S_ISFIFO(st.st_mode) ? "fifo"
                     : "socket";
    printf("stat.mode=%04o\nstat.uid=%u\nstat.gid=%u\nstat.type=%s\nstat.size=%lld\n", st.st_mode & 07777,
           st.st_uid, st.st_gid, type, (long long)st.st_size);
}

// MARK: process control

static int parse_number(const char *text, const char *what) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < 0 || value > INT_MAX) usage_error("%s: not a number", what);
    return (int)value;
}

static int parse_signal(const char *text) {
    if (isdigit((unsigned char)text[0])) return parse_number(text, "kill-self");
    const char *name = strncmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (int sig = 1; sig < NSIG; sig++) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev && strcmp(abbrev, name) == 0) return sig;
    }
    usage_error("kill-self: unknown signal \"%s\"", text);
    return 0;
}

static void do_sleep(const char *text) {
    int seconds = parse_number(text, "sleep");
    printf("sleeping=%d\n", seconds);
    fflush(stdout);
    struct timespec left = {seconds, 0};
    while (nanosleep(&left, &left) < 0 && errno == EINTR) {}
}

static void do_read_stdin(void) {
    // The prompt tells an Expect session when to send; read byte by byte so nothing beyond the
    // first line is consumed.
    printf("read-stdin=waiting\n");
    fflush(stdout);
    char line[4096];
    size_t n = 0;
    char c;
    ssize_t got;
    while (n < sizeof line - 1 && (got = read(0, &c, 1)) != 0) {
        if (got < 0) {
            if (errno == EINTR) continue;
            fail("read-stdin", "stdin");
        }
        if (c == '\n') break;
        line[n++] = c;
    }
    line[n] = '\0';
    strip_newline(line);  // a terminal in raw mode may send "\r"
    printf("stdin=%s\n", line);
}

static void do_kill_self(const char *text) {
    int sig = parse_signal(text);
    fflush(stdout);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    // Still here: a PID 1 in its namespace ignores signals it has no handler for.
    printf("error=kill-self %s: still alive\n", text);
    fflush(stdout);
    exit(1);
}

// MARK: security probes (the outcome is the answer: result=ok or result=<ERRNO>)

static void print_result(int rc) { printf("result=%s\n", rc == 0 ? "ok" : errno_name(errno)); }

static void do_mknod_block(const char *path) {
    // 7:0 is /dev/loop0; what matters is whether a block node may be created at all.
    int rc = mknod(path, S_IFBLK | 0600, makedev(7, 0));
    print_result(rc);
}

static void do_mount_tmpfs(const char *path) {
    int rc = mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
    print_result(rc);
    // Unmount at once: the question was answered, and a probe run on the host must leave nothing.
    if (rc == 0) umount2(path, MNT_DETACH);
}

static void do_sh(char **args, int count) {
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

static void do_try(const char *name) {
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
static void do_open_write(const char *path) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    printf("open-write=%s\n", fd >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0) close(fd);
}

// A host disk: the first partition /proc/partitions lists, as a block node in /tmp, then opened.
static void do_open_disk(void) {
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
static void do_fds(void) {
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
static void do_pids(void) {
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
static void do_exes(void) {
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
static void do_hog(const char *text) {
    int megabytes = parse_number(text, "hog");
    for (int i = 1; i <= megabytes; i++) {
        char *block = malloc(1 << 20);
        if (!block) fail("hog", "malloc");
        memset(block, i, 1 << 20);
        if (i % 16 == 0) { printf("hog=%d\n", i); fflush(stdout); }
    }
    printf("hog=done\n");
}

// MARK: dispatch

static void run_env(char **a) { (void)a; do_env(); }
static void run_cwd(char **a) { (void)a; do_cwd(); }
static void run_id(char **a) { (void)a; do_id(); }
static void run_hostname(char **a) { (void)a; do_hostname(); }
static void run_caps(char **a) { (void)a; do_caps(); }
static void run_nnp(char **a) { (void)a; do_nnp(); }
static void run_seccomp(char **a) { (void)a; do_seccomp(); }
static void run_cgroup(char **a) { (void)a; do_cgroup(); }
static void run_mounts(char **a) { (void)a; do_mounts(); }
static void run_tty(char **a) { (void)a; do_tty(); }
static void run_pid(char **a) { (void)a; do_pid(); }
static void run_net(char **a) { (void)a; do_net(); }
static void run_read_file(char **a) { do_read_file(a[0]); }
static void run_write_file(char **a) { do_write_file(a[0], a[1]); }
static void run_stat(char **a) { do_stat(a[0]); }
static void run_exit(char **a) { fflush(stdout); exit(parse_number(a[0], "exit") & 0xff); }
static void run_sleep(char **a) { do_sleep(a[0]); }
static void run_read_stdin(char **a) { (void)a; do_read_stdin(); }
static void run_print(char **a) { printf("%s\n", a[0]); }
static void run_kill_self(char **a) { do_kill_self(a[0]); }
static void run_mknod_block(char **a) { do_mknod_block(a[0]); }
static void run_mount_tmpfs(char **a) { do_mount_tmpfs(a[0]); }
static void run_try(char **a) { do_try(a[0]); }
static void run_open_write(char **a) { do_open_write(a[0]); }
static void run_open_disk(char **a) { (void)a; do_open_disk(); }
static void run_fds(char **a) { (void)a; do_fds(); }
static void run_exes(char **a) { (void)a; do_exes(); }
static void run_pids(char **a) { (void)a; do_pids(); }
static void run_hog(char **a) { do_hog(a[0]); }

// Each subcommand with its exact argument count (-1: takes every remaining argument).
static const struct subcommand { const char *name; int args; void (*fn)(char **args); } subcommands[] = {
    {"env", 0, run_env}, {"cwd", 0, run_cwd}, {"id", 0, run_id}, {"hostname", 0, run_hostname},
    {"caps", 0, run_caps}, {"nnp", 0, run_nnp}, {"seccomp", 0, run_seccomp}, {"cgroup", 0, run_cgroup},
    {"mounts", 0, run_mounts}, {"tty", 0, run_tty}, {"pid", 0, run_pid}, {"net", 0, run_net},
    {"read-file", 1, run_read_file}, {"write-file", 2, run_write_file}, {"stat", 1, run_stat},
    {"exit", 1, run_exit}, {"sleep", 1, run_sleep}, {"read-stdin", 0, run_read_stdin}, {"print", 1, run_print},
    {"kill-self", 1, run_kill_self}, {"mknod-block", 1, run_mknod_block}, {"mount-tmpfs", 1, run_mount_tmpfs},
    {"try", 1, run_try}, {"open-write", 1, run_open_write}, {"open-disk", 0, run_open_disk}, {"fds", 0, run_fds},
    {"exes", 0, run_exes}, {"pids", 0, run_pids}, {"hog", 1, run_hog},
    {"sh", -1, NULL},
};

static const struct subcommand *find(const char *name) {
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(subcommands[i].name, name) == 0) return &subcommands[i];
    return NULL;
}

int main(int argc, char **argv) {
    // Called through a symlink named after a subcommand: that is the first subcommand.
    const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
    base = base ? base + 1 : argc > 0 ? argv[0] : "probe";
    int start = 1;
    if (argc > 0 && find(base)) {
        argv[0] = (char *)base;
        start = 0;
    }
    if (start >= argc) usage_error("no subcommand");
    // Two passes: the whole chain is checked before anything runs, so a usage error has no effects.
    for (int pass = 0; pass < 2; pass++)
        for (int i = start; i < argc;) {
            const struct subcommand *sub = find(argv[i]);
            if (!sub) usage_error("unknown subcommand \"%s\"", argv[i]);
            // `sh` takes every remaining argument, `---` included: the shell may want it.
            if (sub->args < 0) {
                if (pass == 1) do_sh(argv + i + 1, argc - i - 1);
                break;
            }
            int end = i + 1;
            while (end < argc && strcmp(argv[end], "---") != 0) end++;
            if (end - i - 1 != sub->args)
                usage_error("%s: takes %d argument(s), got %d", sub->name, sub->args, end - i - 1);
            if (end == argc - 1) usage_error("--- at the end");
            if (pass == 1) {
                sub->fn(argv + i + 1);
                fflush(stdout);
            }
            i = end + 1;
        }
    return 0;
}
