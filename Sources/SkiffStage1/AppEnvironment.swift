// The environment an app starts with (appc "Execution Environment", checklist G.66-70).
import SkiffImage

/// The app's environment per appc: PATH (the appc default unless the app sets one), AC_APP_NAME,
/// `container=skiff`, then the app's own variables verbatim (the pod manifest already merged the
/// image's, --set-env and --environment); TERM from the caller for interactive apps only; HOME
/// from the image's passwd when the app does not set it.
public enum AppEnvironment {
    /// appc's PATH for apps whose image sets none (exact string, checklist G.66).
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    /// The value of the appc `container` variable: the engine's name.
    public static let containerName = "skiff"

    /// "NAME=value" entries, each name once: PATH, AC_APP_NAME, container, the app's variables in
    /// their order, then TERM and HOME when they apply. AC_APP_NAME and container are the
    /// engine's to set (as rkt did): an app's own value for them is replaced.
    public static func compose(app: RuntimeApp, interactive: Bool, callerTerm: String?, home: String?) -> [String] {
        let variables = app.app?.environment ?? []
        let engine: Set<String> = ["PATH", "AC_APP_NAME", "container"]
        var result = [
            "PATH=" + (variables.first { $0.name == "PATH" }?.value ?? defaultPath),
            "AC_APP_NAME=" + app.name.value,
            "container=" + containerName,
        ]
        for variable in variables where !engine.contains(variable.name) {
            result.append(variable.name + "=" + variable.value)
        }
        let names = Set(variables.map(\.name))
        if interactive, let callerTerm, !names.contains("TERM") { result.append("TERM=" + callerTerm) }
        if let home, !names.contains("HOME") { result.append("HOME=" + home) }
        return result
    }

    /// The value of `name` in composed "NAME=value" entries.
    public static func value(_ name: String, in environment: [String]) -> String? {
        let prefix = name + "="
        return environment.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }
}
