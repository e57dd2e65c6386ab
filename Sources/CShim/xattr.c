// xattr.c: path-based xattr calls without following symlinks. See sk_xattr.h.
#include "sk_xattr.h"

#include <sys/xattr.h>

ssize_t sk_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    return lgetxattr(path, name, value, size);
}

int sk_lsetxattr(const char *path, const char *name, const void *value, size_t size) {
    return lsetxattr(path, name, value, size, 0);
}

int sk_lremovexattr(const char *path, const char *name) { return lremovexattr(path, name); }

ssize_t sk_llistxattr(const char *path, char *list, size_t size) { return llistxattr(path, list, size); }
