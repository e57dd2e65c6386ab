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
//
// Files: probe_util.c (output, errors), probe_inspect.c (what the app sees), probe_security.c
// (what it must not do), this file (the subcommand table and main).

#include "probe.h"

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
