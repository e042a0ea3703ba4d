// Every detector but the pushed-down reference runs in process on the sessions ClickHouse made (streamed
// back): hunt, train and score --model with --engine clickhouse must give the in-process files' output.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_METHOD } from "../../src/detect/registry.js";
import { runCli, runCliRecords, tempDir } from "../helpers/cli.js";
import {
  clickHouseUp,
  demoEvents,
  loadDistributed,
  loadShardedByIdentity,
  SHARD_URLS,
  type TestEvent,
  URL,
  writeJsonl,
} from "../helpers/clickhouse.js";

const dir = tempDir();
const jsonl = join(dir, "events.jsonl");
const columns = ["--user", "UserId,ClientIP", "--params", "Parameters", "--param-mode", "values"];
const sharded = ["--engine", "clickhouse", "--url", URL, "--table", "det_sharded", "--seq", "seq"];
const onShards = [...sharded, "--shard-urls", SHARD_URLS.join(",")];
const atRandom = ["--engine", "clickhouse", "--url", URL, "--table", "det_random", "--seq", "seq"];

/**
 * The demo's events and a second tenant's copy of them an hour later, so identities span both shards; every
 * tenth event names a parameter twice (its first place and last value count, as in a JSON object).
 */
function events(): TestEvent[] {
  const demo = demoEvents(3).map((e, i) =>
    i % 10 === 0 && e.params.length > 0
      ? {
          ...e,
          params: [
            ...e.params,
            { Name: "Extra", Value: "x" },
            { ...(e.params[0] as TestEvent["params"][number]), Value: `again${i % 3}` },
          ],
        }
      : e,
  );
  const later = (time: string) =>
    new Date(Date.parse(`${time.replace(" ", "T")}Z`) + 3_600_000)
      .toISOString()
      .slice(0, 19)
      .replace("T", " ");
  return [
    ...demo,
    ...demo.map((e) => ({
      ...e,
      UserId: e.UserId === null ? null : `${e.UserId}.b`,
      TimeGenerated: later(e.TimeGenerated),
    })),
  ];
}

/** `args` run in process on the events file and with --engine clickhouse: the --out records of each. */
async function both(command: string, args: readonly string[], engine: readonly string[], name: string) {
  const local = await runCliRecords([command, jsonl, ...columns, ...args], join(dir, `${name}-local.jsonl`));
  const pushed = await runCliRecords(
    [command, ...engine, ...columns, ...args],
    join(dir, `${name}-ch.jsonl`),
  );
  return { local, pushed };
}

describe.runIf(clickHouseUp)("--engine clickhouse with in-process detectors (sessions streamed back)", () => {
  let held: number[] = [];
  beforeAll(async () => {
    const all = events();
    await writeJsonl(jsonl, all);
    held = await loadShardedByIdentity("det_sharded", all);
    await loadDistributed("det_random", all);
  });

  it("spreads the identities over both shards", () => {
    expect(held).toHaveLength(2);
    for (const rows of held) expect(rows).toBeGreaterThan(200);
  });

  it(`hunt with the default detector (${DEFAULT_METHOD}): every session's score, percentile and rank as in process`, async () => {
    for (const [name, engine] of [
      ["sharded", onShards],
      ["random", atRandom],
    ] as const) {
      const { local, pushed } = await both("hunt", [], engine, `hunt-${name}`);
      expect(local.length).toBeGreaterThan(100);
      expect((local[0] as { method: string }).method).toBe(DEFAULT_METHOD);
      expect(pushed).toEqual(local);
    }
  });

  it(`hunt ${DEFAULT_METHOD} is counted in ClickHouse and scored as it streams back: --entity, the top N and --out as in process`, async () => {
    const args = [...columns, "--entity", "UserId", "--top", "7"];
    const out = (name: string) => join(dir, `counted-${name}.jsonl`);
    const local = await runCli(["hunt", jsonl, ...args, "--out", out("local")]);
    for (const engine of [onShards, atRandom])
      for (const [where, says] of [
        ["clickhouse", "(the "],
        ["stream", "(its context chain as the "],
      ] as const) {
        const pushed = await runCli([
          "hunt",
          ...engine,
          ...args,
          "--context-counts",
          where,
          "--out",
          out("ch"),
        ]);
        expect(pushed.code).toBe(0);
        expect(pushed.stderr).toContain(`counted ${DEFAULT_METHOD} in ClickHouse ${says}`);
        expect(pushed.stdout).toBe(local.stdout);
        expect(readFileSync(out("ch"), "utf8")).toBe(readFileSync(out("local"), "utf8"));
      }
    // The report holds the rarest sessions read back from the spill, explained as in process; only the
    // name of the input and the time it was made differ.
    const report = (name: string, input: readonly string[]) =>
      runCli(["hunt", ...input, ...args, "--quiet", "--report", join(dir, `counted-${name}.html`)]);
    expect((await report("local", [jsonl])).code).toBe(0);
    expect((await report("ch", onShards)).code).toBe(0);
    const html = (name: string, input: string) =>
      readFileSync(join(dir, `counted-${name}.html`), "utf8")
        .replaceAll(input, "INPUT")
        .replace(/"generated":"[^"]*"/, "");
    expect(html("ch", `clickhouse ${URL} default.det_sharded`)).toBe(html("local", jsonl));
  });

  for (const args of [
    ["--method", "adaptive", "--entity", "UserId"],
    ["--method", "markov"],
    ["--method", "reference-total"],
    ["--method", "reference", "--entity", "ClientIP"],
  ])
    it(`hunt ${args.join(" ")}: the in-process output`, async () => {
      const { local, pushed } = await both("hunt", args, onShards, `hunt-${args[1]}`);
      expect(pushed).toEqual(local);
    });

  it(`train ${DEFAULT_METHOD} is counted in ClickHouse over a spill file: the in-process model file, which scores as in process`, async () => {
    const local = join(dir, "model-local.json");
    const pushed = join(dir, "model-ch.json");
    expect((await runCli(["train", jsonl, ...columns, "--quiet", "--out", local])).code).toBe(0);
    const run = await runCli([
      "train",
      ...onShards,
      ...columns,
      "--context-counts",
      "clickhouse",
      "--out",
      pushed,
    ]);
    expect(run.stderr).toContain("each shard sessionized its own identities");
    expect(run.stderr).toContain(`counted ${DEFAULT_METHOD} in ClickHouse (the `);
    expect(run.stderr).not.toContain("the detector runs in process");
    expect(run.stderr).toContain(`trained on `);
    expect(run.code).toBe(0);
    // The same fingerprint and kind of model; the reference may list its vocabularies in another order,
    // so the scores below are what must match.
    const parts = (file: string) => {
      const { reference, detector, entity, trainingFingerprint } = JSON.parse(readFileSync(file, "utf8"));
      return { type: reference.sessionType, method: detector.method, entity, trainingFingerprint };
    };
    expect(parts(pushed)).toEqual(parts(local));
    // The context chain, counted in the shards, chooses in-process training's order and gain, to the bit.
    const context = (file: string) => JSON.parse(readFileSync(file, "utf8")).detector.state.model.context;
    expect(context(pushed).counts.order).toBe(context(local).counts.order);
    expect(context(pushed).gain).toBe(context(local).gain);
    expect(context(local).counts.order).toBeGreaterThan(0);
    expect(context(local).gain).toBeGreaterThan(0);
    // Scored on the file path, each model ranks every session alike (its own sessions held out).
    const scoreWith = async (model: string, name: string) => {
      const out = join(dir, `score-by-${name}.jsonl`);
      const ran = await runCli(["score", jsonl, ...columns, "--model", model, "--top", "9", "--out", out]);
      expect(ran.code).toBe(0);
      return { stdout: ran.stdout, out: readFileSync(out, "utf8") };
    };
    expect(await scoreWith(pushed, "ch")).toEqual(await scoreWith(local, "local"));
    const hunted = await runCliRecords(["hunt", jsonl, ...columns], join(dir, "hunt-again.jsonl"));
    expect(
      await runCliRecords(["score", jsonl, ...columns, "--model", pushed], join(dir, "s.jsonl")),
    ).toEqual(hunted);
  });

  for (const method of ["adaptive", "markov-set"])
    it(`train --method ${method}: trained in process on the sessions streamed back, the in-process model file`, async () => {
      const args = ["--method", method, "--entity", "UserId"];
      const local = join(dir, `${method}-local.json`);
      const pushed = join(dir, `${method}-ch.json`);
      expect((await runCli(["train", jsonl, ...columns, ...args, "--quiet", "--out", local])).code).toBe(0);
      const run = await runCli(["train", ...onShards, ...columns, ...args, "--out", pushed]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("sessions made in ClickHouse; the detector runs in process");
      expect(readFileSync(pushed, "utf8")).toBe(readFileSync(local, "utf8"));
    });

  // A detector that trains in passes scores its own sessions held out one by one, so over a spill file;
  // adaptive holds them all (in process).
  for (const [method, how] of [
    [DEFAULT_METHOD, "the model file's detector scores them in passes"],
    ["markov-set", "the model file's detector scores them in passes"],
    ["adaptive", "the detector runs in process"],
  ] as const)
    it(`score --model (${method}) with --engine clickhouse: byte for byte as in process (${how})`, async () => {
      const file = join(dir, method === DEFAULT_METHOD ? "model-local.json" : `${method}-local.json`);
      const scoreArgs = [...columns, "--model", file, "--top", "9"];
      const out = (n: string) => join(dir, `spilled-${method}-${n}.csv`);
      const local = await runCli(["score", jsonl, ...scoreArgs, "--out", out("local")]);
      expect(local.code).toBe(0);
      for (const engine of [onShards, atRandom]) {
        const pushed = await runCli(["score", ...engine, ...scoreArgs, "--out", out("ch")]);
        expect(pushed.code).toBe(0);
        expect(pushed.stderr).toContain(how);
        expect(pushed.stdout).toBe(local.stdout);
        expect(readFileSync(out("ch"), "utf8")).toBe(readFileSync(out("local"), "utf8"));
      }
    });

  it("--out-table holds the reference's scores only: refused for other detectors before any work", async () => {
    const run = await runCli(["hunt", ...onShards, ...columns, "--out-table", "det_scores"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      `--out-table holds the scores of the reference computed in ClickHouse, not ${DEFAULT_METHOD}`,
    );
    expect(run.stderr).not.toContain("read ");
  });
});
