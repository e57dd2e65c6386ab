// sk_caps.h: Linux capability sets (bounding, effective, permitted, inheritable, ambient) as
// 64-bit masks, bit N = capability N. Why C: capset and prctl are variadic or unwrapped for
// Swift, and the stage1 applies them between fork and execve, where only async-signal-safe code
// may run. Every function here is async-signal-safe (raw system calls, no allocation).
#ifndef SK_CAPS_H
#define SK_CAPS_H

#include <stdint.h>

/// The capability sets of the calling thread.
typedef struct sk_caps_state {
    uint64_t bounding;
    uint64_t effective;
    uint64_t permitted;
    uint64_t inheritable;
    uint64_t ambient;
} sk_caps_state;

/// The highest capability number this kernel knows (CAP_LAST_CAP), found by probing
/// PR_CAPBSET_READ; 40 on Linux 5.9+.
int sk_caps_last_cap(void);

/// PR_CAPBSET_DROP for every capability up to sk_caps_last_cap() that is not in `keep`.
/// Needs CAP_SETPCAP in the effective set, so it must run before the process leaves uid 0.
/// 0 or -1 with errno.
int sk_caps_drop_bounding(uint64_t keep);

/// capset(2) (version 3, all 64 bits) for the calling thread. Bits above the kernel's last
/// capability and capabilities the thread does not hold are cleared first (capset can only
/// lower the permitted set). 0 or -1 with errno.
int sk_caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable);

/// PR_CAP_AMBIENT_CLEAR_ALL. 0, or -1 with errno (EINVAL before Linux 4.3 is reported as 0:
/// there is no ambient set to clear).
int sk_caps_clear_ambient(void);

/// Reads all five sets of the calling thread. 0 or -1 with errno.
int sk_caps_read(sk_caps_state *state);

#endif
