// sk_harden.h: small process hardening steps the container stage1 takes for itself.
#ifndef SK_HARDEN_H
#define SK_HARDEN_H

/// PR_SET_DUMPABLE: 0 makes /proc/<pid>/{exe,mem,fd,...} of the calling process reachable only
/// with CAP_SYS_PTRACE (a pod's app cannot reopen the stage1's binary through /proc/1/exe).
/// Returns 0 or -1 with errno.
int sk_set_dumpable(int dumpable);

#endif
