// The strict JSON layer under the manifest: member order kept, duplicate keys refused, RFC 8259
// grammar enforced with byte offsets in errors.
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelJSONTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    func testValuesAndOrder() throws {
        let value = try parse(#" {"b": [1, -2.5e3, true, false, null], "a": {"z": "\u00e9\ud83d\ude00\n\"\/"}} "#)
        XCTAssertEqual(value.objectMembers?.map(\.0), ["b", "a"])
        XCTAssertEqual(value["b"], .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        XCTAssertEqual(value["a"]?["z"], .string("é😀\n\"/"))
        XCTAssertEqual(value, try parse(#"{"a": {"z": "é😀\n\"/"}, "b": [1, -2500, true, false, null]}"#), "member order does not affect equality")
        XCTAssertEqual(value.description, #"{"b":[1,-2500,true,false,null],"a":{"z":"é😀\n\"/"}}"#)
        XCTAssertEqual(JSONValue.string("\u{1}\t").description, #""\u0001\t""#)
    }

    func testStrictness() {
        let cases: [(String, String)] = [
            (#"{"a": 1, "a": 2}"#, #"duplicate key "a""#),
            (#"{"x": {"a": 1, "a": 2}}"#, #"x: duplicate key "a""#),
            (#"[{"a": [{"k": 1, "k": 1}]}]"#, #"[0].a[0]: duplicate key "k""#),
            ("01", "invalid JSON at byte 1: leading zero in a number"),
            ("1.", "invalid JSON at byte 2: invalid number"),
            ("1e400", "invalid JSON at byte 0: number out of range"),
            ("[1,]", "invalid JSON at byte 3: unexpected character ']'"),
            (#""\x""#, #"invalid JSON at byte 2: invalid escape \'x'"#),
            (#""\ud800""#, #"invalid JSON at byte 7: unpaired surrogate in \u escape"#),
            ("\"a\u{1}\"", "invalid JSON at byte 2: control character in a string"),
            ("tru", "invalid JSON at byte 0: unexpected character 't'"),
            (String(repeating: "[", count: 300), "invalid JSON at byte 256: nested more than 256 levels deep"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in XCTAssertEqual("\(error)", message, text) }
        }
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xff, 0x22])) { error in
            XCTAssertEqual("\(error)", "invalid JSON at byte 3: invalid UTF-8 in a string")
        }
        assertImageModelError(.invalid, #"x: duplicate key "a""#) { _ = try JSONValue(parsing: Array(#"{"x": {"a": 1, "a": 2}}"#.utf8)) }
        XCTAssertEqual(try JSONValue(parsing: Array("[1, {\"b\": 2, \"a\": 3}]".utf8)).encoded(pretty: false), Array(#"[1,{"b":2,"a":3}]"#.utf8))
    }

    /// Small objects find a duplicate key by a scan, large ones (16 members on) by a set: both
    /// refuse it, wherever the two copies are.
    func testDuplicateKeysInObjectsOfEverySize() throws {
        for size in [2, 15, 16, 17, 40] {
            let keys = (0..<size).map { "k\($0)" }
            let members = keys.map { "\"\($0)\": 1" }
            XCTAssertEqual(try parse("{" + members.joined(separator: ",") + "}").objectMembers?.count, size, "\(size) distinct keys")
            for (first, second) in [(0, size - 1), (size - 2, size - 1), (0, 1)] where first < second {
                var duplicated = members
                duplicated[second] = "\"\(keys[first])\": 2"
                XCTAssertThrowsError(try parse("{" + duplicated.joined(separator: ",") + "}"), "\(size): \(first)/\(second)") { error in
                    XCTAssertTrue("\(error)".hasSuffix("duplicate key \"\(keys[first])\""), "\(error)")
                }
            }
        }
    }

    /// Strings without escapes come straight from the input: ASCII, valid UTF-8, and an escape
    /// after a stretch of plain text all read back exactly.
    func testStringsWithAndWithoutEscapes() throws {
        XCTAssertEqual(try parse(#""plain""#), .string("plain"))
        XCTAssertEqual(try parse(#"["", "é ü 😀"]"#), .array([.string(""), .string("é ü 😀")]))
        XCTAssertEqual(try parse(#""long plain text then \t and \u00e9""#), .string("long plain text then \t and é"))
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0x61, 0xc3, 0x28, 0x22])) { error in
            XCTAssertEqual("\(error)", "invalid JSON at byte 5: invalid UTF-8 in a string", "a broken two-byte sequence")
        }
        XCTAssertEqual(JSONValue.string("a\"b\\c\r\u{1f}").description, #""a\"b\\c\r\u001f""#)
    }
}
