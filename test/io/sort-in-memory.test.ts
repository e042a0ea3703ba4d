import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rng } from "../../src/demo/generate.js";
import { readEvents } from "../../src/io/read-events.js";
import { compareCodePoints } from "../../src/sessionize/order.js";
import type { Command } from "../../src/types.js";
import { tempDir } from "../helpers/cli.js";

// Identities that sort differently by UTF-16 unit and by code point, a prototype key, and missing ones.
const USERS = ["a", "B", "__proto__", "é", "\uE000x", "😀", "😀a", ""];
const TIMES = [
  "2026-01-01T00:00:00Z",
  "2026-01-01T00:01:00Z",
  "2026-01-01T00:01:00.5Z",
  "1767225700",
  "soon",
];
const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

function writeEvents(path: string, seed: number, rows: number): void {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  const lines = ["UserId,Host,TimeGenerated,Operation,Parameters"];
  for (let i = 0; i < rows; i++) {
    const params = JSON.stringify([{ Name: "Identity", Value: `v${Math.floor(random() * 3)}` }]);
    const op = random() < 0.05 ? "" : `Op${Math.floor(random() * 4)}`;
    lines.push([pick(USERS), pick(["h1", "h2", ""]), pick(TIMES), op, params].map(csvField).join(","));
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

async function read(
  files: string[],
  sortInMemory: boolean,
  onBadRow: "fail" | "skip",
  identity = ["UserId", "Host"],
) {
  const events: [readonly (string | null)[], number, Command][] = [];
  const stats = await readEvents(
    files,
    {
      identity,
      time: "TimeGenerated",
      event: "Operation",
      params: "Parameters",
      paramsFormat: "exchange",
      paramMode: "values",
      onBadRow,
      sortInMemory,
    },
    (identity, time, command) => events.push([[...identity], time, command]),
  );
  return { events, stats };
}

describe("sorting in memory", () => {
  const dir = tempDir();

  it.each([1, 2, 3, 4, 5])(
    "hands over the same events in the same order as DuckDB's sort (seed %i, two files, ties, bad rows)",
    async (seed) => {
      const files = [join(dir, `a${seed}.csv`), join(dir, `b${seed}.csv`)];
      writeEvents(files[0] as string, seed, 300);
      writeEvents(files[1] as string, seed + 100, 200);
      const engine = await read(files, false, "skip");
      const memory = await read(files, true, "skip");
      expect(memory.events.length).toBeGreaterThan(300);
      expect(memory.stats).toEqual(engine.stats);
      expect(memory.events).toEqual(engine.events);
      // One identity column is grouped another way.
      const oneEngine = await read(files, false, "skip", ["UserId"]);
      const oneMemory = await read(files, true, "skip", ["UserId"]);
      expect(oneMemory.events).toEqual(oneEngine.events);
    },
  );

  it("names the same file and line for a bad row", async () => {
    const file = join(dir, "bad.csv");
    writeEvents(file, 9, 50);
    const lines = ["UserId,Host,TimeGenerated,Operation,Parameters", "u,h,2026-01-01T00:00:00Z,Op,[]"];
    lines.push("u,h,not a time,Op,[]", "u,h,2026-01-01T00:00:00Z,Op,[]");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const failure = (sortInMemory: boolean) =>
      read([file], sortInMemory, "fail").then(
        () => "no error",
        (err: Error) => err.message,
      );
    const message = await failure(true);
    expect(message).toMatch(/bad\.csv:3: column "TimeGenerated": unparseable time/);
    expect(message).toBe(await failure(false));
  });
});

describe("compareCodePoints", () => {
  it("orders strings as their UTF-8 bytes do", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(Math.sign(compareCodePoints(a, b))).toBe(bytes);
      }),
    );
  });
});
