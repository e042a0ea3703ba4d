import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { formatOf } from "../../src/io/formats.js";
import { csvRecordLine } from "../../src/io/locate.js";
import { tempDir } from "../helpers/cli.js";

describe("csvRecordLine", () => {
  const dir = tempDir();
  const text = ["h1,h2", 'a,"two', 'lines"', "", "b,c", "rejected,x,y", "d,e"].join("\n");
  const plain = join(dir, "x.csv");
  writeFileSync(plain, text);
  const gz = join(dir, "x.csv.gz");
  writeFileSync(gz, gzipSync(text));

  it("counts quoted newlines, skips blank lines and rejected records", async () => {
    expect(await csvRecordLine(plain, 1, new Set())).toBe(2);
    expect(await csvRecordLine(plain, 2, new Set())).toBe(5);
    expect(await csvRecordLine(plain, 3, new Set([6]))).toBe(7);
    expect(await csvRecordLine(gz, 3, new Set([6]))).toBe(7);
  });
});

describe("formatOf", () => {
  it.each([
    ["a.csv", "csv"],
    ["a.CSV.gz", "csv"],
    ["a.tsv", "tsv"],
    ["a.ndjson", "jsonl"],
    ["a.jsonl.gz", "jsonl"],
    ["a.json", "json"],
    ["a.parquet", "parquet"],
  ])("%s is %s", (name, format) => expect(formatOf(name)).toBe(format));
  it("refuses an unknown extension", () =>
    expect(() => formatOf("a.xlsx")).toThrow(/cannot tell the format/));
});
