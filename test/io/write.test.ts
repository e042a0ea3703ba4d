import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BufferedFile, csvCell, jsonLine, outputFormatOf, writeRecords } from "../../src/io/write.js";

describe("csvCell", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+SUM(A1)", "'+SUM(A1)"],
    ["-2+3", "'-2+3"],
    ["@cmd", "'@cmd"],
    ["\tx", "'\tx"],
    ["plain", "plain"],
    ['say "hi", now', '"say ""hi"", now"'],
    ["=a,b", `"'=a,b"`],
  ])("neutralises and quotes %j", (input, output) => expect(csvCell(input)).toBe(output));

  it("writes numbers as numbers, even negative ones, and nothing for missing values", () => {
    expect(csvCell(-12.5)).toBe("-12.5");
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(null)).toBe("");
  });

  it("writes structures as JSON text", () => expect(csvCell(["a", "b"])).toBe('"[""a"",""b""]"'));
});

describe("jsonLine", () => {
  it("writes NaN and infinities as null", () =>
    expect(jsonLine({ a: Number.NaN, b: -Infinity, c: 1 })).toBe('{"a":null,"b":null,"c":1}'));
});

describe("outputFormatOf", () => {
  it("goes by the extension", () => {
    expect(outputFormatOf("x.JSONL")).toBe("jsonl");
    expect(outputFormatOf("x.json")).toBe("json");
    expect(outputFormatOf("x.csv")).toBe("csv");
    expect(() => outputFormatOf("x.txt")).toThrow(/use .jsonl, .json or .csv/);
  });
});

describe("BufferedFile", () => {
  it("writes every text in order through a small buffer: multi-byte characters, texts longer than it", () => {
    const dir = mkdtempSync(join(tmpdir(), "seqhunt-buffered-"));
    try {
      const path = join(dir, "out.txt");
      const texts = ["ab", "é", "€uro", "😀", "x".repeat(40), "", "end\n", "né".repeat(3)];
      const fd = openSync(path, "w");
      const out = new BufferedFile(fd, 12);
      for (const t of texts) out.add(t);
      out.flush();
      closeSync(fd);
      expect(readFileSync(path, "utf8")).toBe(texts.join(""));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("writeRecords", () => {
  const records = [
    { a: 1, b: "=x" },
    { a: Number.NaN, b: 'say "é"' },
  ];
  it.each([
    ["out.jsonl", '{"a":1,"b":"=x"}\n{"a":null,"b":"say \\"é\\""}\n'],
    ["out.json", '[\n{"a":1,"b":"=x"},\n{"a":null,"b":"say \\"é\\""}\n]\n'],
    ["out.csv", 'a,b\n1,\'=x\n,"say ""é"""\n'],
  ])("writes %s", async (name, text) => {
    const dir = mkdtempSync(join(tmpdir(), "seqhunt-write-"));
    try {
      await writeRecords(join(dir, name), records, ["a", "b"]);
      expect(readFileSync(join(dir, name), "utf8")).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes an empty JSON list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seqhunt-write-"));
    try {
      await writeRecords(join(dir, "none.json"), [], []);
      expect(readFileSync(join(dir, "none.json"), "utf8")).toBe("[\n]\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
