// App names: `--name` when given, otherwise derived from the image name as rkt did
// (imageNameToAppName: the last path component, sanitized to an AC name), with -2, -3...
// appended so that one image can run twice in a pod without --name.
import SkiffImage
import SkiffSystem

/// The app names of a pod's apps, in order. `imageNames[i]` is the name of app i's image (its
/// manifest's `name`, e.g. "example.com/app1"). An explicit `--name` wins and must be unique; a
/// derived name is the last path component of the image name, lowercased, other characters
/// than [a-z0-9] turned into single dashes, and made unique with -2, -3... (explicit names are
/// never renamed; derived ones step aside for them).
public func appNames(for apps: [AppOptions], imageNames: [String]) throws -> [ACName] {
    guard apps.count == imageNames.count else {
        throw SkiffError(.invalid, "app names: \(apps.count) apps but \(imageNames.count) image names")
    }
    var taken = Set<String>()
    for app in apps {
        guard let name = app.name else { continue }
        guard ACName.isValid(name) else { throw SkiffError(.usage, "--name \(quote(name)): not an AC name") }
        guard taken.insert(name).inserted else {
            throw SkiffError(.usage, "--name \(quote(name)) given to two apps (app names must be unique)")
        }
    }
    var names: [ACName] = []
    for (app, imageName) in zip(apps, imageNames) {
        if let name = app.name {
            names.append(try ACName(validating: name))
            continue
        }
        let base = sanitizedAppName(imageName)
        guard !base.isEmpty else {
            throw SkiffError(.usage, "image \(quote(imageName)): no app name can be made from its name (give --name)")
        }
        var candidate = base
        var suffix = 2
        while taken.contains(candidate) {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        taken.insert(candidate)
        names.append(try ACName(validating: candidate))
    }
    return names
}

/// The last '/'-separated component of `imageName` as an AC name: lowercased, each run of
/// characters outside [a-z0-9] turned into one '-', dashes trimmed at both ends ("" when
/// nothing is left).
func sanitizedAppName(_ imageName: String) -> String {
    let component = imageName.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? ""
    var result = ""
    var pendingDash = false
    for scalar in component.lowercased().unicodeScalars {
        let isAlphanumeric = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
        if isAlphanumeric {
            if pendingDash, !result.isEmpty { result.append("-") }
            pendingDash = false
            result.unicodeScalars.append(scalar)
        } else {
            pendingDash = true
        }
    }
    return result
}
