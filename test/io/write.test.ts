import { describe, expect, it } from "vitest";
import { csvCell, jsonLine, outputFormatOf } from "../../src/io/write.js";

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
