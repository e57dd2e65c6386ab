// harden.c: process hardening for the stage1s. See sk_harden.h.
#include "sk_harden.h"

#include <sys/prctl.h>

int sk_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}
