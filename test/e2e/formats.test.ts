// The same events as CSV, TSV, JSONL, a JSON array, Parquet and gzipped CSV give the same sessions and scores;
// times may be ISO 8601 (with or without zone), epoch seconds or epoch milliseconds.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { csvCell } from "../../src/io/write.js";
import { runCli, tempDir } from "../helpers/cli.js";

const dir = tempDir();
const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const events = Array.from({ length: 60 }, (_, i) => ({
  user: `u${i % 3}`,
  ms: t0 + Math.floor(i / 3) * 45_000 + Math.floor(i / 12) * 300_000 + (i % 2) * 1000,
  op: ["Get-Mailbox", "Set-Mailbox", "New-InboxRule", "Get-User"][(i * 7) % 4] as string,
  params: JSON.stringify([{ Name: "Identity", Value: `box${i % 5}` }]),
}));
const header = ["user", "time", "op", "params"];
const iso = (ms: number) => new Date(ms).toISOString();

function csv(sep: string, time: (ms: number) => string | number) {
  const cell = (v: unknown) => (sep === "," ? csvCell(v) : String(v));
  return [
    header.join(sep),
    ...events.map((e) => [e.user, time(e.ms), e.op, e.params].map(cell).join(sep)),
  ].join("\n");
}

beforeAll(async () => {
  writeFileSync(join(dir, "events.csv"), csv(",", iso));
  writeFileSync(join(dir, "events.tsv"), csv("\t", iso));
  writeFileSync(join(dir, "events.csv.gz"), gzipSync(csv(",", iso)));
  writeFileSync(
    join(dir, "no-zone.csv"),
    csv(",", (ms) => iso(ms).replace("Z", "").replace("T", " ")),
  );
  writeFileSync(
    join(dir, "offset.csv"),
    csv(",", (ms) => new Date(ms + 2 * 3600_000).toISOString().replace("Z", "+02:00")),
  );
  writeFileSync(
    join(dir, "epoch-s.csv"),
    csv(",", (ms) => ms / 1000),
  );
  writeFileSync(
    join(dir, "epoch-ms.csv"),
    csv(",", (ms) => ms),
  );
  const records = events.map((e) => ({ user: e.user, time: iso(e.ms), op: e.op, params: e.params }));
  writeFileSync(join(dir, "events.jsonl"), `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  writeFileSync(join(dir, "events.json"), JSON.stringify(records));
  // Parameters embedded as JSON values (not text), and times as numbers.
  const embedded = events.map((e) => ({
    user: e.user,
    time: e.ms / 1000,
    op: e.op,
    params: JSON.parse(e.params),
  }));
  writeFileSync(join(dir, "embedded.jsonl"), embedded.map((r) => JSON.stringify(r)).join("\n"));
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  await con.run(
    `COPY (SELECT "user", CAST("time" AS TIMESTAMPTZ) AS "time", op, params FROM read_csv('${join(dir, "events.csv")}', all_varchar = true)) TO '${join(dir, "events.parquet")}' (FORMAT parquet)`,
  );
  con.closeSync();
  instance.closeSync();
});

async function hunt(file: string, mode = "batches"): Promise<unknown[]> {
  const out = join(dir, `${file}.${mode}.out.jsonl`);
  const args = [
    "hunt",
    join(dir, file),
    "--user",
    "user",
    "--time",
    "time",
    "--event",
    "op",
    "--params",
    "params",
    "--param-mode",
    "values",
  ];
  const r = await runCli([...args, "--quiet", "--out", out], { env: { SEQHUNT_READ_MODE: mode } });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("input formats", () => {
  it.each([
    "events.tsv",
    "events.csv.gz",
    "events.jsonl",
    "events.json",
    "events.parquet",
    "embedded.jsonl",
    "no-zone.csv",
    "offset.csv",
    "epoch-s.csv",
    "epoch-ms.csv",
  ])("%s gives the same sessions and scores as CSV", async (file) => {
    const reference = await hunt("events.csv");
    expect(reference.length).toBeGreaterThan(3);
    expect(await hunt(file)).toEqual(reference);
  });

  it.each(["events.csv", "events.jsonl", "events.parquet"])(
    "%s reads the same one row per string (large inputs) as in batches",
    async (file) => {
      expect(await hunt(file, "rows")).toEqual(await hunt(file, "batches"));
    },
  );

  it("reads several files as one input", async () => {
    const both = join(dir, "both.jsonl");
    const r = await runCli([
      "sessionize",
      join(dir, "events.csv"),
      join(dir, "events.jsonl"),
      ...["--user", "user", "--time", "time", "--event", "op", "--quiet", "--out", both],
    ]);
    expect(r.code).toBe(0);
    const sessions = readFileSync(both, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { length: number });
    expect(sessions.reduce((n, s) => n + s.length, 0)).toBe(2 * events.length);
  });
});
