// probe_util.c: the probe's output and error helpers (see probe.c).
#include "probe.h"

// MARK: helpers

__attribute__((format(printf, 1, 2), noreturn)) void usage_error(const char *fmt, ...) {
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

const char *errno_name(int err) {
    const char *name = strerrorname_np(err);
    return name ? name : "EUNKNOWN";
}

// Prints `error=<what>: <ERRNO>` and exits 1: the probe could not do what it was asked.
__attribute__((noreturn)) void fail(const char *what, const char *object) {
    int err = errno;
    printf("error=%s %s: %s\n", what, object, errno_name(err));
    fflush(stdout);
    exit(1);
}

// Reads a small file whole into a static buffer; NULL (errno set) if it cannot be read.
char *slurp(const char *path) {
    static char buffer[1 << 16];
    FILE *file = fopen(path, "re");
    if (!file) return NULL;
    size_t n = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[n] = '\0';
    return buffer;
}

void strip_newline(char *text) {
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
}

// Prints `key=value` with newlines and backslashes escaped, so one fact stays one line.
void print_escaped(const char *key, const char *value) {
    printf("%s=", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\n') fputs("\\n", stdout);
        else if (*p == '\\') fputs("\\\\", stdout);
        else putchar(*p);
    }
    putchar('\n');
}

// The value after `field:` in /proc/self/status, trimmed; NULL if absent.
const char *status_field(const char *field) {
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
