// probe_inspect.c: what an app sees from inside its pod, one `key=value` line per fact.
#include "probe.h"

// MARK: identity and environment

void do_env(void) {
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

void do_cwd(void) {
    char path[PATH_MAX];
    if (!getcwd(path, sizeof path)) fail("cwd", ".");
    printf("cwd=%s\n", path);
}

static int compare_gid(const void *a, const void *b) {
    gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
    return x < y ? -1 : x > y;
}

void do_id(void) {
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);
    if (n < 0) fail("id", "getgroups");
    qsort(groups, (size_t)n, sizeof groups[0], compare_gid);
    printf("uid=%u\ngid=%u\ngroups=", getuid(), getgid());
    for (int i = 0; i < n; i++) printf(i ? ",%u" : "%u", groups[i]);
    printf("\neuid=%u\negid=%u\n", geteuid(), getegid());
}

void do_hostname(void) {
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

void do_caps(void) {
    print_caps("CapBnd", "bnd");
    print_caps("CapEff", "eff");
    print_caps("CapPrm", "prm");
}

void do_nnp(void) {
    int value = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    if (value < 0) fail("nnp", "prctl");
    printf("nnp=%d\n", value);
}

void do_seccomp(void) {
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

void do_cgroup(void) {
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

void do_mounts(void) {
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

void do_tty(void) {
    for (int fd = 0; fd <= 2; fd++) {
        int tty = isatty(fd);
        printf("tty.%d=%d\n", fd, tty);
        char *name = tty ? ttyname(fd) : NULL;
        if (name) printf("tty.%d.name=%s\n", fd, name);
    }
}

void do_pid(void) {
    char link[64] = {0};
    printf("pid=%d\nppid=%d\n", getpid(), getppid());
    // "/proc/self/ns/pid" reads "pid:[4026531836]": the namespace's inode number.
    if (readlink("/proc/self/ns/pid", link, sizeof link - 1) < 0) fail("pid", "/proc/self/ns/pid");
    const char *open = strchr(link, '[');
    printf("pidns=%.*s\n", open ? (int)strcspn(open + 1, "]") : 0, open ? open + 1 : "");
}

void do_net(void) {
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

void do_read_file(const char *path) {
    char *content = slurp(path);
    if (!content) fail("read-file", path);
    // One trailing newline is the file's line end, not content worth escaping.
    size_t n = strlen(content);
    if (n > 0 && content[n - 1] == '\n') content[n - 1] = '\0';
    print_escaped("content", content);
}

void do_write_file(const char *path, const char *content) {
    FILE *file = fopen(path, "we");
    if (!file) fail("write-file", path);
    if (fputs(content, file) < 0 || fclose(file) != 0) fail("write-file", path);
    printf("wrote=%s\n", path);
}

void do_stat(const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) fail("stat", path);
    const char *type = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink"
                     : S_ISCHR(st.st_mode) ? "char" : S_ISBLK(st.st_mode) ? "block" : S_ISFIFO(st.st_mode) ? "fifo"
                     : "socket";
    printf("stat.mode=%04o\nstat.uid=%u\nstat.gid=%u\nstat.type=%s\nstat.size=%lld\n", st.st_mode & 07777,
           st.st_uid, st.st_gid, type, (long long)st.st_size);
}

// MARK: process control

int parse_number(const char *text, const char *what) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < 0 || value > INT_MAX) usage_error("%s: not a number", what);
    return (int)value;
}

int parse_signal(const char *text) {
    if (isdigit((unsigned char)text[0])) return parse_number(text, "kill-self");
    const char *name = strncmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (int sig = 1; sig < NSIG; sig++) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev && strcmp(abbrev, name) == 0) return sig;
    }
    usage_error("kill-self: unknown signal \"%s\"", text);
    return 0;
}

void do_sleep(const char *text) {
    int seconds = parse_number(text, "sleep");
    printf("sleeping=%d\n", seconds);
    fflush(stdout);
    struct timespec left = {seconds, 0};
    while (nanosleep(&left, &left) < 0 && errno == EINTR) {}
}

void do_read_stdin(void) {
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

void do_kill_self(const char *text) {
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
