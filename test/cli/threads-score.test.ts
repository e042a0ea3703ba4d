// score --model with --threads: workers load the model file's detector and score (and explain) runs of the
// sessions while this thread scores runs too; every output is --threads 1's, byte for byte.
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ThreadPool } from "../../src/cli/threads.js";
import { readModelFile } from "../../src/detect/model-file.js";
import { SeqhuntError } from "../../src/errors.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { mailboxEvents } from "../helpers/mailbox-events.js";

const dir = tempDir();
/**
 * Events of `users` users with parameter values, some named `__proto__` and `constructor` (they must cross
 * to a worker as ordinary keys).
 */
const events = (users: number, seed: number) =>
  mailboxEvents({ users, seed, paramNames: ["Identity", "__proto__", "constructor"] });

// 1,600 sessions: several runs, two at a time in flight to the worker.
const csv = join(dir, "events.csv");
writeFileSync(csv, events(400, 7));
const other = join(dir, "other.csv");
writeFileSync(other, events(300, 11));
const cols = ["--user", "UserId", "--params", "Parameters", "--param-mode", "values"];

/** Runs `args` with `--threads N`, writing --out when named; the sessions each score request sent a worker. */
async function runIn(threads: number, args: string[], out?: string) {
  const score = vi.spyOn(ThreadPool.prototype, "score");
  try {
    const r = await runCli([...args, "--threads", String(threads), ...(out ? ["--out", out] : [])]);
    expect(r.stderr).not.toContain("    at ");
    const sent = score.mock.calls.map(([request]) => request.sessions.length);
    return { ...r, file: out ? readFileSync(out, "utf8") : "", sent };
  } finally {
    score.mockRestore();
  }
}

async function trained(name: string, extra: string[] = []): Promise<string> {
  const model = join(dir, name);
  expect((await runIn(1, ["train", csv, ...cols, "--quiet", ...extra], model)).code).toBe(0);
  return model;
}

/** The default detector's model of `csv`, trained once. */
let defaultModel: Promise<string> | undefined;
const modelOfCsv = () => {
  defaultModel ??= trained("model.json");
  return defaultModel;
};

describe("score --model --threads 2 gives --threads 1's output, byte for byte", () => {
  for (const [what, input] of [
    ["its own training sessions (held out)", csv],
    ["new sessions", other],
  ] as const) {
    for (const ext of ["jsonl", "csv"]) {
      it(`${what}, --out .${ext} and the top table`, async () => {
        const model = await modelOfCsv();
        const args = ["score", input, ...cols, "--model", model, "--top", "40"];
        const one = await runIn(1, args, join(dir, `score-1.${ext}`));
        const two = await runIn(2, args, join(dir, `score-2.${ext}`));
        expect(one.code).toBe(0);
        expect(one.sent).toEqual([]);
        // The worker loaded the detector (a request of no sessions), then scored every session in runs.
        expect(two.sent[0]).toBe(0);
        expect(Math.max(...two.sent)).toBeLessThan(1600);
        const lines = one.file.trim().split("\n").length;
        expect(two.sent.reduce((a, b) => a + b, 0)).toBe(ext === "csv" ? lines - 1 : lines);
        expect(two.file).toBe(one.file);
        expect(two.stdout).toBe(one.stdout);
      });
    }
  }

  it("without --out: the top table and the report", async () => {
    const model = await modelOfCsv();
    const report = (t: number) => join(dir, `report-${t}.html`);
    const args = ["score", other, ...cols, "--model", model];
    const one = await runIn(1, [...args, "--report", report(1)]);
    const two = await runIn(2, [...args, "--report", report(2)]);
    expect(two.sent.length).toBeGreaterThan(1);
    expect(two.stdout).toBe(one.stdout);
    // The report says when it was made: the one difference allowed.
    const read = (t: number) => readFileSync(report(t), "utf8").replace(/"generated":"[^"]*"/, "");
    expect(read(2)).toBe(read(1));
  });

  it("a reference model is scored in this thread (its workers stop)", async () => {
    const model = await trained("model-reference.json", ["--method", "reference"]);
    const args = ["score", other, ...cols, "--model", model];
    const one = await runIn(1, args, join(dir, "reference-1.jsonl"));
    const two = await runIn(2, args, join(dir, "reference-2.jsonl"));
    expect(two.sent.every((n) => n === 0)).toBe(true);
    expect(two.file).toBe(one.file);
  });

  it("a model file that is not one says so as with one thread", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{not json");
    const args = ["score", other, ...cols, "--model", bad];
    const one = await runIn(1, args);
    const two = await runIn(2, args);
    expect(one.code).not.toBe(0);
    expect(two.code).toBe(one.code);
    expect(two.stderr).toBe(one.stderr);
  });

  it("a damaged detector says so in the file's words, as with one thread", async () => {
    const saved = JSON.parse(readFileSync(await modelOfCsv(), "utf8"));
    const damaged = join(dir, "damaged.json");
    writeFileSync(damaged, JSON.stringify({ ...saved, detector: { ...saved.detector, state: {} } }));
    const args = ["score", other, ...cols, "--model", damaged];
    const one = await runIn(1, args);
    const two = await runIn(2, args);
    expect(one.stderr).toContain(`${damaged}: not a valid saved markov-novelty detector`);
    expect(two.code).toBe(one.code);
    expect(two.stderr).toBe(one.stderr);
  });
});

describe("score --model without --threads: workers only for an input large enough to use them", () => {
  it("starts none for a small input (no worker parses the model file for nothing)", async () => {
    const model = await modelOfCsv();
    const args = ["score", other, ...cols, "--model", model];
    const score = vi.spyOn(ThreadPool.prototype, "score");
    try {
      const r = await runCli([...args, "--out", join(dir, "small-default.jsonl")]);
      expect(r.code).toBe(0);
      // Not even the request that has a worker load the detector before reading.
      expect(score).not.toHaveBeenCalled();
    } finally {
      score.mockRestore();
    }
    const one = await runIn(1, args, join(dir, "small-1.jsonl"));
    expect(readFileSync(join(dir, "small-default.jsonl"), "utf8")).toBe(one.file);
  });

  it("starts them after reading for a small file of many commands, with the same output", async () => {
    // 60,000 commands in under 1 MB: few bytes, enough commands (from DEFAULT_THREADS_FROM on).
    const line = (i: number) =>
      Array.from({ length: 20 }, (_, k) => `c${(i * 7 + k * (i % 5)) % 37}`).join(" ");
    const sessions = join(dir, "many.txt");
    writeFileSync(sessions, `${Array.from({ length: 3_000 }, (_, i) => line(i)).join("\n")}\n`);
    const model = join(dir, "many-model.json");
    expect((await runIn(1, ["train", sessions, "--sessions", "--quiet"], model)).code).toBe(0);
    const args = ["score", sessions, "--sessions", "--model", model];
    const score = vi.spyOn(ThreadPool.prototype, "score");
    const out = join(dir, "many-default.jsonl");
    try {
      expect((await runCli([...args, "--quiet", "--out", out])).code).toBe(0);
      const sent = score.mock.calls.map(([request]) => request.sessions.length);
      if (availableParallelism() > 1) {
        // No warm-up request of no sessions: the workers start after reading, with the first run.
        expect(sent[0]).toBeGreaterThan(0);
        expect(sent.reduce((a, b) => a + b, 0)).toBe(3_000);
      } else expect(sent).toEqual([]);
    } finally {
      score.mockRestore();
    }
    const one = await runIn(1, [...args, "--quiet"], join(dir, "many-1.jsonl"));
    expect(readFileSync(out, "utf8")).toBe(one.file);
  });
});

describe("a model file read with its detector loaded on first use", () => {
  it("knows the method now and loads (or fails) only when the detector is used", async () => {
    const saved = JSON.parse(readFileSync(await modelOfCsv(), "utf8"));
    const damaged = { ...saved, detector: { ...saved.detector, state: {} } };
    const lazy = readModelFile(damaged, { lazyDetector: true });
    expect(lazy.method).toBe("markov-novelty");
    expect(() => lazy.detector).toThrow(SeqhuntError);
    expect(() => readModelFile(damaged)).toThrow(/not a valid saved markov-novelty detector/);
    const file = readModelFile(saved, { lazyDetector: true });
    expect(JSON.stringify(file.detector.toJSON())).toBe(JSON.stringify(saved.detector));
    expect(file.detector).toBe(file.detector);
  });
});
