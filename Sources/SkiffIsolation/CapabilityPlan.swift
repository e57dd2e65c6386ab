// Which capabilities an app gets (rkt.md §5, appc-and-oci.md items 97-99): the bounding set from
// rkt's default or the capability isolators, and the effective/permitted sets from the app's uid.
// Pure computation: applying it is Capabilities' and sk_isolation's job.
import SkiffImage
import SkiffSystem

/// The capability sets an app's process starts with.
///
/// - bounding: rkt's default 14 (`LinuxCapability.appcDefaultSet`), or exactly the
///   `os/linux/capabilities-retain-set`, or the default minus the `-remove-set` (removing one that
///   is not in the default is a no-op), or every capability when capabilities are disabled
///   (`--insecure-options=capabilities`; the isolators are then ignored).
/// - effective = permitted = bounding for uid 0, empty for any other uid (rkt: non-root apps get
///   no effective capabilities; they may still gain bounded ones through setuid or file
///   capabilities unless no_new_privs is set).
/// - inheritable and ambient: always empty.
///
/// `--caps-retain` / `--caps-remove` need no parameter here: SkiffRunOptions turns them into the
/// same isolators, replacing the image's.
public struct CapabilityPlan: Sendable, Equatable {
    /// Capabilities kept in the bounding set.
    public var bounding: Set<LinuxCapabilityName>
    /// The effective set (also the permitted set).
    public var effective: Set<LinuxCapabilityName>
    /// The permitted set.
    public var permitted: Set<LinuxCapabilityName>
    /// The inheritable set (empty).
    public var inheritable: Set<LinuxCapabilityName>

    /// A plan with explicit sets.
    public init(
        bounding: Set<LinuxCapabilityName>, effective: Set<LinuxCapabilityName>, permitted: Set<LinuxCapabilityName>,
        inheritable: Set<LinuxCapabilityName> = []
    ) {
        self.bounding = bounding
        self.effective = effective
        self.permitted = permitted
        self.inheritable = inheritable
    }

    /// rkt's default bounding set, exactly the 14 of appc's list.
    public static var defaultBounding: Set<LinuxCapabilityName> {
        Set(LinuxCapability.appcDefaultSet.compactMap(LinuxCapabilityName.init(name:)))
    }

    /// Every capability Skiff knows (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE).
    public static var all: Set<LinuxCapabilityName> {
        Set(LinuxCapability.names.indices.map { LinuxCapabilityName(number: $0) })
    }

    /// The plan for an app with these isolators running as `uid` (inside its user namespace, if
    /// any). Throws `.invalid` for an unknown capability name or for both a retain and a remove
    /// set.
    public static func resolve(isolators: [Isolator], uid: UInt32, disabled: Bool) throws -> CapabilityPlan {
        var retain: [String]?
        var remove: [String]?
        for isolator in isolators {
            switch try isolator.interpreted() {
            case .capabilitiesRetain(let names): retain = (retain ?? []) + names
            case .capabilitiesRemove(let names): remove = (remove ?? []) + names
            default: continue
            }
        }
        if retain != nil && remove != nil {
            throw SkiffError(
                .invalid, "capabilities: \"os/linux/capabilities-retain-set\" and \"os/linux/capabilities-remove-set\" both given (one or the other)")
        }
        var bounding: Set<LinuxCapabilityName>
        if disabled {
            bounding = all
        } else if let retain {
            bounding = Set(try retain.map(parse))
        } else if let remove {
            bounding = defaultBounding.subtracting(try remove.map(parse))
        } else {
            bounding = defaultBounding
        }
        let granted = uid == 0 ? bounding : []
        return CapabilityPlan(bounding: bounding, effective: granted, permitted: granted)
    }

    private static func parse(_ name: String) throws -> LinuxCapabilityName {
        guard let cap = LinuxCapabilityName(name: name) else {
            throw SkiffError(.invalid, "capability \(quote(name)): unknown (known: CAP_CHOWN ... CAP_CHECKPOINT_RESTORE)")
        }
        return cap
    }
}

/// One Linux capability, by number (CAP_CHOWN = 0).
public struct LinuxCapabilityName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The capability number.
    public let number: Int

    /// The capability with this number (0...40).
    public init(number: Int) { self.number = number }

    /// The capability named `name` ("CAP_NET_RAW"), or nil.
    public init?(name: String) {
        guard let number = LinuxCapability.number(name) else { return nil }
        self.number = number
    }

    /// "CAP_NET_RAW".
    public var description: String {
        number < LinuxCapability.names.count ? LinuxCapability.names[number] : "CAP_\(number)"
    }

    /// Ordered by number.
    public static func < (a: LinuxCapabilityName, b: LinuxCapabilityName) -> Bool { a.number < b.number }
}

extension Set where Element == LinuxCapabilityName {
    /// The set as a mask, bit N = capability N (the layout of /proc/<pid>/status's Cap* lines).
    public var mask: UInt64 { reduce(0) { $0 | (1 << UInt64($1.number)) } }

    /// The capabilities whose bits are set in `mask`.
    public init(mask: UInt64) {
        self.init((0..<64).filter { mask & (1 << UInt64($0)) != 0 }.map { LinuxCapabilityName(number: $0) })
    }
}
