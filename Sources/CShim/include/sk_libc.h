// sk_libc.h: glibc functions that are GNU extensions and so are not visible to Swift's Glibc module.
#ifndef SK_LIBC_H
#define SK_LIBC_H

#include <stddef.h>

/// memmem(3): the first occurrence of needle in haystack, or NULL.
const void *sk_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

/// The symbolic name of an errno value ("ENOENT"), or NULL if unknown (strerrorname_np).
const char *sk_errno_name(int err);

/// The abbreviated name of a signal without the SIG prefix ("KILL"), or NULL (sigabbrev_np).
const char *sk_signal_name(int sig);

/// accept4(2) with SOCK_CLOEXEC (accept4 is a GNU extension): the accepted socket must not leak
/// into programs spawned meanwhile by other threads.
int sk_accept_cloexec(int fd);

#endif
