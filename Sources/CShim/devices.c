// devices.c: loading and attaching cgroup v2 device programs. See sk_devices.h.
#include "sk_devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(sizeof(sk_ebpf_insn) == sizeof(struct bpf_insn), "sk_ebpf_insn layout");

static long sys_bpf(int cmd, union bpf_attr *attr) { return syscall(SYS_bpf, cmd, attr, sizeof *attr); }

int sk_bpf_load_device_program(const sk_ebpf_insn *insns, unsigned int count, char *log, unsigned int log_size) {
    static const char license[] = "GPL";
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = count;
    attr.license = (uint64_t)(uintptr_t)license;
    /* Without a log first: the verifier's log of every instruction costs 1.4 ms here, 4x the
     * load itself. Only a refused program is loaded again, with the log, to say why. */
    long fd = sys_bpf(BPF_PROG_LOAD, &attr);
    if (fd < 0 && log != NULL && log_size > 0) {
        int saved = errno;
        log[0] = '\0';
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = log_size;
        attr.log_level = 1;
        long again = sys_bpf(BPF_PROG_LOAD, &attr);
        if (again >= 0)
            return (int)again;
        errno = saved;
    }
    return (int)fd; /* BPF_PROG_LOAD descriptors are close-on-exec already */
}

int sk_bpf_attach_device_program(int program_fd, int cgroup_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)program_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    return (int)sys_bpf(BPF_PROG_ATTACH, &attr);
}

int sk_bpf_count_device_programs(int cgroup_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.query.target_fd = (uint32_t)cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_cnt = 0;
    if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
        return -1;
    return (int)attr.query.prog_cnt;
}
