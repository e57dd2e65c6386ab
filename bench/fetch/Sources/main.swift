// fetch-bench hash FILE: SHA-512 of a file with SkiffDigest, as `image verify` and fetch hash
// images; prints "seconds=S bytes=N" so bench/fetch/run can compare it with sha512sum.
import Foundation
import SkiffDigest

guard CommandLine.arguments.count == 3, CommandLine.arguments[1] == "hash" else {
    FileHandle.standardError.write(Data("usage: fetch-bench hash FILE\n".utf8))
    exit(2)
}
let fd = open(CommandLine.arguments[2], O_RDONLY)
guard fd >= 0 else { perror("open"); exit(1) }
let start = DispatchTime.now().uptimeNanoseconds
let digest = Digest(.sha512)
let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
var total = 0
while true {
    let n = read(fd, buffer.baseAddress, buffer.count)
    if n <= 0 { break }
    digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    total += n
}
let hex = digest.finalize().hexString
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print("seconds=\(seconds) bytes=\(total) sha512=\(hex)")
