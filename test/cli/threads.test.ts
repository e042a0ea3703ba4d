// --threads: a worker thread trains part of the default detector; every output is the one thread's, byte for byte.
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { huntScoresInThreads } from "../../src/cli/detect-glue.js";
import type { CliSession } from "../../src/cli/sessions.js";
import { DEFAULT_THREADS_FROM } from "../../src/cli/thread-messages.js";
import { ThreadPool, threadCount } from "../../src/cli/threads.js";
import { Chain } from "../../src/detect/chain.js";
import { ContextChain } from "../../src/detect/context-chain.js";
import { contextSessionsOf } from "../../src/detect/markov-novelty.js";
import { detectorEntry } from "../../src/detect/registry.js";
import { SeqhuntError } from "../../src/errors.js";
import type { ReadStats } from "../../src/io/read-events.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { mailboxEvents } from "../helpers/mailbox-events.js";

const dir = tempDir();
/** Events of 40 users, with parameter values; many sessions repeat exactly (ties), a few are rare. */
const events = () => mailboxEvents({ users: 40, seed: 7 });

const csv = join(dir, "events.csv");
writeFileSync(csv, events());
const cols = ["--user", "UserId", "--params", "Parameters", "--param-mode", "values"];
async function runIn(threads: number, args: string[], out?: string) {
  const r = await runCli([...args, "--threads", String(threads), ...(out ? ["--out", out] : [])]);
  expect(r.stderr).not.toContain("    at ");
  return { ...r, file: out ? readFileSync(out, "utf8") : "" };
}

/** Runs `args` with one thread and with two, each writing `--out` to `name`-N.jsonl; checks the files agree. */
async function sameInOneAndTwo(args: string[], name: string) {
  const one = await runIn(1, args, join(dir, `${name}-1.jsonl`));
  const two = await runIn(2, args, join(dir, `${name}-2.jsonl`));
  expect(one.code).toBe(0);
  expect(two.file).toBe(one.file);
  return { one, two };
}

/** The events as JSONL with a second identity column, `Host`, named by each event's index. */
function withHosts(name: string, host: (index: number) => string): string {
  const path = join(dir, name);
  const [, ...rows] = events().trimEnd().split("\n");
  const records = rows.map((line, i) => {
    const [time, user, op] = line.split(",");
    return JSON.stringify({ TimeGenerated: time, UserId: user, Host: host(i), Operation: op });
  });
  writeFileSync(path, `${records.join("\n")}\n`);
  return path;
}

describe("--threads 2 gives --threads 1's output, byte for byte", () => {
  it("runs a detector's offloaded work in a worker thread, started when the work comes", async () => {
    const pool = ThreadPool.of(1);
    try {
      expect(pool.started).toBe(0);
      const threaded = detectorEntry("markov-novelty").factory().threaded;
      const sessions = [{ session: ["a", "b"] }, { session: ["a", "c", "b"] }, { session: ["a", "b"] }];
      const request = { view: "context", options: {}, sessions: contextSessionsOf(sessions) };
      const there = (await pool.offload("markov-novelty", request)) as { gain: number };
      expect(pool.started).toBe(1);
      expect(there).toEqual(threaded?.work(request));
      // The novelty view, in the same worker (one is idle again).
      const novelty = { ...request, view: "novelty" };
      const expected = (await pool.offload("markov-novelty", novelty)) as { expectedNovel: Float64Array };
      expect(pool.started).toBe(1);
      expect(expected).toEqual(threaded?.work(novelty));
    } finally {
      await pool.close();
    }
  });

  it("runs a request on the worker that took the one it follows, which left what it reads there", async () => {
    const pool = ThreadPool.of(2);
    try {
      const threaded = detectorEntry("markov-novelty").factory().threaded;
      const sessions = Array.from({ length: 30 }, (_, i) => ({
        session: Array.from({ length: 3 + (i % 7) }, (_, k) => `c${(i * k) % 5}`),
      }));
      const request = { view: "context", options: {}, sessions: contextSessionsOf(sessions), excess: true };
      // The chain's thread is busy when the novelty view goes out: that one goes to the other worker.
      const context = pool.offload("markov-novelty", request);
      const novelty = pool.offload("markov-novelty", { ...request, view: "novelty" });
      const means = pool.offload("markov-novelty", { view: "chain means" }, context);
      await Promise.all([context, novelty]);
      expect(pool.started).toBe(2);
      // The same here: the chain trained in this thread, then its means.
      threaded?.work(request);
      expect(await means).toEqual(threaded?.work({ view: "chain means" }));
      // Asked of a thread that trained no chain, in words.
      expect(() => threaded?.work({ view: "chain means" })).toThrow(/trained no chain/);
    } finally {
      await pool.close();
    }
  });

  it("starts every worker on request, before any work comes", async () => {
    const pool = ThreadPool.of(2);
    try {
      pool.start();
      expect(pool.started).toBe(2);
      pool.start();
      expect(pool.started).toBe(2);
    } finally {
      await pool.close();
    }
  });

  for (const [ext, threads] of [
    ["jsonl", 2],
    ["csv", 2],
    ["jsonl", 3],
  ] as const) {
    it(`hunt --out .${ext} and the top table (ties included), ${threads} threads`, async () => {
      const args = ["hunt", csv, ...cols, "--top", "30"];
      const one = await runIn(1, args, join(dir, `hunt-1.${ext}`));
      // The default detector trains with the workers' help: its context chain and novelty view there (both
      // in one worker, or one each), markov-set here (this fails if the main thread trains either view).
      const offload = ThreadPool.prototype.offload;
      // Workers started while this thread read (--threads asks for them): every one by the first work.
      let startedBefore = -1;
      const counting = vi.spyOn(ThreadPool.prototype, "offload").mockImplementation(function (
        this: ThreadPool,
        method,
        request,
        follows,
      ) {
        if (startedBefore < 0) startedBefore = this.started;
        return offload.call(this, method, request, follows);
      });
      let views: unknown[] = [];
      const two = await runIn(threads, args, join(dir, `hunt-${threads}.${ext}`)).finally(() => {
        views = counting.mock.calls.map(([, request]) => (request as { view: string }).view);
        counting.mockRestore();
      });
      // Then, for every session's reason, the chain's mean surprise of each, on the chain's thread.
      expect(views).toEqual(["context", "novelty", "chain means"]);
      expect(startedBefore).toBe(threads - 1);
      expect(one.code).toBe(0);
      expect(two.file).toBe(one.file);
      expect(two.stdout).toBe(one.stdout);
      expect(two.stderr.replace(`hunt-${threads}.${ext}`, "")).toBe(one.stderr.replace(`hunt-1.${ext}`, ""));
      if (ext !== "jsonl") return;
      // Ties: several sessions share one score, ranked by input order.
      const scores = one.file
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { score: number }).score);
      expect(new Set(scores).size).toBeLessThan(scores.length - 20);
    });
  }

  for (const method of [
    ["--method", "adaptive"],
    ["--method", "entity-markov", "--entity", "UserId"],
    ["--method", "reference"],
  ]) {
    it(`hunt ${method.join(" ")}`, async () => {
      await sameInOneAndTwo(["hunt", csv, ...cols, ...method, "--quiet"], "method");
    });
  }

  it("hunt of JSONL with two identity columns", async () => {
    const jsonl = withHosts("events.jsonl", (i) => `host${i % 3}`);
    await sameInOneAndTwo(["hunt", jsonl, "--user", "UserId,Host", "--quiet"], "two");
  });

  it("hunt --entity (two identity columns)", async () => {
    const jsonl = withHosts("entities.jsonl", (i) => `host${(i >> 2) % 5}`);
    await sameInOneAndTwo(
      ["hunt", jsonl, "--user", "UserId,Host", "--entity", "UserId", "--quiet"],
      "entity",
    );
  });

  it("hunt --sessions (sessions read as they are, no identities)", async () => {
    const text = join(dir, "sessions.txt");
    const routines = ["ls cd ls", "cat grep less", "ssh scp exit"];
    const lines = Array.from({ length: 90 }, (_, i) => (i % 17 === 0 ? "rm chmod curl" : routines[i % 3]));
    writeFileSync(text, `${lines.join("\n")}\n`);
    await sameInOneAndTwo(["hunt", "--sessions", text, "--quiet"], "sessions");
  });

  it("hunt of a small input without --threads trains in one thread (a worker would cost more than it saves)", async () => {
    const offload = vi.spyOn(ThreadPool.prototype, "offload");
    try {
      const r = await runCli(["hunt", csv, ...cols, "--quiet"]);
      expect(r.code).toBe(0);
      expect(offload).not.toHaveBeenCalled();
    } finally {
      offload.mockRestore();
    }
  });

  it("hunt --report", async () => {
    const args = ["hunt", csv, ...cols, "--quiet"];
    for (const t of [1, 2]) await runIn(t, [...args, "--report", join(dir, `report-${t}.html`)]);
    // The report says when it was made: the one difference allowed.
    const read = (t: number) =>
      readFileSync(join(dir, `report-${t}.html`), "utf8").replace(/"generated":"[^"]*"/, "");
    expect(read(2)).toBe(read(1));
  });

  it("train writes the same model file; score --model ranks the same (held out and new data)", async () => {
    const models = [1, 2].map((t) => join(dir, `model-${t}.json`));
    // With two threads train sends a worker the context chain's view, then the novelty view without each
    // training session's excess, which only explaining training sessions reads (hunt does; train does not).
    const offload = vi.spyOn(ThreadPool.prototype, "offload");
    try {
      for (const [i, t] of [1, 2].entries()) {
        expect((await runIn(t, ["train", csv, ...cols, "--quiet"], models[i])).code).toBe(0);
        expect(offload).toHaveBeenCalledTimes(2 * i);
      }
      const requests = offload.mock.calls.map(([, r]) => r as { view: string; excess: boolean });
      expect(requests.map((r) => [r.view, r.excess])).toEqual([
        ["context", false],
        ["novelty", false],
      ]);
    } finally {
      offload.mockRestore();
    }
    const model = readFileSync(models[0] as string, "utf8");
    expect(readFileSync(models[1] as string, "utf8")).toBe(model);
    const other = join(dir, "other.csv");
    writeFileSync(other, events().replace(/user1/g, "user9").replace(/v1/g, "v2"));
    for (const input of [csv, other]) {
      const { one, two } = await sameInOneAndTwo(
        ["score", input, ...cols, "--model", models[0] as string],
        "score",
      );
      expect(two.stdout).toBe(one.stdout);
    }
  });
});

describe("hunt's reasons of every session with a worker thread", () => {
  it("with --out or --report, markov-set's part of each is worked out before the worker's part joins", async () => {
    let state = 5;
    const pick = (n: number) => {
      state = (state * 48271) % 2147483647;
      return state % n;
    };
    const sessions: CliSession[] = Array.from({ length: 80 }, (_, i) => ({
      identity: [`u${i % 5}`],
      start: null,
      end: null,
      commands: Array.from(
        { length: 2 + pick(6) },
        () => ["ls", "cd", "cat", "rm", "scp"][pick(5)] as string,
      ),
      fields: {},
    }));
    const loaded = { sessions, stats: {} as ReadStats, identityColumns: ["UserId"] };
    const threaded = detectorEntry("markov-novelty").factory().threaded;
    // A worker's part run here on structured clones, as a pool's worker runs it.
    const pool = {
      offload: async (_: string, request: unknown) =>
        structuredClone(threaded?.work(structuredClone(request))),
    } as unknown as ThreadPool;
    const steps = vi.spyOn(Chain.prototype, "steps");
    // The context chain's mean surprise of each session, which the worker works out after its views.
    const means = vi.spyOn(ContextChain.prototype, "meanSurprise");
    try {
      const scoredAfter = async (outputs: { out?: string; report?: string }) => {
        const scores = await huntScoresInThreads(
          loaded,
          { window: 3, tokens: true, geoMean: false, ...outputs },
          pool,
        );
        steps.mockClear();
        means.mockClear();
        for (let i = 0; i < sessions.length; i++) scores.reason?.(i);
        return [steps.mock.calls.length, means.mock.calls.length];
      };
      // No entity here: the chain is a view.
      expect(await scoredAfter({ out: "every.jsonl" })).toEqual([0, 0]);
      expect(await scoredAfter({ report: "every.html" })).toEqual([0, 0]);
      // The top table alone asks a few reasons: each scored when asked, nothing beforehand.
      const [stepsAsked, meansAsked] = await scoredAfter({});
      expect(stepsAsked).toBeGreaterThanOrEqual(sessions.length);
      expect(meansAsked).toBeGreaterThanOrEqual(sessions.length);
    } finally {
      steps.mockRestore();
      means.mockRestore();
    }
  });
});

describe("training workers start while this thread reads", () => {
  it("with --threads; not for a small input without it (too few commands to use them)", async () => {
    const start = vi.spyOn(ThreadPool.prototype, "start");
    try {
      expect((await runIn(2, ["hunt", csv, ...cols, "--quiet"])).code).toBe(0);
      expect(start).toHaveBeenCalledTimes(1);
      start.mockClear();
      expect((await runCli(["hunt", csv, ...cols, "--quiet"])).code).toBe(0);
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });
});

describe("how many threads", () => {
  it("--threads when given; else every core for a large input, one for a small one", () => {
    expect(threadCount(3, 10)).toBe(3);
    expect(threadCount(1, 10 * DEFAULT_THREADS_FROM)).toBe(1);
    expect(threadCount(undefined, DEFAULT_THREADS_FROM - 1)).toBe(1);
    expect(threadCount(undefined, DEFAULT_THREADS_FROM)).toBe(availableParallelism());
    expect(() => threadCount(256)).toThrow(/at most 255/);
  });
});

describe("a worker's failure", () => {
  it("rejects with its words, and the pool still closes", async () => {
    const pool = ThreadPool.of(1);
    try {
      // A seqhunt error in the worker (an unknown detector) keeps its words.
      await expect(pool.offload("no-such-method", {})).rejects.toThrow(SeqhuntError);
      await expect(pool.offload("no-such-method", {})).rejects.toThrow(/no-such-method/);
      // Any other error is the worker's, with its stack.
      await expect(pool.offload("markov-set", {})).rejects.toThrow(
        /a worker thread failed: .*no threaded training/,
      );
    } finally {
      await pool.close();
    }
  });
});

describe("--threads 2 stops at a bad row as --threads 1 does", () => {
  const lines = events().trimEnd().split("\n");
  /** The events with a bad time on these lines (1-based, the header is line 1). */
  function withBadTimes(name: string, at: readonly number[]): string {
    const copy = [...lines];
    for (const line of at) copy[line - 1] = (copy[line - 1] as string).replace(/^[^,]*/, "yesterday");
    const path = join(dir, name);
    writeFileSync(path, `${copy.join("\n")}\n`);
    return path;
  }

  // This thread reads (the worker takes sessions, not rows): bad rows early, late and out of order.
  for (const [name, at] of [
    ["one bad row", [200]],
    ["several bad rows: the first in the file is named", [60, 300, 301]],
    ["several bad rows, named in file order", [150, 30]],
  ] as const) {
    it(name, async () => {
      const path = withBadTimes(`${name.replace(/\W+/g, "-")}.csv`, at);
      const one = await runIn(1, ["hunt", path, ...cols]);
      const two = await runIn(2, ["hunt", path, ...cols]);
      expect(one.code).toBe(1);
      expect(one.stderr).toContain(`${path}:${Math.min(...at)}: column "TimeGenerated": unparseable time`);
      expect(two.code).toBe(one.code);
      expect(two.stderr).toBe(one.stderr);
      expect(two.stdout).toBe(one.stdout);
    });
  }

  it("skipping bad rows counts them as one thread does", async () => {
    const path = withBadTimes("skip.csv", [12, 60, 150, 300]);
    const args = ["hunt", path, ...cols, "--on-bad-row", "skip", "--quiet"];
    const one = await runIn(1, args, join(dir, "skip-1.jsonl"));
    const two = await runIn(2, args, join(dir, "skip-2.jsonl"));
    expect(one.stderr).toContain("skipped 4 (unparseable time: 4)");
    expect(two.stderr).toBe(one.stderr);
    expect(two.file).toBe(one.file);
  });
});
