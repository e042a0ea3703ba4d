// npm run bench: every case in its own process; prints a table of events/s, MB/s and peak RSS, then the
// targets of the performance issue, each with the ratio this run measured and whether it is met.
// `npm run bench -- NAME...` runs only some cases: a case's name (`hunt`), or name and argument
// (`hunt:1000000:out`, `model:cmds_only`, `startup:version`); `npm run bench targets` runs the issue's.
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
/** A case's result, as cases.ts prints it. */
interface Result {
  eventsPerSecond: number;
  mbPerSecond?: number;
  seconds: number;
  peakRssMB: number;
  /** Cases measured against a baseline in the same run: its seconds over the baseline's. */
  ratio?: number;
  /** The baseline's seconds (median or best, as the case says). */
  baselineSeconds?: number;
  /** The same ratio of CPU seconds (every thread): steadier than wall time on a busy machine. */
  cpuRatio?: number;
  /** Cases measured against a faster-is-better baseline: this rate over the baseline's (threads: one thread's seconds over every core's). */
  speedup?: number;
  /** The threads case: how many cores. */
  cores?: number;
  /** The model cases: the reference's rate (events/s) the speed-up is measured against. */
  referenceRate?: number;
  /** The model cases: the speed-up measured in CPU seconds (steadier than wall time on a busy machine). */
  cpuSpeedup?: number;
  /** The model cases: the first run's speed-up in a new process (JIT warm-up counted). */
  coldSpeedup?: number;
  /** The model cases: the best of the first three runs' speed-up (how earlier runs measured it). */
  bestOfThreeSpeedup?: number;
  /** ClickHouse cases: seqhunt's own CPU seconds (every thread). */
  seqhuntCpuSeconds?: number;
  /** ClickHouse cases: each server's part of the work (query log). */
  servers?: {
    url: string;
    queries: number;
    cpuSeconds: number;
    querySeconds: number;
    readRows: number;
    peakQueryMB: number;
    share: number;
  }[];
}

/** A performance target of the issue: its text, and whether a result meets it (given the results so far). */
interface Target {
  text: string;
  met: (x: Result, done: ReadonlyMap<string, Result>) => boolean;
}

const atLeast = (rate: number, text: string): Target => ({ text, met: (x) => x.eventsPerSecond >= rate });
const within = (seconds: number, rssMB: number, text: string): Target => ({
  text,
  met: (x) => x.seconds <= seconds && x.peakRssMB <= rssMB,
});

const ratioWithin = (times: number, text: string): Target => ({
  text,
  met: (x) => x.ratio !== undefined && x.ratio <= times,
});

const cases: [string, string, string, Target?][] = [
  [
    "startup",
    "version",
    "seqhunt --version, a new process (best of 15), against node -e 0",
    ratioWithin(3, "within 3x of node -e 0"),
  ],
  [
    "score-model",
    "1000000:default",
    "seqhunt score --model --out of 1,000 events against the default detector's model of 1M events (values; MB/s: of the model file), a new process (median of 3, taking turns with a hunt of the 1,000 events)",
  ],
  [
    "score-model",
    "1000000:reference",
    "seqhunt score --model --out of 1,000 events against a reference model of 1M events (values; MB/s: of the model file), a new process (median of 3, taking turns with a hunt --method reference of the 1,000 events)",
  ],
  [
    "startup",
    "100",
    "seqhunt hunt of 100 events (values), a new process (best of 15), against --version",
    ratioWithin(3, "within 3x of --version"),
  ],
  [
    "model",
    "cmds_only",
    "model core, train + rarest window k=3, plain commands, 100k events (warm: median after warm-up)",
  ],
  [
    "model",
    "cmds_params_only",
    "model core, train + rarest window k=3, parameter names, 100k events (warm: median after warm-up)",
  ],
  [
    "model",
    "cmds_params_values",
    "model core, train + rarest window k=3, parameter values, 100k events (warm: median after warm-up)",
  ],
  ["train", "cmds_only", "train + rarest windows k=3, plain commands, 1M events", atLeast(10e6, ">= 10M/s")],
  [
    "train",
    "cmds_params_only",
    "train + rarest windows k=3, parameter names, 1M events",
    atLeast(3e6, ">= 3M/s"),
  ],
  [
    "train",
    "cmds_params_values",
    "train + rarest windows k=3, parameter values, 1M events",
    atLeast(2e6, ">= 2M/s"),
  ],
  ["windows", "2", "rarest windows k=2 (values), 1M events"],
  ["windows", "3", "rarest windows k=3 (values), 1M events"],
  [
    "windows",
    "50",
    "rarest windows k=50 (values), 1M events",
    {
      text: "within 1.5x of k=3",
      met: (x, done) => {
        const k3 = done.get("windows 3");
        return k3 !== undefined && x.seconds <= 1.5 * k3.seconds;
      },
    },
  ],
  ["sessionize", "", "sessionize in memory, 1M rows shuffled", atLeast(2e6, ">= 2M/s")],
  ["sessionize", "ordered", "sessionize in memory, 1M rows in time order (as exported)"],
  ["score", "", "model.score of 1M new events (values) against a saved model"],
  [
    "hunt",
    "1000000",
    "seqhunt hunt (top 20), CSV with values, 1M events",
    within(6, 1500, "<= 6 s, <= 1.5 GB"),
  ],
  [
    "hunt",
    "1000000:out",
    "seqhunt hunt --out scores.jsonl, CSV with values, 1M events (median of 3, taking turns with a DuckDB scan of the file's columns)",
  ],
  [
    "read",
    "1000000",
    "hunt's read alone (sessionized in memory, no detector, nothing written), CSV with values, 1M events (median of 3, taking turns with a DuckDB scan)",
  ],
  [
    "hunt",
    "1000000:out:spill",
    "seqhunt hunt --out scores.jsonl, CSV with values, 1M events, over spilled sessions (SEQHUNT_HUNT_MODE=spill; median of 3, taking turns with a DuckDB scan)",
  ],
  [
    "cloudtrail",
    "200x20",
    "seqhunt hunt --source cloudtrail (top 20) of a CloudTrail tree: 200 gzipped files of 20 records (MB: gzipped)",
  ],
  [
    "cloudtrail",
    "30x10000",
    "seqhunt hunt --source cloudtrail (top 20) of a CloudTrail tree: 30 gzipped files of 10,000 records (MB: gzipped)",
  ],
  [
    "auditd",
    "4x250000",
    "seqhunt hunt --source auditd (top 20) of a host's audit folder: audit.log and 3 rotations of 250,000 SYSCALL records (each with a PROCTITLE record)",
  ],
  [
    "jsonl-files",
    "500x10",
    "seqhunt hunt (top 20) of 500 gzipped JSON Lines files of 10 events, fields named (MB: gzipped)",
  ],
  [
    "threads",
    "1000000",
    "seqhunt hunt --out, CSV with values, 1M events: --threads (every core) against --threads 1",
    {
      text: "speed-up >= 0.75 x cores",
      met: (x) => x.speedup !== undefined && x.speedup >= 0.75 * (x.cores ?? 1),
    },
  ],
  [
    "hunt",
    "5000000",
    "seqhunt hunt (top 20), CSV with values, 5M events",
    within(30, 2500, "<= 30 s, <= 2.5 GB"),
  ],
  ["hunt", "5000000:out", "seqhunt hunt --out scores.jsonl, CSV with values, 5M events"],
  ["hunt", "10000000:memory", "seqhunt hunt (top 20), CSV with values, 10M events, all in memory"],
  [
    "hunt",
    "10000000",
    "seqhunt hunt (top 20), CSV with values, 10M events, over spilled sessions (the default detector trains in three passes of them)",
  ],
  [
    "clickhouse",
    "1000000:by-identity:reference",
    "seqhunt hunt --engine clickhouse --method reference (pushed down; top 20), values, 1M events, 2 shards by identity",
  ],
  [
    "clickhouse",
    "1000000:by-identity:default",
    "seqhunt hunt --engine clickhouse, default detector (counted in the shards but its context chain, in seqhunt as the sessions stream back, scored held out; top 20), values, 1M events, 2 shards by identity",
  ],
  [
    "clickhouse",
    "1000000:by-identity:default:clickhouse",
    "seqhunt hunt --engine clickhouse --context-counts clickhouse, default detector (its context chain counted in the shards too; top 20), values, 1M events, 2 shards by identity",
  ],
  [
    "clickhouse",
    "10000000:alternate:reference",
    "seqhunt hunt --engine clickhouse --method reference (top 20), values, 10M events, 2 shards sharded at random",
  ],
  [
    "clickhouse",
    "10000000:by-identity:default",
    "seqhunt hunt --engine clickhouse, default detector (counted in the shards, scored held out as sessions stream back; top 20), values, 10M events, 2 shards sharded by identity",
  ],
  [
    "clickhouse",
    "10000000:by-identity:reference",
    "seqhunt hunt --engine clickhouse --method reference (top 20), values, 10M events, 2 shards sharded by identity",
    {
      text: "each shard >= 40% of the CPU work",
      met: (r) => (r.servers ?? []).length === 2 && (r.servers ?? []).every((s) => s.share >= 0.4),
    },
  ],
];

/** A target of issue 16 (performance): the case that measures it, and how a result meets it. */
interface IssueTarget {
  /** The case, as `name arg`. */
  readonly key: string;
  readonly text: string;
  /** What the case measured, in words. */
  readonly measured: (x: Result) => string;
  /** The ratio the target is about, as printed. */
  readonly ratio: (x: Result) => number | undefined;
  readonly met: (x: Result) => boolean;
}

const CORES = cpus().length;
const secs = (x: number | undefined) => (x === undefined ? "?" : `${x.toFixed(x < 10 ? 3 : 1)} s`);
const slower = (x: Result) =>
  `${secs(x.seconds)} vs ${secs(x.baselineSeconds)}${x.cpuRatio === undefined ? "" : ` (CPU ${x.cpuRatio.toFixed(2)}x)`}`;
const times = (x: number | undefined) => (x === undefined ? "?" : `${x.toFixed(1)}x`);
const modelTarget = (type: string, label: string): IssueTarget => ({
  key: `model ${type}`,
  text: `model core, train + rarest window of 3, 100k events, ${label}: >= 50x the reference (warm)`,
  measured: (x) =>
    `${(x.eventsPerSecond / 1e6).toFixed(2)}M events/s warm vs msticpy's ${((x.referenceRate ?? 0) / 1e3).toFixed(0)}k (recorded); CPU ${times(x.cpuSpeedup)}, cold ${times(x.coldSpeedup)}, best of first three ${times(x.bestOfThreeSpeedup)}`,
  ratio: (x) => x.speedup,
  met: (x) => (x.speedup ?? 0) >= 50,
});

/** A target of at most `times` the baseline's time, measured in the same run. */
const slowerAtMost = (key: string, times: number, text: string): IssueTarget => ({
  key,
  text,
  measured: slower,
  ratio: (x) => x.ratio,
  met: (x) => x.ratio !== undefined && x.ratio <= times,
});

const ISSUE_TARGETS: IssueTarget[] = [
  slowerAtMost(
    "hunt 1000000:out",
    3,
    "hunt of 1M events (values, --out, default method): <= 3x DuckDB scanning the file's columns",
  ),
  {
    // The threads case: `speedup` is --threads 1's seconds over every core's.
    key: "threads 1000000",
    text: `speed-up of hunt from --threads 1 to all ${CORES} cores: >= ${(0.75 * CORES).toFixed(2)}x (0.75 x cores)`,
    measured: (x) => `${secs(x.baselineSeconds)} -> ${secs(x.seconds)}`,
    ratio: (x) => x.speedup,
    met: (x) => (x.speedup ?? 0) >= 0.75 * CORES,
  },
  slowerAtMost("startup version", 3, "seqhunt --version: <= 3x node -e 0"),
  slowerAtMost("startup 100", 3, "hunt of 100 events: <= 3x --version"),
  modelTarget("cmds_only", "plain commands"),
  modelTarget("cmds_params_only", "parameter names"),
  modelTarget("cmds_params_values", "parameter values"),
  {
    key: "hunt 10000000",
    text: "hunt of 10M events (values, 1.85 GB, default method) in bounded memory: peak RSS <= 2.5 GB",
    measured: (x) => `${x.peakRssMB} MB peak RSS, ${secs(x.seconds)}`,
    ratio: () => undefined,
    met: (x) => x.peakRssMB <= 2500,
  },
];

/** Cases `targets` runs beside the targets' own: what a target's ratio cannot go below (hunt's read). */
const TARGET_FLOORS = ["read 1000000"];

/** Whether the command line asks for a case: its name, `name:arg`, or `targets` for the issue's. */
function wanted(name: string, arg: string): boolean {
  if (only.length === 0) return true;
  const key = `${name} ${arg}`;
  return only.some(
    (o) =>
      o === name ||
      o.replace(":", " ") === key ||
      (o === "targets" && (ISSUE_TARGETS.some((t) => t.key === key) || TARGET_FLOORS.includes(key))),
  );
}

console.log(
  `seqhunt benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log("| case | events/s | MB/s | seconds (median) | peak RSS MB | target |");
console.log("| --- | ---: | ---: | ---: | ---: | --- |");
const done = new Map<string, Result>();
for (const [name, arg, label, target] of cases) {
  if (!wanted(name, arg)) continue;
  // hunt runs as a user runs it (default heap); the in-memory cases hold generated data as well.
  // (all of 10M events in memory is given room; the spilled hunt runs in the default heap.)
  const heap = name === "hunt" && !arg.startsWith("10000000:memory") ? [] : ["--max-old-space-size=16384"];
  const r = spawnSync(process.execPath, [...heap, join(here, "cases.js"), name, arg], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.status !== 0 || !line.startsWith("{")) {
    console.log(`| ${label} | failed (exit ${r.status}) | | | | |`);
    continue;
  }
  const x = JSON.parse(line) as Result;
  done.set(`${name} ${arg}`, x);
  const cpu = x.cpuRatio === undefined ? "" : `; CPU ${x.cpuRatio.toFixed(2)}x`;
  const ratio =
    x.speedup !== undefined && x.cores !== undefined
      ? ` (${x.speedup.toFixed(2)}x on ${x.cores} cores, ${x.baselineSeconds?.toFixed(1)} s with one thread)`
      : x.ratio !== undefined
        ? ` (${x.ratio.toFixed(2)}x${cpu})`
        : x.speedup !== undefined
          ? ` (${x.speedup.toFixed(1)}x)`
          : "";
  // A case without a target still shows its ratio to the baseline it took turns with.
  const verdict =
    target === undefined
      ? ratio && `against its baseline${ratio}`
      : `${target.text}${ratio}: ${target.met(x, done) ? "met" : "NOT met"}`;
  const rate =
    x.eventsPerSecond < 1e3
      ? ""
      : x.eventsPerSecond >= 1e6
        ? `${(x.eventsPerSecond / 1e6).toFixed(2)}M`
        : `${Math.round(x.eventsPerSecond / 1e3)}k`;
  console.log(
    `| ${label} | ${rate} | ${x.mbPerSecond ? x.mbPerSecond.toFixed(0) : ""} | ${x.seconds.toFixed(3)} | ${x.peakRssMB} | ${verdict} |`,
  );
  if (x.seqhuntCpuSeconds !== undefined)
    console.log(`|   seqhunt: ${x.seqhuntCpuSeconds.toFixed(1)} s of CPU | | | | | |`);
  for (const s of x.servers ?? [])
    console.log(
      `|   ${s.url}: ${(100 * s.share).toFixed(0)}% of the CPU (${s.cpuSeconds.toFixed(1)} s in ${s.queries} queries, ${s.querySeconds.toFixed(1)} s of query time, ${s.readRows} rows read, largest query ${s.peakQueryMB} MB) | | | | | |`,
    );
}

// The issue's targets, each with this run's ratio (a target whose case did not run is left open).
console.log("\n| target (issue 16) | measured | ratio | met? |");
console.log("| --- | --- | ---: | --- |");
for (const t of ISSUE_TARGETS) {
  const x = done.get(t.key);
  if (x === undefined) {
    const why = cases.some(([n, a]) => `${n} ${a}` === t.key) ? "not run" : "no such case";
    console.log(`| ${t.text} | ${why} | | |`);
    continue;
  }
  const ratio = t.ratio(x);
  console.log(
    `| ${t.text} | ${t.measured(x)} | ${ratio === undefined ? "" : `${ratio.toFixed(2)}x`} | ${t.met(x) ? "met" : "NOT met"} |`,
  );
}
// The hunt target's floor: what the read alone takes against the same scan, before any detector.
const read = done.get("read 1000000");
if (read?.ratio !== undefined)
  console.log(
    `\nhunt's read alone (no detector, nothing written): ${slower(read)}, ${read.ratio.toFixed(2)}x the scan, before any detector works.`,
  );
