// Malformed CSV and JSON Lines files: seqhunt either stops with a message naming the file (and the line,
// for a bad row) in its own words, or goes on with every row used or counted as skipped. Fixed seed and few
// cases here; FUZZ_RUNS=2000 (and FUZZ_SEED=n) for a longer run, see the README.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COLUMNS, cli, folder, put } from "./helpers.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? 15);
/** Each case reads a file through DuckDB (under a second); long runs get time to match. */
const TIMEOUT = Math.max(60_000, RUNS * 3_000);
const dir = folder();
let fileNumber = 0;

const nasty = fc.constantFrom(
  '"',
  ",",
  "\n",
  "\r\n",
  "\r",
  "\t",
  "\u0000",
  "\u001f",
  "\uFEFF",
  "é",
  "\u2028",
  " ",
  "{",
  "}",
  "\\",
);
const text = fc
  .array(fc.oneof(fc.string({ maxLength: 6 }), nasty), { maxLength: 5 })
  .map((parts) => parts.join(""));
const user = fc.oneof(fc.constantFrom("alice", "bob", "carol"), text);
const time = fc.oneof(
  fc.integer({ min: 0, max: 3600 }).map((s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString()),
  fc.constantFrom("", "never", "2026-13-45T99:99:99Z", "1700000000", "1.7e12", "-5", "NaN"),
  text,
);
const event = fc.oneof(fc.constantFrom("Get-Mailbox", "Set-Mailbox", "New-InboxRule"), fc.constant(""), text);
const row = fc.record({ user, time, event });
/** At most one row of a file gets a huge cell (past DuckDB's default 2 MB line limit), one file in five. */
const hugeAt = fc.option(fc.nat(24), { freq: 4 });
const HUGE = "H".repeat(2_500_000);

const csvQuote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A CSV file with some rows broken: wrong field counts, stray quotes, huge cells, mixed line endings, a BOM. */
const csvFile = fc
  .record({
    bom: fc.boolean(),
    endings: fc.constantFrom(["\n"], ["\r\n"], ["\n", "\r\n"]),
    rows: fc.array(
      fc.record({
        row,
        damage: fc.constantFrom("none", "none", "none", "extra", "short", "quote", "raw"),
        ending: fc.nat(1),
      }),
      { maxLength: 25 },
    ),
    empty: fc.integer({ min: 0, max: 9 }),
    hugeAt,
  })
  .map(({ bom, endings, rows, empty, hugeAt }) => {
    if (empty === 0) return "";
    let out = `${bom ? "\uFEFF" : ""}UserId,TimeGenerated,Operation`;
    for (const [i, { row: r, damage, ending }] of rows.entries()) {
      const fields = [r.user, r.time, r.event].map(csvQuote);
      if (damage === "extra") fields.push("surplus");
      if (damage === "short") fields.pop();
      if (i === hugeAt) fields[2] = HUGE;
      const line =
        damage === "quote"
          ? `${fields[0]},"${r.time},${fields[2]}`
          : damage === "raw"
            ? [r.user, r.time, r.event].join(",")
            : fields.join(",");
      out += (endings[ending % endings.length] as string) + line;
    }
    return `${out}\n`;
  });

/** A JSON Lines file with some lines broken: bad JSON, not objects, cut short, control characters, blank lines. */
const jsonlFile = fc
  .record({
    bom: fc.boolean(),
    lines: fc.array(
      fc.record({
        row,
        damage: fc.constantFrom("none", "none", "none", "cut", "garbage", "array", "blank", "number"),
        garbage: text,
      }),
      { maxLength: 25 },
    ),
    crlf: fc.boolean(),
    hugeAt,
  })
  .map(({ bom, lines, crlf, hugeAt }) => {
    const out = lines.map(({ row: r, damage, garbage }, i) => {
      const json = JSON.stringify({
        UserId: r.user,
        TimeGenerated: r.time,
        Operation: r.event,
        ...(i === hugeAt ? { Big: HUGE } : {}),
      });
      if (damage === "cut") return json.slice(0, Math.max(1, json.length - 3));
      if (damage === "garbage") return garbage.replace(/[\r\n]/g, " ");
      if (damage === "array") return "[1, 2]";
      if (damage === "blank") return "   ";
      if (damage === "number") return JSON.stringify({ UserId: 7, TimeGenerated: 1.5e9, Operation: null });
      return json;
    });
    return (bom ? "\uFEFF" : "") + out.map((l, i) => l + (crlf && i % 2 ? "\r\n" : "\n")).join("");
  });

/** Messages about the whole file rather than one row: they name the file but no line. */
const FILE_LEVEL =
  /cannot read it as|the file is empty|no line is a JSON object|cannot be read as|no (identity|time|event) column|no sessions/;
const ENGINE =
  /Invalid Input Error|Binder Error|Conversion Error|Parser Error|Catalog Error|Not implemented Error|INTERNAL Error|duckdb/i;

async function check(name: string, content: string, skip: boolean, jsonl: boolean): Promise<void> {
  const path = put(dir, `${fileNumber++}-${name}`, content);
  const r = await cli(["sessionize", path, ...COLUMNS, ...(skip ? ["--on-bad-row", "skip"] : [])]);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toContain("internal error");
  expect(r.err).not.toMatch(ENGINE);
  expect([0, 1]).toContain(r.code);
  if (r.code !== 0) {
    expect(r.err).toContain(path);
    if (!FILE_LEVEL.test(r.err))
      expect(r.err).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: `));
    return;
  }
  const [read, used, skipped] = (/read (\d+) rows: used (\d+), skipped (\d+)/.exec(r.err) ?? [])
    .slice(1)
    .map(Number) as [number, number, number];
  expect(used + skipped).toBe(read);
  if (!skip) expect(skipped).toBe(0);
  const sessions = r.out === "" ? [] : r.out.split("\n").map((l) => JSON.parse(l) as { length: number });
  expect(sessions.reduce((n, s) => n + s.length, 0)).toBe(used);
  if (jsonl) {
    const lines = readFileSync(path, "utf8")
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "");
    expect(read).toBe(lines.length);
  }
}

describe("fuzz: malformed input files", () => {
  it(
    "CSV",
    async () => {
      await fc.assert(
        fc.asyncProperty(csvFile, fc.boolean(), (content, skip) => check("fuzz.csv", content, skip, false)),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    TIMEOUT,
  );
  it(
    "JSON Lines",
    async () => {
      await fc.assert(
        fc.asyncProperty(jsonlFile, fc.boolean(), (content, skip) =>
          check("fuzz.jsonl", content, skip, true),
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    TIMEOUT,
  );
});
