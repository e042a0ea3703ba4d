// Inputs DuckDB alone cannot read or reports in its own words: each is read, or named in seqhunt's words.
import { describe, expect, it } from "vitest";
import { COLUMNS, cli, csvRows, folder, HEADER, jsonlRows, put } from "./helpers.js";

const dir = folder();
const summary = (err: string) => /read (\d+) rows: used (\d+), skipped (\d+)/.exec(err)?.slice(1).map(Number);

describe("files DuckDB's reader stops at are read", () => {
  it("a CSV mixing \\r\\n and \\n line endings (a quoted value keeps its \\r\\n)", async () => {
    const rows = csvRows(20).map((r, i) => (i === 4 ? 'u1,2026-01-01T00:00:40Z,"Op\r\nX"' : r));
    const text = `${HEADER}\r\n${rows.map((r, i) => r + (i % 2 ? "\r\n" : "\n")).join("")}`;
    const r = await cli(["sessionize", put(dir, "mixed.csv", text), ...COLUMNS]);
    expect(r.err).not.toMatch(/sniff|Invalid Input/);
    expect(summary(r.err)).toEqual([20, 20, 0]);
    expect(r.out).toContain('"Op\\r\\nX"');
    expect(r.code).toBe(0);
  });

  it("JSON Lines mixing \\r\\n and \\n", async () => {
    const text = jsonlRows(10)
      .map((r, i) => r + (i % 3 ? "\n" : "\r\n"))
      .join("");
    const r = await cli(["sessionize", put(dir, "mixed.jsonl", text), ...COLUMNS]);
    expect(summary(r.err)).toEqual([10, 10, 0]);
    expect(r.code).toBe(0);
  });

  it("a CSV cell of 3 MB on line 52", async () => {
    const rows = csvRows(60);
    rows[50] = `u1,2026-01-01T00:08:20Z,"${"A".repeat(3_000_000)}"`;
    const r = await cli(["hunt", put(dir, "cell.csv", `${HEADER}\n${rows.join("\n")}\n`), ...COLUMNS]);
    expect(r.err).toContain("read 60 rows: used 60, skipped 0");
    expect(r.code).toBe(0);
  });

  it("a JSON Lines line of 3 MB", async () => {
    const rows = jsonlRows(40);
    rows[30] = JSON.stringify({
      UserId: "u1",
      TimeGenerated: "2026-01-01T00:05:00Z",
      Operation: "x",
      Big: "B".repeat(3e6),
    });
    const r = await cli(["hunt", put(dir, "line.jsonl", `${rows.join("\n")}\n`), ...COLUMNS]);
    expect(r.err).toContain("read 40 rows: used 40, skipped 0");
    expect(r.code).toBe(0);
  });
});

describe("past the longest line seqhunt reads (16 MiB)", () => {
  const rows = csvRows(60);
  rows[50] = `u1,2026-01-01T00:08:20Z,"${"A".repeat(17 * 1024 * 1024)}"`;
  const path = put(dir, "over.csv", `${HEADER}\n${rows.join("\n")}\n`);
  it("stops, naming the line", async () => {
    const r = await cli(["hunt", path, ...COLUMNS]);
    expect(r.err).toContain(`${path}:52: line too long`);
    expect(r.code).toBe(1);
  });
  it("skips only that row with --on-bad-row skip", async () => {
    const r = await cli(["hunt", path, ...COLUMNS, "--on-bad-row", "skip"]);
    expect(r.err).toContain("read 60 rows: used 59, skipped 1 (line too long: 1)");
    expect(r.code).toBe(0);
  });
});

describe("empty and broken files say so", () => {
  it.each([["empty.csv"], ["empty.jsonl"], ["blank.csv"]])("%s", async (name) => {
    const path = put(dir, name, name.startsWith("blank") ? "\uFEFF\n\n  \r\n" : "");
    const r = await cli(["hunt", path, ...COLUMNS]);
    expect(r.err).toContain(
      `${path}: the file is empty; check that the export finished and the right file is given`,
    );
    expect(r.err).not.toContain("column0");
    expect(r.code).toBe(1);
  });

  it("a bad JSON line shows its start and the parse problem", async () => {
    const rows = jsonlRows(5);
    rows[2] = '{"UserId":"u1","TimeGenerated": 2026-01-01, "Operation":"x"}';
    const path = put(dir, "bad.jsonl", `${rows.join("\n")}\n`);
    const r = await cli(["hunt", path, ...COLUMNS]);
    expect(r.err).toContain(`${path}:3: bad JSON (`);
    expect(r.err).toContain("position 36");
    expect(r.err).toContain('the line starts "{\\"UserId\\":\\"u1\\",\\"TimeGenerated\\": 2026-01-01');
    expect(r.err).not.toContain("(empty)");
    expect(r.code).toBe(1);
  });

  it("a JSON Lines file with no JSON object names its first line", async () => {
    const path = put(dir, "text.jsonl", "\nhello world\nsecond\n");
    const r = await cli(["hunt", path, ...COLUMNS]);
    expect(r.err).toContain(`${path}:2: not JSON Lines: bad JSON (`);
    expect(r.code).toBe(1);
  });

  it("a .json file of values that are not records says what a .json file holds", async () => {
    for (const [name, text] of [
      ["string.json", '"hello"\n'],
      ["numbers.json", "[1, 2, 3]\n"],
    ]) {
      const path = put(dir, name as string, text as string);
      const r = await cli(["hunt", path, ...COLUMNS]);
      expect(r.err).toContain(`${path}: no record: a .json file holds a JSON array of objects`);
      expect(r.err).not.toContain("JSON Lines");
      expect(r.code).toBe(1);
    }
  });

  it("a header naming a column twice", async () => {
    const path = put(dir, "twice.csv", "UserId,TimeGenerated,Operation,UserId\nu,2026-01-01T00:00:00Z,x,u\n");
    const r = await cli(["hunt", path, ...COLUMNS]);
    expect(r.err).toContain(`${path}:1: the header names the column "UserId" twice`);
    expect(r.code).toBe(1);
  });
});

describe("skip counts count rows", () => {
  it("one short row of a 17-column CSV is one skipped row, at the line a person counts", async () => {
    const header = [HEADER, ...Array.from({ length: 14 }, (_, i) => `c${i}`)].join(",");
    const rows = csvRows(5).map((r) => `${r}${",x".repeat(14)}`);
    rows.splice(1, 0, `u9,2026-01-01T00:00:09Z,"two\nlines"${",x".repeat(14)}`);
    rows.push("u9,2026-01-01T00:00:09Z,Op,x,x");
    const path = put(dir, "short.csv", `${header}\n${rows.join("\n")}\n`);
    const skip = await cli(["hunt", path, ...COLUMNS, "--on-bad-row", "skip"]);
    expect(skip.err).toContain("read 7 rows: used 6, skipped 1 (missing columns: 1)");
    const fail = await cli(["hunt", path, ...COLUMNS]);
    expect(fail.err).toContain(`${path}:9: missing columns: the header has 17 fields, this row 5`);
    expect(fail.code).toBe(1);
  });
});

describe("a row DuckDB rejects and a bad time in one file", () => {
  const text = (rows: string[]) => `${HEADER}\n${rows.join("\n")}\n`;
  it("stops at the earlier, at the line a person counts", async () => {
    const stray = put(
      dir,
      "stray-first.csv",
      text(['u1,"2026-01-01T00:00:01Z,x"y"z', "u1,2026-01-01T00:00:02Z,Op", "u2,never,Op"]),
    );
    const first = await cli(["hunt", stray, ...COLUMNS]);
    expect(first.err).toContain(`${stray}:2: bad quotes`);
    const late = put(
      dir,
      "stray-late.csv",
      text(["u1,never,Op", "u1,2026-01-01T00:00:02Z,Op", 'u2,"2026-01-01T00:00:03Z,x"y"z']),
    );
    const second = await cli(["hunt", late, ...COLUMNS]);
    expect(second.err).toContain(`${late}:2: column "TimeGenerated": unparseable time: "never"`);
  });
  it("a bad time past a rejected row with an open quote is at its own line", async () => {
    const path = put(
      dir,
      "open-quote.csv",
      text(['u1,"x,"a""b",Op', "u1,2026-01-01T00:00:02Z,Op", "u2,never,Op"]),
    );
    const skip = await cli(["hunt", path, ...COLUMNS, "--on-bad-row", "skip"]);
    expect(skip.err).toMatch(/read 3 rows: used 1, skipped 2/);
  });
});
