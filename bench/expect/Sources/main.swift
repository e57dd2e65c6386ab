import Expect
let s = try spawn(["sh", "-c", "echo hello; read x; echo got:$x; exit 3"])
let m = try s.expect("hello")
print("before:", m.beforeText.debugDescription, "match:", m.text)
try s.sendLine("abc")
let m2 = try s.expect("got:abc\r\n")
print(m2.text.debugDescription)
print(try s.wait())
do { _ = try spawn(["/nonexistent/x"]) } catch { print(error) }
do { _ = try spawn(["nosuchprogram"]) } catch { print(error) }
do { _ = try spawn(["ls"], options: SpawnOptions(workingDirectory: "/nope")) } catch { print(error) }
let t = try spawn(["sleep", "5"])
do { try t.expect("x", timeout: .milliseconds(200)) } catch { print(error) }
print(t.terminate())
let u = try spawn(["stty", "size"])
print(try u.readLine() ?? "nil", try u.wait())
