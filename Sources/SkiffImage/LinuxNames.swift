// Names the Linux isolators refer to: capabilities (capabilities-retain-set / -remove-set) and
// errno codes (seccomp sets' "errno"). Fixed tables, so validation does not depend on the host.
#if canImport(Glibc)
import Glibc
#endif

/// Linux capability names, as the capability isolators spell them ("CAP_NET_ADMIN").
public enum LinuxCapability {
    /// All 41 capabilities of Linux 5.9+, indexed by capability number (CAP_CHOWN = 0 ...
    /// CAP_CHECKPOINT_RESTORE = 40).
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"
    ]

    /// The capability number of `name`, or nil if Linux has no such capability.
    public static func number(_ name: String) -> Int? { numbers[name] }

    private static let numbers: [String: Int] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })

    /// appc's default bounding set when an app has no capability isolator (ace.md, 14 names).
    public static let appcDefaultSet: [String] = [
        "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_KILL", "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETFCAP", "CAP_SYS_CHROOT",
    ]
}

/// errno names for seccomp isolators: every POSIX.1-2001 and C99 name (the spec's MUST) and every
/// Linux one, with this platform's values (errno numbers differ between architectures).
public enum LinuxErrno {
    /// The errno value of `name` ("EPERM" → 1), or nil for an unknown name.
    public static func number(_ name: String) -> Int32? { numbers[name] }

    /// Every known name, sorted.
    public static var names: [String] { numbers.keys.sorted() }

    private static let numbers: [String: Int32] = Dictionary(uniqueKeysWithValues: [
        ("EPERM", EPERM), ("ENOENT", ENOENT), ("ESRCH", ESRCH), ("EINTR", EINTR), ("EIO", EIO), ("ENXIO", ENXIO),
        ("E2BIG", E2BIG), ("ENOEXEC", ENOEXEC), ("EBADF", EBADF), ("ECHILD", ECHILD), ("EAGAIN", EAGAIN),
        ("ENOMEM", ENOMEM), ("EACCES", EACCES), ("EFAULT", EFAULT), ("ENOTBLK", ENOTBLK), ("EBUSY", EBUSY),
        ("EEXIST", EEXIST), ("EXDEV", EXDEV), ("ENODEV", ENODEV), ("ENOTDIR", ENOTDIR), ("EISDIR", EISDIR),
        ("EINVAL", EINVAL), ("ENFILE", ENFILE), ("EMFILE", EMFILE), ("ENOTTY", ENOTTY), ("ETXTBSY", ETXTBSY),
        ("EFBIG", EFBIG), ("ENOSPC", ENOSPC), ("ESPIPE", ESPIPE), ("EROFS", EROFS), ("EMLINK", EMLINK),
        ("EPIPE", EPIPE), ("EDOM", EDOM), ("ERANGE", ERANGE), ("EDEADLK", EDEADLK), ("ENAMETOOLONG", ENAMETOOLONG),
        ("ENOLCK", ENOLCK), ("ENOSYS", ENOSYS), ("ENOTEMPTY", ENOTEMPTY), ("ELOOP", ELOOP), ("ENOMSG", ENOMSG),
        ("EIDRM", EIDRM), ("ECHRNG", ECHRNG), ("EL2NSYNC", EL2NSYNC), ("EL3HLT", EL3HLT), ("EL3RST", EL3RST),
        ("ELNRNG", ELNRNG), ("EUNATCH", EUNATCH), ("ENOCSI", ENOCSI), ("EL2HLT", EL2HLT), ("EBADE", EBADE),
        ("EBADR", EBADR), ("EXFULL", EXFULL), ("ENOANO", ENOANO), ("EBADRQC", EBADRQC), ("EBADSLT", EBADSLT),
        ("EBFONT", EBFONT), ("ENOSTR", ENOSTR), ("ENODATA", ENODATA), ("ETIME", ETIME), ("ENOSR", ENOSR),
        ("ENONET", ENONET), ("ENOPKG", ENOPKG), ("EREMOTE", EREMOTE), ("ENOLINK", ENOLINK), ("EADV", EADV),
        ("ESRMNT", ESRMNT), ("ECOMM", ECOMM), ("EPROTO", EPROTO), ("EMULTIHOP", EMULTIHOP), ("EDOTDOT", EDOTDOT),
        ("EBADMSG", EBADMSG), ("EOVERFLOW", EOVERFLOW), ("ENOTUNIQ", ENOTUNIQ), ("EBADFD", EBADFD),
        ("EREMCHG", EREMCHG), ("ELIBACC", ELIBACC), ("ELIBBAD", ELIBBAD), ("ELIBSCN", ELIBSCN), ("ELIBMAX", ELIBMAX),
        ("ELIBEXEC", ELIBEXEC), ("EILSEQ", EILSEQ), ("ERESTART", ERESTART), ("ESTRPIPE", ESTRPIPE),
        ("EUSERS", EUSERS), ("ENOTSOCK", ENOTSOCK), ("EDESTADDRREQ", EDESTADDRREQ), ("EMSGSIZE", EMSGSIZE),
        ("EPROTOTYPE", EPROTOTYPE), ("ENOPROTOOPT", ENOPROTOOPT), ("EPROTONOSUPPORT", EPROTONOSUPPORT),
        ("ESOCKTNOSUPPORT", ESOCKTNOSUPPORT), ("EOPNOTSUPP", EOPNOTSUPP), ("EPFNOSUPPORT", EPFNOSUPPORT),
        ("EAFNOSUPPORT", EAFNOSUPPORT), ("EADDRINUSE", EADDRINUSE), ("EADDRNOTAVAIL", EADDRNOTAVAIL),
        ("ENETDOWN", ENETDOWN), ("ENETUNREACH", ENETUNREACH), ("ENETRESET", ENETRESET),
        ("ECONNABORTED", ECONNABORTED), ("ECONNRESET", ECONNRESET), ("ENOBUFS", ENOBUFS), ("EISCONN", EISCONN),
        ("ENOTCONN", ENOTCONN), ("ESHUTDOWN", ESHUTDOWN), ("ETOOMANYREFS", ETOOMANYREFS), ("ETIMEDOUT", ETIMEDOUT),
        ("ECONNREFUSED", ECONNREFUSED), ("EHOSTDOWN", EHOSTDOWN), ("EHOSTUNREACH", EHOSTUNREACH),
        ("EALREADY", EALREADY), ("EINPROGRESS", EINPROGRESS), ("ESTALE", ESTALE), ("EUCLEAN", EUCLEAN),
        ("ENOTNAM", ENOTNAM), ("ENAVAIL", ENAVAIL), ("EISNAM", EISNAM), ("EREMOTEIO", EREMOTEIO), ("EDQUOT", EDQUOT),
        ("ENOMEDIUM", ENOMEDIUM), ("EMEDIUMTYPE", EMEDIUMTYPE), ("ECANCELED", ECANCELED), ("ENOKEY", ENOKEY),
        ("EKEYEXPIRED", EKEYEXPIRED), ("EKEYREVOKED", EKEYREVOKED), ("EKEYREJECTED", EKEYREJECTED),
        ("EOWNERDEAD", EOWNERDEAD), ("ENOTRECOVERABLE", ENOTRECOVERABLE), ("ERFKILL", ERFKILL),
        ("EHWPOISON", EHWPOISON), ("EWOULDBLOCK", EWOULDBLOCK), ("EDEADLOCK", EDEADLOCK), ("ENOTSUP", ENOTSUP)
    ])
}
