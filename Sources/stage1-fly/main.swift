// The fly stage1 (chroot only, host namespaces, one app): see SkiffStage1's Fly* types.
import SkiffStage1

FlyMain.main(CommandLine.arguments)
