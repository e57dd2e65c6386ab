// sk_netns.h: network namespaces for pods (create as a file, join, bring links up) with the
// calls glibc hides from Swift (unshare, setns, mount, netlink). Why C: the namespace is made on
// a short-lived thread of its own, so no thread that runs Swift code ever changes namespace by
// accident, and the netlink message layout is C structs.
#ifndef SK_NETNS_H
#define SK_NETNS_H

/// The step of sk_netns_create that failed; reported with its errno.
enum sk_netns_stage {
    SK_NETNS_NONE = 0,
    SK_NETNS_THREAD = 1,    /* pthread_create, in the caller */
    SK_NETNS_UNSHARE = 2,   /* unshare(CLONE_NEWNET) on the helper thread */
    SK_NETNS_LOOPBACK = 3,  /* bringing "lo" up with netlink */
    SK_NETNS_MOUNT = 4,     /* bind-mounting /proc/self/task/<tid>/ns/net onto the file */
};

/// Creates a network namespace whose loopback is up and bind-mounts it onto `path`, an existing
/// empty regular file; the calling thread stays in its namespace. Returns 0, or -1 with *stage
/// set (enum sk_netns_stage) and errno.
int sk_netns_create(const char *path, int *stage);

/// setns(fd, CLONE_NEWNET): moves the calling thread into the network namespace `fd` names.
/// 0 or -1 with errno.
int sk_netns_enter(int fd);

/// Sets the link called `name` up in the calling thread's network namespace with netlink
/// (RTM_NEWLINK, IFF_UP). 0 or -1 with errno (ENODEV when there is no such link).
int sk_link_set_up(const char *name);

/// Makes `dir` a mount point with shared propagation (bind-mounting it onto itself first if it
/// is not one yet), as iproute2 does for /run/netns: a namespace unmounted there later is
/// unmounted too in mount namespaces that were copied meanwhile (as slaves or peers), so no
/// copy pins it. 0 or -1 with errno.
int sk_make_shared_mount(const char *dir);

/// umount2(path, MNT_DETACH). 0 or -1 with errno (EINVAL when `path` is not a mount point).
int sk_umount_detach(const char *path);

/// Whether the file `fd` is a network namespace (nsfs with the CLONE_NEWNET type): 1, 0, or -1
/// with errno.
int sk_is_netns(int fd);

#endif
