// namespace.c: unshare, setns, pivot_root, sethostname, loopback up, prctl and fork for the
// container stage1. See sk_namespace.h.
#include "sk_namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int sk_unshare(int flags) {
    return unshare(flags);
}

int sk_setns(int fd, int nstype) {
    return setns(fd, nstype);
}

int sk_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int sk_sethostname(const char *name, size_t length) {
    return sethostname(name, length);
}

int sk_loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFFLAGS, &request);
    if (rc == 0 && !(request.ifr_flags & IFF_UP)) {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(fd, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int sk_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL);
}

int sk_set_process_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

pid_t sk_fork(void) {
    return fork();
}

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define SK_PM_PRESENT (1ULL << 63)
#define SK_PM_FILE (1ULL << 61)

/* One private file mapping [start, end): unmaps the runs of present file pages. */
static long drop_range(int pagemap, unsigned long start, unsigned long end, long page) {
    long dropped = 0;
    unsigned long run = 0;
    unsigned long long entries[512];
    for (unsigned long address = start; address < end;) {
        size_t count = (end - address) / (unsigned long)page;
        if (count > 512)
            count = 512;
        off_t offset = (off_t)(address / (unsigned long)page) * (off_t)sizeof entries[0];
        ssize_t n = pread(pagemap, entries, count * sizeof entries[0], offset);
        if (n <= 0)
            return dropped;
        size_t got = (size_t)n / sizeof entries[0];
        for (size_t i = 0; i < got; i++, address += (unsigned long)page) {
            int clean = (entries[i] & SK_PM_PRESENT) && (entries[i] & SK_PM_FILE);
            if (clean && run == 0)
                run = address;
            if (!clean && run != 0) {
                if (madvise((void *)run, address - run, MADV_DONTNEED) == 0)
                    dropped += (long)((address - run) / 1024);
                run = 0;
            }
        }
    }
    if (run != 0 && madvise((void *)run, end - run, MADV_DONTNEED) == 0)
        dropped += (long)((end - run) / 1024);
    return dropped;
}

long sk_drop_clean_file_pages(void) {
    int maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (maps < 0)
        return -1;
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pagemap < 0) {
        int saved = errno;
        close(maps);
        errno = saved;
        return -1;
    }
    static char text[1 << 16];
    ssize_t length = 0, n;
    while (length < (ssize_t)sizeof text - 1 && (n = read(maps, text + length, sizeof text - 1 - (size_t)length)) > 0)
        length += n;
    text[length] = '\0';
    close(maps);
    long page = sysconf(_SC_PAGESIZE), dropped = 0;
    for (char *line = text; line != NULL && *line != '\0';) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        unsigned long start, end, inode;
        char perms[5];
        /* "start-end perms offset dev inode path": private (p) mappings of a file (inode != 0). */
        if (sscanf(line, "%lx-%lx %4s %*s %*s %lu", &start, &end, perms, &inode) == 4 && inode != 0 && perms[3] == 'p')
            dropped += drop_range(pagemap, start, end, page);
        line = next;
    }
    close(pagemap);
    return dropped;
}
