// netns.c: network namespace helpers; see sk_netns.h.
#include "sk_netns.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#define SK_NS_GET_NSTYPE 0xb703 /* _IO(0xb7, 0x3), linux/nsfs.h */

int sk_link_set_up(const char *name) {
    unsigned int index = if_nametoindex(name);
    if (index == 0) return -1;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct {
        struct nlmsghdr header;
        struct ifinfomsg info;
    } request;
    memset(&request, 0, sizeof request);
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof request.info);
    request.header.nlmsg_type = RTM_NEWLINK;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    request.header.nlmsg_seq = 1;
    request.info.ifi_family = AF_UNSPEC;
    request.info.ifi_index = (int)index;
    request.info.ifi_flags = IFF_UP;
    request.info.ifi_change = IFF_UP;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &request, request.header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* The acknowledgement is an NLMSG_ERROR message whose error is 0 on success. */
    char reply[4096];
    for (;;) {
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        struct nlmsghdr *message = (struct nlmsghdr *)reply;
        for (; NLMSG_OK(message, (unsigned int)n); message = NLMSG_NEXT(message, n)) {
            if (message->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *failure = (struct nlmsgerr *)NLMSG_DATA(message);
                close(fd);
                if (failure->error == 0) return 0;
                errno = -failure->error;
                return -1;
            }
        }
    }
}

struct sk_netns_job {
    const char *path;
    int stage;
    int error;
};

static void *sk_netns_thread(void *argument) {
    struct sk_netns_job *job = argument;
    if (unshare(CLONE_NEWNET) < 0) {
        job->stage = SK_NETNS_UNSHARE;
        job->error = errno;
        return NULL;
    }
    if (sk_link_set_up("lo") < 0) {
        job->stage = SK_NETNS_LOOPBACK;
        job->error = errno;
        return NULL;
    }
    char self[64];
    snprintf(self, sizeof self, "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
    if (mount(self, job->path, "none", MS_BIND, NULL) < 0) {
        job->stage = SK_NETNS_MOUNT;
        job->error = errno;
    }
    /* The thread ends here: the namespace lives on through the bind mount only. */
    return NULL;
}

int sk_netns_create(const char *path, int *stage) {
    struct sk_netns_job job = {.path = path, .stage = SK_NETNS_NONE, .error = 0};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, sk_netns_thread, &job);
    if (rc != 0) {
        *stage = SK_NETNS_THREAD;
        errno = rc;
        return -1;
    }
    pthread_join(thread, NULL);
    *stage = job.stage;
    if (job.stage != SK_NETNS_NONE) {
        errno = job.error;
        return -1;
    }
    return 0;
}

int sk_netns_enter(int fd) {
    return setns(fd, CLONE_NEWNET);
}

int sk_make_shared_mount(const char *dir) {
    if (mount("none", dir, NULL, MS_SHARED | MS_REC, NULL) == 0) return 0;
    if (errno != EINVAL) return -1;
    /* EINVAL: not a mount point yet. */
    if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0) return -1;
    return mount("none", dir, NULL, MS_SHARED | MS_REC, NULL);
}

int sk_umount_detach(const char *path) {
    return umount2(path, MNT_DETACH);
}

int sk_is_netns(int fd) {
    int type = ioctl(fd, SK_NS_GET_NSTYPE);
    if (type < 0) {
        if (errno == ENOTTY || errno == EINVAL) return 0;
        return -1;
    }
    return type == CLONE_NEWNET ? 1 : 0;
}
