// The container stage1 (namespaces, pivot_root, a Swift init as the pod's PID 1, several apps
// per pod): see the SkiffContainer module and docs/stage1-container.md.
import SkiffContainer

ContainerMain.main(CommandLine.arguments)
