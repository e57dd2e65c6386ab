// The engine re-exports its foundation module, so users of Engine see SkiffError and friends.
@_exported import SkiffSystem
