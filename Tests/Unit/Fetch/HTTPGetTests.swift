// GET: streaming exact bytes, conditional requests, cache hints, resume.
import FoundationEssentials
import SkiffDigest
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class HTTPGetTests: FetchTestCase {
    func testLargeBodyStreamsByteForByte() throws {
        let body = pattern(20 << 20)
        server.serveFile("/big.aci", body)
        let sink = HashingSink()
        let response = try client().get(url("/big.aci"), to: sink)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(sink.count, Int64(body.count))
        XCTAssertEqual(response.bodyBytes, Int64(body.count))
        XCTAssertEqual(sink.hex(), Digest.hash(.sha256, body).hexString)
        XCTAssertEqual(response.headers["content-type"], "application/octet-stream")
        XCTAssertEqual(response.finalURL, url("/big.aci"))
    }

    func testSmallBodyInMemory() throws {
        server.serveText("/page", "<html>hello</html>")
        let (response, bytes) = try client().getData(url("/page"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "<html>hello</html>")
        XCTAssertEqual(server.requests(to: "/page").first?.headers["user-agent"], "skiff")
    }

    func testGetDataRefusesMoreThanLimit() {
        server.serveFile("/large", pattern(10_000))
        let message = errorMessage { _ = try client().getData(url("/large"), limit: 1000) }
        XCTAssertEqual(message, "fetch \(url("/large").absoluteString): body larger than 1000 bytes")
    }

    func testIfNoneMatchGives304WithoutBody() throws {
        server.serveFile("/img.aci", pattern(5000), etag: "\"v1\"")
        let first = try client().get(url("/img.aci"), to: HashingSink())
        XCTAssertEqual(first.etag, "\"v1\"")
        let sink = HashingSink()
        let second = try client().get(url("/img.aci"), to: sink, ifNoneMatch: "\"v1\"")
        XCTAssertEqual(second.status, 304)
        XCTAssertEqual(sink.count, 0)
        XCTAssertEqual(server.requests(to: "/img.aci").last?.headers["if-none-match"], "\"v1\"")
        let changed = try client().get(url("/img.aci"), to: sink, ifNoneMatch: "\"v0\"")
        XCTAssertEqual(changed.status, 200)
        XCTAssertEqual(sink.count, 5000)
    }

    func testCacheControlParsed() throws {
        server.serveFile("/a", [1], cacheControl: "public, max-age=3600")
        server.serveFile("/b", [1], cacheControl: "no-cache")
        server.serveFile("/c", [1], cacheControl: "max-age=60, no-store")
        server.serveFile("/d", [1])
        XCTAssertEqual(try client().get(url("/a"), to: HashingSink()).cacheMaxAge, 3600)
        XCTAssertEqual(try client().get(url("/b"), to: HashingSink()).cacheMaxAge, 0)
        XCTAssertEqual(try client().get(url("/c"), to: HashingSink()).cacheMaxAge, 0)
        XCTAssertNil(try client().get(url("/d"), to: HashingSink()).cacheMaxAge)
    }

    func testResumeWithRangeAppendsTheRest() throws {
        let body = pattern(100_000)
        server.serveFile("/r.aci", body)
        let sink = HashingSink()
        sink.keepBytes = true
        let response = try client().get(url("/r.aci"), to: sink, resumeFrom: 40_000)
        XCTAssertEqual(response.status, 206)
        XCTAssertEqual(response.bodyOffset, 40_000)
        XCTAssertFalse(response.rangeIgnored)
        XCTAssertEqual(sink.bytes, Array(body[40_000...]))
        XCTAssertEqual(sink.restarts, 0)
        XCTAssertEqual(server.requests(to: "/r.aci").last?.headers["range"], "bytes=40000-")
    }

    func testResumeIgnoredByServerRestartsTheSink() throws {
        let body = pattern(50_000)
        server.serveFile("/r.aci", body, ranges: false)
        let sink = HashingSink()
        sink.keepBytes = true
        try body[0..<10_000].withUnsafeBytes { try sink.write($0) }  // what an earlier attempt left
        let response = try client().get(url("/r.aci"), to: sink, resumeFrom: 10_000)
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.rangeIgnored)
        XCTAssertEqual(response.bodyOffset, 0)
        XCTAssertEqual(sink.restarts, 1)
        XCTAssertEqual(sink.bytes, body)
    }

    func testResumeWithSinkThatCannotRestartFails() {
        final class AppendOnly: DownloadSink {
            func write(_ chunk: UnsafeRawBufferPointer) throws {}
        }
        server.serveFile("/r.aci", pattern(1000), ranges: false)
        let message = errorMessage { _ = try client().get(url("/r.aci"), to: AppendOnly(), resumeFrom: 10) }
        XCTAssertEqual(message, "download sink cannot restart after the server ignored the range")
    }

    func testResumePastTheEndIs416() {
        server.serveFile("/r.aci", pattern(1000))
        let message = errorMessage { _ = try client().get(url("/r.aci"), to: HashingSink(), resumeFrom: 1000) }
        XCTAssertEqual(message, "fetch \(url("/r.aci").absoluteString): HTTP 416 Range Not Satisfiable")
    }

    func testSinkFailureStopsTheDownload() {
        server.serveFile("/big", pattern(8 << 20))
        let sink = HashingSink()
        sink.failAfter = 1 << 20
        let message = errorMessage { _ = try client().get(url("/big"), to: sink) }
        XCTAssertEqual(message, "disk full (test)")
        XCTAssertLessThanOrEqual(sink.count, 1 << 20)
    }

    func testProgressIsReportedWhileDownloading() throws {
        server.serveFile("/p.aci", pattern(2_000_000))
        let pipe = try SkiffSystem.Pipe()
        let bar = ProgressBar(label: "p.aci", output: pipe.write.raw)
        _ = try client().get(url("/p.aci"), to: HashingSink(), progress: bar)
        pipe.write.close()
        let drawn = String(decoding: try pipe.read.readAll(), as: UTF8.self)
        XCTAssertTrue(drawn.hasPrefix("\r"), drawn)
        let lastLine = drawn.split(separator: "\r").last.map(String.init) ?? ""
        XCTAssertTrue(lastLine.hasPrefix("p.aci  2.0 MB / 2.0 MB (100%)  "), lastLine)
        XCTAssertTrue(drawn.hasSuffix("\u{1b}[K\n"), "finish ends the line")
    }

    func testProgressBarLine() {
        XCTAssertEqual(
            ProgressBar.line(label: "img", received: 5_000_000, total: 20_000_000, seconds: 2),
            "img  5.0 MB / 20.0 MB (25%)  2.5 MB/s  ETA 0:06")
        XCTAssertEqual(ProgressBar.line(label: "x", received: 999, total: nil, seconds: 0), "x  999 B  0 B/s")
    }
}
