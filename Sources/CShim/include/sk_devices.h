// sk_devices.h: the cgroup v2 device controller, which is an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE attached to a cgroup (v2 has no devices.allow file). Why C: bpf(2)
// has no glibc wrapper and its attribute union is not importable into Swift.
#ifndef SK_DEVICES_H
#define SK_DEVICES_H

#include <stdint.h>

/// One eBPF instruction, laid out exactly like the kernel's struct bpf_insn (the low nibble of
/// `regs` is dst_reg, the high nibble src_reg).
typedef struct sk_ebpf_insn {
    uint8_t code;
    uint8_t regs;
    int16_t off;
    int32_t imm;
} sk_ebpf_insn;

/// BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program: its descriptor (close-on-exec), or -1
/// with errno. On failure the verifier's message, if any, is in `log` (NUL-terminated).
int sk_bpf_load_device_program(const sk_ebpf_insn *insns, unsigned int count, char *log, unsigned int log_size);

/// BPF_PROG_ATTACH of `program_fd` to the cgroup directory `cgroup_fd` as BPF_CGROUP_DEVICE with
/// BPF_F_ALLOW_MULTI (programs attached to ancestors keep running: every one must allow). The
/// attachment lives as long as the cgroup. 0 or -1 with errno.
int sk_bpf_attach_device_program(int program_fd, int cgroup_fd);

/// BPF_PROG_QUERY: how many device programs are attached directly to `cgroup_fd`, or -1 with errno.
int sk_bpf_count_device_programs(int cgroup_fd);

#endif
