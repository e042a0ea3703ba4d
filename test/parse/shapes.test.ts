import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shapeValue } from "../../src/parse/shapes.js";

describe("shapeValue", () => {
  it.each([
    ["{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", "<GUID>"],
    ["id=3f2504e0-4f89-11d3-9a0c-0305e82c3301;", "id=<GUID>;"],
    ["S-1-5-21-1004336348-1177238915-682003330-512", "<SID>"],
    ["S-1-5-18", "S-1-5-18"],
    ["d41d8cd98f00b204e9800998ecf8427e", "<HASH>"],
    ["da39a3ee5e6b4b0d3255bfef95601890afd80709", "<HASH>"],
    ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "<HASH>"],
    ["d41d8cd98f00b204e9800998ecf8427", "d41d8cd98f00b204e9800998ecf8427"],
    ["ssh admin@10.1.2.3", "ssh admin@<IP>"],
    ["http://203.0.113.7:8080/s.sh", "http://<IP>/s.sh"],
    ["999.1.1.1", "999.1.1.1"],
    ["1.2.3.4.5", "1.2.3.4.5"],
    ["fe80::1%eth0", "<IP>"],
    ["[2001:db8::1]:8080", "<IP>"],
    ["2001:db8:0:0:0:0:2:1", "<IP>"],
    ["::1", "<IP>"],
    ["17:45:27", "17:45:27"],
    ["C:\\Users\\Bob\\AppData\\Local\\Temp\\~DF12AB.tmp", "C:\\Users\\<USER>\\AppData\\Local\\Temp\\<TMP>"],
    ["/home/alice/.ssh/id_rsa", "/home/<USER>/.ssh/id_rsa"],
    ["/Users/carol/Downloads", "/Users/<USER>/Downloads"],
    ["/tmp/tmp.AbC123xyz9", "/tmp/<TMP>"],
    ["/tmp/.x", "/tmp/.x"],
    ["kill -9 123456", "kill -9 <NUM>"],
    ["port 8080", "port 8080"],
    ["", ""],
  ])("%j -> %j", (text, shaped) => {
    expect(shapeValue(text)).toBe(shaped);
  });

  // Text made of the pieces the shapes look for, so the property tests reach the patterns' edges.
  const pieces = fc.constantFrom(
    "S-1-5-21-",
    "1",
    "12345",
    "-",
    ".",
    ":",
    "::",
    "a",
    "f",
    "0",
    "/home/",
    "C:\\Users\\",
    "\\",
    "/",
    "tmp.",
    ".tmp",
    "~",
    "<",
    ">",
    "<USER>",
    " ",
    "[",
    "]",
    "%",
    "{",
    "}",
    "e3b0c44298fc1c14",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  );
  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.array(pieces, { maxLength: 40 }).map((p) => p.join("")),
  );

  it("is idempotent and never throws", () => {
    fc.assert(
      fc.property(text, (t) => {
        const once = shapeValue(t);
        expect(shapeValue(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps text without digits, hex runs or profile paths as it is", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[g-zG-Z !?,]{0,60}$/), (t) => {
        expect(shapeValue(t)).toBe(t);
      }),
    );
  });

  // Patterns that would backtrack badly if a quantifier were nested: each is 200,000 characters, which a
  // super-linear pattern could not finish within the test's timeout, while a linear one takes milliseconds.
  it.each([
    ["colons", "0:".repeat(100_000)],
    ["dots", "1.".repeat(100_000)],
    ["SID dashes", `S-1-5-21${"-1".repeat(100_000)}`],
    ["hex", "a".repeat(200_000)],
    ["digits", "9".repeat(200_000)],
    ["profile paths", "/home/".repeat(33_000)],
    ["temp names", "~a".repeat(100_000)],
  ])("shapes 200,000 characters of %s and stays within their size", (_name, long) => {
    const out = shapeValue(long);
    expect(out.length).toBeLessThanOrEqual(long.length);
    expect(shapeValue(out)).toBe(out);
  });
});
