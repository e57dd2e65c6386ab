// sk_seccomp.h: installing a classic-BPF seccomp filter and no_new_privs. Why C: seccomp(2) has
// no glibc wrapper, prctl is variadic, and the stage1 installs the filter between fork and
// execve. Every function here is async-signal-safe.
#ifndef SK_SECCOMP_H
#define SK_SECCOMP_H

#include <stdint.h>

/// One classic BPF instruction, laid out exactly like the kernel's struct sock_filter.
typedef struct sk_bpf_insn {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
} sk_bpf_insn;

/// seccomp(SECCOMP_SET_MODE_FILTER, flags, program); on ENOSYS (Linux before 3.17) and flags 0,
/// prctl(PR_SET_SECCOMP). Needs no_new_privs or CAP_SYS_ADMIN in the effective set. 0 or -1 with
/// errno. The filter stays for the life of the process and is inherited across fork and execve.
int sk_seccomp_install(const sk_bpf_insn *program, unsigned short length, unsigned int flags);

/// seccomp(SECCOMP_GET_ACTION_AVAIL): 1 if the kernel knows `action` (e.g. KILL_PROCESS, 4.14+),
/// 0 if not.
int sk_seccomp_action_available(uint32_t action);

/// PR_GET_SECCOMP: 0 (none), 1 (strict) or 2 (filter); -1 with errno.
int sk_seccomp_mode(void);

/// PR_SET_NO_NEW_PRIVS 1: execve never grants privileges again (setuid bits and file
/// capabilities are ignored). Irreversible, inherited. 0 or -1 with errno.
int sk_set_no_new_privs(void);

/// PR_GET_NO_NEW_PRIVS: 0 or 1; -1 with errno.
int sk_get_no_new_privs(void);

/// Writes `value` (-1000...1000) to /proc/self/oom_score_adj. Lowering it below the current value
/// needs CAP_SYS_RESOURCE. 0 or -1 with errno.
int sk_set_oom_score_adj(int value);

#endif
