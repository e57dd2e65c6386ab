// Where leak checks look: /proc/self/mountinfo, /proc/<pid>, the temporary directory, the cgroup
// trees, /run/netns, `ip link`, /sys/block. Each source reads the host's state as it is now and
// never fails: what cannot be read is not reported.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

enum LeakSources {
    /// Every item of every kind `scope` covers.
    static func collect(_ scope: LeakScope) -> Set<LeakItem> {
        var items = Set<LeakItem>()
        let kinds = scope.kinds
        if kinds.contains(.mount) { items.formUnion(mounts(scope)) }
        if kinds.contains(.temporaryDirectory) { items.formUnion(temporaryDirectories(scope)) }
        if kinds.contains(.cgroup) { items.formUnion(cgroups(scope)) }
        if kinds.contains(.netns) { items.formUnion(networkNamespaces(scope)) }
        if kinds.contains(.link) { items.formUnion(links()) }
        if kinds.contains(.loopDevice) { items.formUnion(loopDevices()) }
        if kinds.contains(.process) { items.formUnion(processes(scope)) }  // last: the `ip` run above is reaped by then
        return items
    }

    // MARK: mounts

    /// Mounts under a root or with the keyword in their path, keyed by mount ID and point (a
    /// remount at the same place is a new mount).
    static func mounts(_ scope: LeakScope) -> [LeakItem] {
        guard let text = readText(scope.procRoot + "/self/mountinfo") else { return [] }
        var found: [LeakItem] = []
        for line in text.split(separator: "\n") {
            let halves = line.split(separator: " - ", maxSplits: 1)
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5, halves.count == 2 else { continue }
            let point = MountInfo.unescape(fields[4])
            guard scope.roots.contains(where: { point.hasPrefix($0) }) || point.contains(scope.mountKeyword) else {
                continue
            }
            let type = halves[1].split(separator: " ").first.map(String.init) ?? "?"
            found.append(LeakItem(.mount, key: "\(fields[0]) \(point)", detail: "\(point) (\(type))"))
        }
        return found
    }

    // MARK: processes

    /// Children (zombies included) of this process, and any process whose cwd, executable or
    /// command line is under a root, or that is a QEMU; keyed by pid and start time.
    static func processes(_ scope: LeakScope) -> [LeakItem] {
        let me = getpid()
        var found: [LeakItem] = []
        for name in (try? FileSystem.list(scope.procRoot)) ?? [] {
            guard let pid = Int32(name), pid != me else { continue }
            let base = scope.procRoot + "/" + name
            guard let stat = readText(base + "/stat"), let open = stat.firstIndex(of: "("),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let command = String(stat[stat.index(after: open)..<close])
            // Fields after "comm)": state(3) ppid(4) ... starttime(22), so index 19 here.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 19 else { continue }
            let cmdline = (readText(base + "/cmdline") ?? "").split(separator: "\0").joined(separator: " ")
            let cwd = readLink(base + "/cwd") ?? ""
            let exe = readLink(base + "/exe") ?? ""
            var reasons: [String] = []
            if Int32(fields[1]) == me {
                reasons.append(fields[0] == "Z" ? "unreaped child" : "child of the test process")
            }
            for root in scope.roots {
                if cwd.hasPrefix(root) { reasons.append("cwd \(cwd)") }
                if exe.hasPrefix(root) { reasons.append("executable \(exe)") }
                if cmdline.contains(root) { reasons.append("command line names \(root)") }
            }
            if command.hasPrefix("qemu") { reasons.append("qemu") }
            guard !reasons.isEmpty else { continue }
            let shown = cmdline.isEmpty ? "[\(command)]" : String(cmdline.prefix(160))
            found.append(
                LeakItem(
                    .process, key: "\(pid)@\(fields[19])",
                    detail: "\(pid) \(shown) (\(reasons.joined(separator: ", ")))"))
        }
        return found
    }

    // MARK: directories, cgroups, namespaces, links, loop devices

    static func temporaryDirectories(_ scope: LeakScope) -> [LeakItem] {
        ((try? FileSystem.list(scope.temporaryDirectory)) ?? [])
            .filter { name in
                scope.temporaryPrefixes.contains { name.hasPrefix($0) } && !scope.ignoredTemporaryNames.contains(name)
            }
            .map { LeakItem(.temporaryDirectory, key: scope.temporaryDirectory + "/" + $0) }
    }

    /// Cgroup directories named *keyword* in every hierarchy (v1 and v2), not descending into a
    /// match (its children go with it) nor following symlinks (cpu -> cpu,cpuacct).
    static func cgroups(_ scope: LeakScope) -> [LeakItem] {
        var found: [LeakItem] = []
        func walk(_ path: String, depth: Int) {
            guard depth < 8, let names = try? FileSystem.list(path) else { return }
            for name in names {
                let child = path + "/" + name
                guard let st = try? FileSystem.status(child), st.st_mode & S_IFMT == S_IFDIR else { continue }
                if name.contains(scope.cgroupKeyword) {
                    found.append(LeakItem(.cgroup, key: child))
                } else {
                    walk(child, depth: depth + 1)
                }
            }
        }
        walk(scope.cgroupRoot, depth: 0)
        return found
    }

    /// Every named network namespace (`ip netns list` reads this directory too).
    static func networkNamespaces(_ scope: LeakScope) -> [LeakItem] {
        ((try? FileSystem.list(scope.netnsDirectory)) ?? []).map { LeakItem(.netns, key: $0) }
    }

    /// veth links (from `ip -o link show type veth`) and any link with "skiff" in its name
    /// (bridges a network plugin made for Skiff).
    static func links() -> [LeakItem] {
        var found: [LeakItem] = []
        if let ip = TestEnvironment.which("ip") ?? TestEnvironment.which("/usr/sbin/ip"),
            let result = try? Subprocess.run([ip, "-o", "link", "show", "type", "veth"]), result.status == 0
        {
            for line in result.stdoutText.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count > 1 else { continue }
                let name = fields[1].split(separator: "@").first.map { String($0) } ?? ""
                let trimmed = name.hasSuffix(":") ? String(name.dropLast()) : name
                found.append(LeakItem(.link, key: trimmed, detail: "\(trimmed) (veth)"))
            }
        }
        for name in (try? FileSystem.list("/sys/class/net")) ?? [] where name.contains("skiff") {
            found.append(LeakItem(.link, key: name))
        }
        return found
    }

    /// Attached loop devices, with their backing files.
    static func loopDevices() -> [LeakItem] {
        ((try? FileSystem.list("/sys/block")) ?? []).filter { $0.hasPrefix("loop") }.compactMap { name in
            guard let backing = readText("/sys/block/\(name)/loop/backing_file") else { return nil }
            return LeakItem(
                .loopDevice, key: "/dev/" + name, detail: "/dev/\(name) backed by \(backing.trimmingCharacters())")
        }
    }

    // MARK: reading

    static func readText(_ path: String) -> String? {
        guard let bytes = try? FileSystem.read(path, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == " " { text = text.dropLast() }
        return String(text)
    }
}
