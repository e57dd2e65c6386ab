// Shared setup for the client tests: a plain server, a temp directory, and helpers.
import FoundationEssentials
import SkiffDigest
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

/// A sink that hashes and counts what it gets, and can be told to fail.
final class HashingSink: DownloadSink {
    private(set) var digest = Digest(.sha256)
    private(set) var count: Int64 = 0
    private(set) var restarts = 0
    private(set) var bytes: [UInt8] = []
    var keepBytes = false
    var failAfter: Int64?

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        if let failAfter, count + Int64(chunk.count) > failAfter {
            throw SkiffError(.system, "disk full (test)")
        }
        digest.update(chunk)
        count += Int64(chunk.count)
        if keepBytes { bytes += chunk }
    }

    func restart() throws {
        digest = Digest(.sha256)
        count = 0
        bytes = []
        restarts += 1
    }

    func hex() -> String { digest.finalize().hexString }
}

class FetchTestCase: XCTestCase {
    var server: TestHTTPServer!
    var temporary: ScratchDirectory!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        temporary = try ScratchDirectory("fetch")
    }

    override func tearDown() {
        server?.stop()
        server = nil
        temporary?.remove()
        temporary = nil
    }

    /// A client for the plain test server (http allowed unless said otherwise).
    func client(allowHTTP: Bool = true, auth: AuthConfig = AuthConfig(), stall: Int = 60) -> HTTPClient {
        HTTPClient(auth: auth, policy: TransportPolicy(allowHTTP: allowHTTP, stallTimeout: stall))
    }

    func url(_ path: String) -> URL { URL(string: server.baseURL + path)! }

    /// The message of the SkiffError `body` throws (fails the test if it does not throw one).
    func errorMessage(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
        } catch let error as SkiffError {
            return error.message
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return ""
    }

    /// Deterministic pseudo-random bytes (xorshift), so a corrupted byte anywhere shows.
    func pattern(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        var out = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            out[index] = UInt8(truncatingIfNeeded: state)
        }
        return out
    }
}
