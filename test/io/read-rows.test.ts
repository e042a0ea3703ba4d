// How rows cross from DuckDB: several per string (every row kept, in order) and parameters text parsed in
// JavaScript with DuckDB's verdict where JSON.parse and DuckDB's JSON reader differ.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEvents } from "../../src/io/read-events.js";
import type { Cmd } from "../../src/model/cmd.js";
import type { Command } from "../../src/types.js";
import { tempDir } from "../helpers/cli.js";

const dir = tempDir();
const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** Reads a CSV of (user, time, operation, parameters) rows in memory, skipping bad rows. */
async function read(name: string, rows: readonly [string, string, string, string][]) {
  const file = join(dir, name);
  const lines = ["UserId,TimeGenerated,Operation,Parameters", ...rows.map((r) => r.map(csvField).join(","))];
  writeFileSync(file, `${lines.join("\n")}\n`);
  const commands: Command[] = [];
  const stats = await readEvents(
    [file],
    {
      identity: ["UserId"],
      time: "TimeGenerated",
      event: "Operation",
      params: "Parameters",
      paramsFormat: "exchange",
      paramMode: "values",
      onBadRow: "skip",
      sortInMemory: true,
    },
    (_identity, _time, command) => commands.push(command),
  );
  return { commands, stats };
}

const T = "2026-01-01T00:00:00Z";
const param = (value: string) => `[{"Name":"p","Value":"${value}"}]`;

describe("rows read in memory", () => {
  it("keeps every row in input order whatever the count (full and partial batches)", async () => {
    for (const n of [1, 2, 7, 8, 9, 16, 17, 23]) {
      // One identity, one time: the order handed over is the input order.
      const rows = Array.from({ length: n }, (_, i) => ["u", T, `Op${i}`, param(`v${i}`)] as const);
      const { commands, stats } = await read(
        `n${n}.csv`,
        rows as unknown as [string, string, string, string][],
      );
      expect(stats.used).toBe(n);
      expect(commands.map((c) => (c as Cmd).name)).toEqual(rows.map((r) => r[2]));
      expect(commands.map((c) => (c as Cmd).params)).toEqual(rows.map((_, i) => ({ p: `v${i}` })));
    }
  });

  it("reads parameters as DuckDB's JSON reader does", async () => {
    const { commands, stats } = await read("params.csv", [
      ["u", T, "Trailing", '[{"Name":"a","Value":"1"},]'],
      ["u", T, "Paired", '[{"Name":"a","Value":"\\ud83d\\ude00"}]'],
      ["u", T, "Lone", '[{"Name":"a","Value":"\\ud800"}]'],
      ["u", T, "NotANumber", '[{"Name":"a","Value":NaN}]'],
      ["u", T, "Broken", '[{"Name":"a"'],
      ["u", T, "Empty", ""],
      ["u", T, "Number", '[{"Name":"a","Value":1.50}]'],
      // Read the slower way (DuckDB's leniencies look alike), to the same value.
      ["u", T, "LookAlike", '[{"Name":"a","Value":"x,inf, ]"}]'],
      ["u", T, "Text", '"abc"'],
    ]);
    expect(commands.map((c) => [(c as Cmd).name, (c as Cmd).params])).toEqual([
      ["Trailing", { a: "1" }],
      ["Paired", { a: "😀" }],
      ["Empty", {}],
      ["Number", { a: "1.5" }],
      ["LookAlike", { a: "x,inf, ]" }],
    ]);
    expect(stats.skipped).toEqual(
      new Map([
        ["bad params JSON", 3],
        ["params should be a JSON list (exchange)", 1],
      ]),
    );
  });
});
