// caps.c: capability sets through raw system calls. See sk_caps.h.
#include "sk_caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* The kernel's last capability never changes while it runs: found once per process (a forked
 * child inherits it), instead of 41 prctl calls each time an app's child drops and sets its sets. */
static int cached_last_cap = -1;

int sk_caps_last_cap(void) {
    if (cached_last_cap >= 0)
        return cached_last_cap;
    /* PR_CAPBSET_READ fails with EINVAL for a number the kernel does not know. 63 bounds the
     * search: the masks are 64 bits wide. */
    int last = 0;
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0UL, 0UL, 0UL) < 0)
            break;
        last = cap;
    }
    cached_last_cap = last;
    return last;
}

static uint64_t known_mask(void) {
    int last = sk_caps_last_cap();
    return last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
}

int sk_caps_drop_bounding(uint64_t keep) {
    int last = sk_caps_last_cap();
    for (int cap = 0; cap <= last; cap++) {
        if (keep & (1ULL << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0UL, 0UL, 0UL) < 0)
            return -1;
    }
    return 0;
}

int sk_caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    /* capset can only lower the permitted set: a plan asking for more than the caller holds
     * (every capability, for --insecure-options=capabilities, by a root that lacks some) gets
     * what there is. */
    struct __user_cap_header_struct get = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct held[2] = {{0}, {0}};
    if (syscall(SYS_capget, &get, held) < 0)
        return -1;
    uint64_t now_permitted = (uint64_t)held[0].permitted | ((uint64_t)held[1].permitted << 32);
    uint64_t now_inheritable = (uint64_t)held[0].inheritable | ((uint64_t)held[1].inheritable << 32);
    uint64_t mask = known_mask();
    permitted &= mask & now_permitted;
    effective &= permitted;
    if (inheritable != 0) {
        /* Only then is the bounding set needed (41 reads): a plan's inheritable set is empty. */
        sk_caps_state now;
        if (sk_caps_read(&now) < 0)
            return -1;
        inheritable &= mask & (now_inheritable | now.bounding);
    }
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {
        {.effective = (uint32_t)effective, .permitted = (uint32_t)permitted, .inheritable = (uint32_t)inheritable},
        {.effective = (uint32_t)(effective >> 32), .permitted = (uint32_t)(permitted >> 32),
         .inheritable = (uint32_t)(inheritable >> 32)},
    };
    return (int)syscall(SYS_capset, &header, data);
}

int sk_caps_clear_ambient(void) {
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0)
        return errno == EINVAL ? 0 : -1;
    return 0;
}

int sk_caps_read(sk_caps_state *state) {
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {{0}, {0}};
    if (syscall(SYS_capget, &header, data) < 0)
        return -1;
    state->effective = (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
    state->permitted = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
    state->inheritable = (uint64_t)data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
    state->bounding = 0;
    state->ambient = 0;
    int last = sk_caps_last_cap();
    for (int cap = 0; cap <= last; cap++) {
        if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0UL, 0UL, 0UL) == 1)
            state->bounding |= 1ULL << cap;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, (unsigned long)cap, 0UL, 0UL) == 1)
            state->ambient |= 1ULL << cap;
    }
    return 0;
}
