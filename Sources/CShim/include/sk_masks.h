// sk_masks.h: the mounts that hide or write-protect kernel paths in an app's root (rkt's masked
// and read-only /proc and /sys paths). Why C: a stage1 may apply them in a forked child of a
// multithreaded process, where only async-signal-safe code may run. Mounts act on the calling
// thread's mount namespace, which must be private to the app (or the pod) and must not propagate
// to the host (mount --make-rprivate first).
#ifndef SK_MASKS_H
#define SK_MASKS_H

#include <stddef.h>

/// What to do with one path.
enum sk_mask_kind {
    SK_MASK_READONLY = 1,   /* bind it onto itself (recursively), then make the bind read-only */
    SK_MASK_HIDE_FILE = 2,  /* bind /dev/null over it, read-only: reads see nothing, writes fail */
    SK_MASK_HIDE_DIR = 3,   /* mount an empty read-only tmpfs over it */
};

/// One path, as the caller sees it (the app root prefixed), and its treatment.
typedef struct sk_mask {
    const char *path;
    int kind;               /* enum sk_mask_kind */
} sk_mask;

/// Applies every mask in order. 0, or -1 with errno and *failed set to the index that failed.
int sk_masks_apply(const sk_mask *masks, size_t count, size_t *failed);

/// The cheap form, one mount per hidden path: SK_MASK_HIDE_FILE binds `empty_file` (e.g.
/// /dev/null) and SK_MASK_HIDE_DIR binds `empty_dir` (an empty directory nobody can write to);
/// SK_MASK_READONLY as above. A path that does not exist is skipped (the lists name paths some
/// kernels lack). 0, or -1 with errno and *failed set.
int sk_masks_cover(const char *empty_file, const char *empty_dir, const sk_mask *masks, size_t count, size_t *failed);

#endif
