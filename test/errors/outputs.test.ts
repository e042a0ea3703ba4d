// Outputs are all or nothing, checked before any input is read; usage errors are one line.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { writeRecords } from "../../src/io/write.js";
import { COLUMNS, cli, csvRows, folder, HEADER, put } from "./helpers.js";

// The report renderer fails on demand, as a crash in the middle of a run would.
const failReport = vi.hoisted(() => ({ on: false }));
vi.mock("../../src/report/html.js", async (load) => {
  const real = await load<typeof import("../../src/report/html.js")>();
  return {
    ...real,
    renderReport: (...args: Parameters<typeof real.renderReport>) => {
      if (failReport.on) throw new Error("renderer exploded");
      return real.renderReport(...args);
    },
  };
});

const dir = folder();
const input = put(dir, "in.csv", `${HEADER}\n${csvRows(30).join("\n")}\n`);

describe("a failed run leaves no output behind", () => {
  it("a crash while making the report: exit 1, one line, no --out, no --report, no temporary file", async () => {
    const out = join(dir, "crash", "scores.jsonl");
    const report = join(dir, "crash", "report.html");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "crash"));
    failReport.on = true;
    const r = await cli(["hunt", input, ...COLUMNS, "--out", out, "--report", report, "--quiet"]);
    failReport.on = false;
    expect(r.code).toBe(1);
    expect(r.err).toContain("internal error: renderer exploded");
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(dir, "crash"))).toEqual([]);
  });

  it("records that fail half-way leave the old file as it was and no temporary file", async () => {
    const sub = join(dir, "half");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(sub);
    const path = join(sub, "out.jsonl");
    writeFileSync(path, "old\n");
    const records = (function* () {
      for (let i = 0; i < 100_000; i++) {
        if (i === 90_000) throw new Error("ran out of sessions");
        yield { i, text: "x".repeat(50) };
      }
    })();
    await expect(writeRecords(path, records, ["i"])).rejects.toThrow(
      /out\.jsonl: cannot write: ran out of sessions/,
    );
    expect(readFileSync(path, "utf8")).toBe("old\n");
    expect(readdirSync(sub)).toEqual(["out.jsonl"]);
  });
});

describe("options and output paths are checked before any input is read", () => {
  const missing = join(dir, "not-read-yet.csv");
  it("an output folder that does not exist (exit 1, before the missing input is noticed)", async () => {
    const r = await cli(["hunt", missing, ...COLUMNS, "--out", join(dir, "nope", "x.jsonl")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`x.jsonl: cannot write: the folder ${join(dir, "nope")} does not exist`);
    expect(r.err).not.toContain("not-read-yet");
  });
  it.each([
    [["hunt", "--out", "x.txt"], "--out x.txt: the format comes from the extension: use .jsonl"],
    [["hunt", "--report", "r.pdf"], "--report r.pdf: the format comes from the extension: use .html"],
    [["sessionize", "--out", "s.parquet"], "--out s.parquet: the format comes from the extension"],
  ])("%j (exit 2)", async (args, message) => {
    const [command, ...rest] = args as [string, ...string[]];
    const r = await cli([command, missing, ...COLUMNS, ...rest]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain("not-read-yet");
  });
  it("an output that is a folder", async () => {
    const r = await cli(["train", input, ...COLUMNS, "--out", dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${dir}: cannot write: it is a folder`);
  });
});

describe("a usage error is one line and says where help is", () => {
  it.each([
    [["hunt", "x.csv", "--top", "0"], "--top must be a whole number >= 1", "seqhunt hunt --help"],
    // The pool is bounded: more threads are refused, with the limit.
    [["hunt", "x.csv", "--threads", "256"], "--threads must be at most 255, got 256", "seqhunt hunt --help"],
    [["score", "x.csv"], "score needs --model FILE", "seqhunt score --help"],
    [["frobnicate"], "unknown command 'frobnicate'", "seqhunt --help"],
  ])("%j", async (args, message, help) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain(message);
    expect(r.err).toContain(`(see: ${help})`);
    expect(r.err).not.toContain("Usage:");
    expect(existsSync("x.csv")).toBe(false);
  });
});
