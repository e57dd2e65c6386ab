// sk_xattr.h: extended attributes by path without following a final symlink (lgetxattr,
// lsetxattr, lremovexattr are hidden from Swift's Glibc module). Used to carry file
// capabilities (security.capability) across an ownership shift.
#ifndef SK_XATTR_H
#define SK_XATTR_H

#include <stddef.h>
#include <sys/types.h>

/// lgetxattr(2): the value's size, or -1 with errno (ENODATA: no such attribute).
ssize_t sk_lgetxattr(const char *path, const char *name, void *value, size_t size);

/// lsetxattr(2) with flags 0: 0 or -1 with errno.
int sk_lsetxattr(const char *path, const char *name, const void *value, size_t size);

/// lremovexattr(2): 0 or -1 with errno.
int sk_lremovexattr(const char *path, const char *name);

/// llistxattr(2): the attribute names, each NUL-terminated, into `list`; their total size, or
/// -1 with errno (ERANGE: `list` too small).
ssize_t sk_llistxattr(const char *path, char *list, size_t size);

#endif
