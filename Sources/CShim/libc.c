// libc.c: thin wrappers over GNU extensions; see sk_libc.h.
#include "sk_libc.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>

const void *sk_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}

const char *sk_errno_name(int err) {
    return strerrorname_np(err);
}

const char *sk_signal_name(int sig) {
    return sigabbrev_np(sig);
}

int sk_accept_cloexec(int fd) {
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC);
}
