// The tolerant <meta> scanner and the template rules, without any network.
import FoundationEssentials
import XCTest

@testable import SkiffFetch

final class MetaTagTests: XCTestCase {
    private func pairs(_ html: String) -> [String] {
        Discovery.metaTags(in: html).map { "\($0.name)=\($0.content)" }
    }

    func testQuotingOrderCaseAndSelfClosing() {
        let html = """
            <!DOCTYPE html><html><head>
            <meta name="ac-discovery" content="a.com https://a.com/{name}.{ext}">
            <META CONTENT='a.com https://b.com/{name}.{ext}' NAME='ac-discovery'/>
            <meta
               content="a.com/x https://c.com/k.gpg"
               name=ac-discovery-pubkeys />
            <Meta Name=plain Content=bare>
            </head></html>
            """
        XCTAssertEqual(
            pairs(html),
            [
                "ac-discovery=a.com https://a.com/{name}.{ext}",
                "ac-discovery=a.com https://b.com/{name}.{ext}",
                "ac-discovery-pubkeys=a.com/x https://c.com/k.gpg",
                "plain=bare",
            ])
    }

    func testEntitiesCommentsAndNonMetaTags() {
        let html = """
            <!-- <meta name="ac-discovery" content="hidden https://x/"> -->
            <metadata name="no" content="no">
            <meta charset="utf-8">
            <meta name="ac-discovery" content="a.com https://a.com/get?n={name}&amp;e={ext}&#38;x=&#x31;">
            <meta name="first" name="second" content="dup">
            <meta name="unterminated" content="x
            """
        XCTAssertEqual(
            pairs(html), ["ac-discovery=a.com https://a.com/get?n={name}&e={ext}&x=1", "first=dup", "unterminated=x"])
    }

    func testTemplateSubstitutionWithLabelsAndDefaultVersion() {
        let tags = [(name: "ac-discovery", content: "example.com https://dl.example.com/{name}-{version}-{os}-{arch}.{ext}")]
        let found = Discovery.endpoints(for: "example.com/app", labels: ["os": "linux", "arch": "amd64"], tags: tags)
        XCTAssertEqual(
            found.aci,
            [
                ACIEndpoint(
                    aci: URL(string: "https://dl.example.com/example.com/app-latest-linux-amd64.aci")!,
                    signature: URL(string: "https://dl.example.com/example.com/app-latest-linux-amd64.aci.asc")!)
            ])
        let versioned = Discovery.endpoints(
            for: "example.com/app", labels: ["version": "1.2", "os": "linux", "arch": "amd64"], tags: tags)
        XCTAssertEqual(versioned.aci.first?.aci.absoluteString, "https://dl.example.com/example.com/app-1.2-linux-amd64.aci")
    }

    func testOtherLabelsAndUnresolvedTemplatesSkipped() {
        let tags = [
            (name: "ac-discovery", content: "example.com https://a/{name}-{flavor}.{ext}"),
            (name: "ac-discovery", content: "example.com https://b/{name}-{channel}.{ext}"),
        ]
        let without = Discovery.endpoints(for: "example.com/app", labels: ["channel": "beta"], tags: tags)
        XCTAssertEqual(without.aci.map(\.aci.absoluteString), ["https://b/example.com/app-beta.aci"])
        let with = Discovery.endpoints(for: "example.com/app", labels: ["channel": "beta", "flavor": "slim"], tags: tags)
        XCTAssertEqual(
            with.aci.map(\.aci.absoluteString), ["https://a/example.com/app-slim.aci", "https://b/example.com/app-beta.aci"])
    }

    func testPrefixFiltering() {
        let tags = [
            (name: "ac-discovery", content: "example.com/other https://other/{name}.{ext}"),
            (name: "ac-discovery", content: "example.com/app/sub https://too-long/{name}.{ext}"),
            (name: "ac-discovery", content: "example.com https://short/{name}.{ext}"),
            (name: "ac-discovery", content: "example.com/app https://exact/{name}.{ext}"),
            (name: "ac-discovery", content: "example.com https://bad/{name}.{ext} extra-field"),
            (name: "ac-discovery-pubkeys", content: "example.com/app https://keys/app.gpg"),
            (name: "ac-discovery-pubkeys", content: "example.org https://keys/org.gpg"),
        ]
        let found = Discovery.endpoints(for: "example.com/app", labels: [:], tags: tags)
        XCTAssertEqual(
            found.aci.map(\.aci.absoluteString), ["https://short/example.com/app.aci", "https://exact/example.com/app.aci"])
        XCTAssertEqual(found.publicKeys.map(\.absoluteString), ["https://keys/app.gpg"])
    }

    func testWalkGoesUpToTheHost() {
        XCTAssertEqual(Discovery.walk("a.com/x/y"), ["a.com/x/y", "a.com/x", "a.com"])
        XCTAssertEqual(Discovery.walk("a.com"), ["a.com"])
    }

    func testHostLabels() {
        XCTAssertEqual(Discovery.hostLabels["os"], "linux")
        XCTAssertNotEqual(Discovery.hostLabels["arch"], "unknown")
    }
}
