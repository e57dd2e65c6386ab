// isolation.c: the between-fork-and-exec isolation steps, in order. See sk_isolation.h.
#include "sk_isolation.h"

#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "sk_caps.h"

int sk_isolation_begin(const sk_isolation *iso) {
    for (size_t i = 0; i < iso->ncgroup_procs; i++) {
        ssize_t n;
        do {
            n = write(iso->cgroup_procs[i], "0\n", 2);
        } while (n < 0 && errno == EINTR);
        if (n < 0)
            return SK_ISOLATION_CGROUP;
    }
    if (iso->set_oom_score_adj && sk_set_oom_score_adj(iso->oom_score_adj) < 0)
        return SK_ISOLATION_OOM;
    size_t failed;
    if (iso->nmasks > 0 && sk_masks_apply(iso->masks, iso->nmasks, &failed) < 0)
        return SK_ISOLATION_MASKS;
    if (iso->set_capabilities && sk_caps_drop_bounding(iso->bounding) < 0)
        return SK_ISOLATION_BOUNDING;
    return SK_ISOLATION_OK;
}

int sk_isolation_end(const sk_isolation *iso) {
    if (iso->set_capabilities) {
        if (sk_caps_set(iso->effective, iso->permitted, iso->inheritable) < 0)
            return SK_ISOLATION_CAPSET;
        if (sk_caps_clear_ambient() < 0)
            return SK_ISOLATION_AMBIENT;
    }
    if (iso->no_new_privs && sk_set_no_new_privs() < 0)
        return SK_ISOLATION_NO_NEW_PRIVS;
    if (iso->filter != NULL && sk_seccomp_install(iso->filter, iso->filter_length, iso->filter_flags) < 0)
        return SK_ISOLATION_SECCOMP;
    return SK_ISOLATION_OK;
}

int sk_userns_enter(const sk_userns *u) {
    if (unshare(CLONE_NEWUSER) < 0)
        return -1;
    char byte = 1;
    ssize_t n;
    do {
        n = write(u->ready_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1)
        return -1;
    do {
        n = read(u->go_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || byte == 0) {
        errno = n < 0 ? errno : EPERM;
        return -1;
    }
    close(u->ready_fd);
    close(u->go_fd);
    return 0;
}
