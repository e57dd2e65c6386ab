// The named syscall groups a seccomp set may use (rkt.md §5): appc's two reserved ones, rkt's and
// Docker's default lists (rkt's stage1/init/common/seccomp_wildcards.go), and the systemd groups
// rkt mapped to systemd's `SystemCallFilter=@...` (as of systemd v233, the version rkt's stage1
// shipped).

/// Named syscall groups.
enum SeccompGroups {
    /// appc: every syscall (in a retain set: no filtering at all).
    static let appcAll = "@appc.io/all"
    /// appc: no syscall (in a remove set: "the engine's default only").
    static let appcEmpty = "@appc.io/empty"

    /// The syscalls of a group, or nil for an unknown group. The appc groups are handled by the
    /// policy, not here.
    static func members(_ group: String) -> [String]? {
        switch group {
        case "@rkt/default-whitelist": return dockerWhitelist + armWhitelist + newerWhitelist
        case "@rkt/default-blacklist", "@docker/default-blacklist": return dockerBlacklist
        case "@docker/default-whitelist": return dockerWhitelist
        case "@systemd/clock": return systemdClock
        case "@systemd/default-whitelist": return systemdDefault
        case "@systemd/mount": return ["chroot", "mount", "pivot_root", "umount2", "umount"]
        case "@systemd/network-io": return systemdNetworkIO
        case "@systemd/obsolete": return systemdObsolete
        case "@systemd/privileged": return systemdClock + systemdModule + systemdRawIO + systemdPrivileged
        case "@systemd/process": return systemdProcess
        case "@systemd/raw-io": return systemdRawIO
        default: return nil
        }
    }

    /// Every group name `members` knows, plus the two appc ones.
    static let names: [String] = [
        appcAll, appcEmpty, "@rkt/default-whitelist", "@rkt/default-blacklist", "@docker/default-whitelist",
        "@docker/default-blacklist", "@systemd/clock", "@systemd/default-whitelist", "@systemd/mount",
        "@systemd/network-io", "@systemd/obsolete", "@systemd/privileged", "@systemd/process", "@systemd/raw-io",
    ]

    /// Docker's default whitelist as rkt copied it (rkt also allowed `clone` and `personality`,
    /// which Docker filters by argument).
    static let dockerWhitelist: [String] = """
        accept accept4 access alarm bind brk capget capset chdir chmod chown chown32 clock_getres clock_gettime \
        clock_nanosleep close connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl \
        epoll_ctl_old epoll_pwait epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit exit_group \
        faccessat fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat \
        fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 \
        fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futimesat getcpu getcwd getdents getdents64 getegid \
        getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp \
        getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list \
        getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr \
        inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents \
        ioprio_get ioprio_set io_setup io_submit ipc kill lchown lchown32 lgetxattr link linkat listen listxattr \
        llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise memfd_create mincore mkdir mkdirat \
        mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive \
        mq_timedsend mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap nanosleep \
        newfstatat _newselect open openat pause personality pipe pipe2 poll ppoll prctl pread64 preadv prlimit64 \
        pselect6 pwrite64 pwritev read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmsg \
        remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rt_sigaction rt_sigpending \
        rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo \
        sched_getaffinity sched_getattr sched_getparam sched_get_priority_max sched_get_priority_min \
        sched_getscheduler sched_rr_get_interval sched_setaffinity sched_setattr sched_setparam \
        sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop send sendfile sendfile64 \
        sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 \
        setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid \
        setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 \
        setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigreturn socket socketcall \
        socketpair splice stat stat64 statfs statfs64 symlink symlinkat sync sync_file_range syncfs sysinfo \
        syslog tee tgkill time timer_create timer_delete timerfd_create timerfd_gettime timerfd_settime \
        timer_getoverrun timer_gettime timer_settime times tkill truncate truncate64 ugetrlimit umask uname \
        unlink unlinkat utime utimensat utimes vfork vmsplice wait4 waitid waitpid write writev arch_prctl \
        modify_ldt chroot clone
        """.split(separator: " ").map(String.init)

    /// rkt's additions for ARM.
    static let armWhitelist = [
        "arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush", "set_tls", "sync_file_range2",
    ]

    /// Skiff's additions to rkt's list: syscalls Linux gained after rkt froze it, which Docker's
    /// current default profile allows and today's libcs use (glibc 2.34+ creates threads with
    /// clone3 and registers rseq; without them every threaded program would be killed).
    static let newerWhitelist = [
        "clone3", "rseq", "statx", "close_range", "faccessat2", "openat2", "epoll_pwait2", "pidfd_open",
        "pidfd_send_signal", "preadv2", "pwritev2", "membarrier", "pkey_alloc", "pkey_free", "pkey_mprotect",
        "io_pgetevents", "futex_waitv", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
        "process_mrelease", "fchmodat2", "cachestat", "map_shadow_stack", "futex_wake", "futex_wait", "futex_requeue",
        "mseal",
    ]

    /// Docker's default blacklist as rkt copied it.
    static let dockerBlacklist: [String] = """
        acct add_key adjtimex bpf clock_adjtime clock_settime create_module delete_module finit_module \
        get_kernel_syms get_mempolicy init_module ioperm iopl kcmp kexec_file_load kexec_load keyctl \
        lookup_dcookie mbind mount move_pages name_to_handle_at nfsservctl open_by_handle_at perf_event_open \
        pivot_root process_vm_readv process_vm_writev ptrace query_module quotactl reboot request_key \
        set_mempolicy setns settimeofday stime swapon swapoff sysfs _sysctl umount umount2 unshare uselib \
        userfaultfd ustat vm86 vm86old
        """.split(separator: " ").map(String.init)

    /// systemd's @default: always permitted in a systemd whitelist, so in every retain set here.
    static let systemdDefault = [
        "clock_getres", "clock_gettime", "clock_nanosleep", "execve", "exit", "exit_group", "getrlimit", "gettimeofday",
        "nanosleep", "pause", "rt_sigreturn", "sigreturn", "time",
    ]
    static let systemdClock = ["adjtimex", "clock_adjtime", "clock_settime", "settimeofday", "stime"]
    static let systemdModule = ["delete_module", "finit_module", "init_module"]
    static let systemdRawIO = ["ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "s390_pci_mmio_read", "s390_pci_mmio_write"]
    static let systemdNetworkIO = [
        "accept4", "accept", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv", "recvfrom",
        "recvmmsg", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socket", "socketcall",
        "socketpair",
    ]
    static let systemdObsolete = [
        "_sysctl", "afs_syscall", "break", "create_module", "ftime", "get_kernel_syms", "getpmsg", "gtty", "lock", "mpx",
        "prof", "profil", "putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stty", "sysfs", "tuxcall",
        "ulimit", "uselib", "ustat", "vserver",
    ]
    static let systemdPrivileged = [
        "acct", "bdflush", "bpf", "capset", "chown32", "chown", "chroot", "fchown32", "fchown", "fchownat",
        "kexec_file_load", "kexec_load", "lchown32", "lchown", "nfsservctl", "pivot_root", "quotactl", "reboot",
        "setdomainname", "setfsuid32", "setfsuid", "setgroups32", "setgroups", "sethostname", "setresuid32", "setresuid",
        "setreuid32", "setreuid", "setuid32", "setuid", "swapoff", "swapon", "_sysctl", "vhangup",
    ]
    static let systemdProcess = [
        "arch_prctl", "clone", "execveat", "fork", "kill", "prctl", "setns", "tgkill", "tkill", "unshare", "vfork",
    ]
}
