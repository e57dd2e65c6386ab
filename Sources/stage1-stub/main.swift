// A recording stage1 for stage0's contract tests: every entrypoint writes what it was given to
// <pod>/stub-record[-<op>].json, then behaves as told (see StubBehaviour).
import SkiffStage1

// Before anything opens a descriptor: what stage0 passed.
let inheritedFDs = StubRecord.openDescriptors()
Stub.main(CommandLine.arguments, inheritedFDs: inheritedFDs)
