// probe.h: what the probe's files share (probe.c describes the program and its output).
#ifndef SKIFF_PROBE_H
#define SKIFF_PROBE_H

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

// probe_util.c: output, errors, small file reads.
__attribute__((format(printf, 1, 2), noreturn)) void usage_error(const char *fmt, ...);
const char *errno_name(int err);
__attribute__((noreturn)) void fail(const char *what, const char *object);
char *slurp(const char *path);
void strip_newline(char *text);
void print_escaped(const char *key, const char *value);
const char *status_field(const char *field);

// probe_inspect.c: what the app sees (identity, privileges, cgroups, mounts, processes, files).
void do_env(void);
void do_cwd(void);
void do_id(void);
void do_hostname(void);
void do_caps(void);
void do_nnp(void);
void do_seccomp(void);
void do_cgroup(void);
void do_mounts(void);
void do_tty(void);
void do_pid(void);
void do_net(void);
void do_read_file(const char *path);
void do_write_file(const char *path, const char *content);
void do_stat(const char *path);
int parse_number(const char *text, const char *what);
int parse_signal(const char *text);
void do_sleep(const char *text);
void do_read_stdin(void);
void do_kill_self(const char *text);

// probe_security.c: what the app must not be able to do (the outcome is the answer).
void do_mknod_block(const char *path);
void do_mount_tmpfs(const char *path);
void do_sh(char **args, int count);
void do_try(const char *name);
void do_open_write(const char *path);
void do_open_disk(void);
void do_fds(void);
void do_pids(void);
void do_exes(void);
void do_hog(const char *text);

#endif
