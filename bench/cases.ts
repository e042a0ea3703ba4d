// One benchmark case per process, so peak RSS is the case's own. Prints one JSON line.
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildProgram, run } from "../src/cli/main.js";
import type { InputOptions } from "../src/cli/sessions.js";
import { Model, sessionize } from "../src/index.js";
import type { Command } from "../src/types.js";
import {
  ensureServers,
  loadEvents,
  SHARDS,
  type Sharding,
  serverClock,
  serverWork,
} from "./clickhouse-data.js";
import {
  generateEvents,
  generateSessions,
  writeAuditLogs,
  writeCloudTrail,
  writeCsv,
  writeJsonLines,
} from "./data.js";

const [name = "", arg = ""] = process.argv.slice(2);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DATA = process.env.BENCH_DATA ?? join(process.cwd(), "bench-data");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Warm-up once, then the median of RUNS timed runs. */
function timed(fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

async function timedAsync(fn: () => Promise<void>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

/** The ClickHouse table of `n` generated events sharded at random (alternate) or by identity. */
const clickHouseTable = (n: number, sharding: string) =>
  sharding === "by-identity" ? `bench_events_${n}_by_user` : `bench_events_${n}`;

/** The generated logs' columns, values mode, as hunt takes them. */
const HUNT_COLUMNS = ["--user", "UserId", "--params", "Parameters", "--param-mode", "values", "--quiet"];

/** Median seconds of `seqhunt hunt` runs in this process (output dropped, errors shown). */
function timedHunt(args: readonly string[], runs: number): Promise<number> {
  const io = { out: () => {}, err: (s: string) => process.stderr.write(`${s}\n`) };
  return timedAsync(async () => {
    const code = await run(args, io);
    if (code !== 0) throw new Error(`${args.slice(0, 3).join(" ")} exited ${code}`);
  }, runs);
}

/**
 * Times a hunt (median of 3) of a folder `write` makes anew of FILES files of PER events each (`arg` is
 * `FILESxPER`), read with `flags`, and reports it.
 */
async function huntOfFiles(
  arg: string,
  name: string,
  write: (root: string, files: number, per: number) => number,
  flags: readonly string[],
): Promise<void> {
  const [files = 200, per = 20] = arg.split("x").map(Number);
  const root = join(DATA, `${name}-${files}x${per}`);
  rmSync(root, { recursive: true, force: true });
  const bytes = write(root, files, per);
  const seconds = await timedHunt(["hunt", root, ...flags, "--quiet"], 3);
  reportRead(files * per, bytes, { seconds });
}

/** Wall and CPU seconds (every thread of this process) of one run of `fn`. */
async function measured(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/**
 * Medians of wall and CPU seconds of `subject` and `baseline` run `runs` times each, taking turns so that a
 * change in the machine's load hits both: their ratio is the one the targets name.
 */
async function mediansInTurns(subject: () => Promise<void>, baseline: () => Promise<void>, runs: number) {
  const s: { wall: number; cpu: number }[] = [];
  const b: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < runs; i++) {
    b.push(await measured(baseline));
    s.push(await measured(subject));
  }
  const seconds = median(s.map((x) => x.wall));
  const baselineSeconds = median(b.map((x) => x.wall));
  const cpuSeconds = median(s.map((x) => x.cpu));
  const baselineCpuSeconds = median(b.map((x) => x.cpu));
  return {
    seconds,
    baselineSeconds,
    ratio: seconds / baselineSeconds,
    cpuSeconds,
    baselineCpuSeconds,
    cpuRatio: cpuSeconds / baselineCpuSeconds,
  };
}

/**
 * The floor of any reader of a CSV file: DuckDB (all cores) scanning every column of it, each value
 * decoded (its length taken), nothing sent to JavaScript.
 */
async function scanColumns(file: string): Promise<void> {
  const { openDuckDB } = await import("../src/io/read-events.js");
  const { con, close } = await openDuckDB();
  try {
    const from = `read_csv('${file.replace(/'/g, "''")}', header = true, all_varchar = true)`;
    const names = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`))
      .getRowObjectsJson()
      .map((r) => String(r.column_name));
    const lengths = names.map((n) => `max(length("${n.replace(/"/g, '""')}"))`);
    await con.runAndReadAll(`SELECT count(*), ${lengths.join(", ")} FROM ${from}`);
  } finally {
    close();
  }
}

/**
 * hunt's read alone: the file read and sessionized with the options `hunt` parses from {@link HUNT_COLUMNS}
 * (its own defaults and checks), every session kept in memory; no detector, nothing written.
 */
async function readAlone(file: string): Promise<void> {
  const { loadSessions } = await import("../src/cli/sessions.js");
  const program = buildProgram({ out: () => {}, err: (s) => process.stderr.write(`${s}\n`) });
  let read: Promise<unknown> | undefined;
  program.commands
    .find((c) => c.name() === "hunt")
    ?.action((files: string[], options: InputOptions) => {
      read = loadSessions(files, options);
    });
  await program.parseAsync(["hunt", file, ...HUNT_COLUMNS], { from: "user" });
  if (read === undefined) throw new Error("hunt's options were not parsed");
  await read;
}

/**
 * The bench's CSV of `n` generated events (written on first use): what the hunt, read, threads, startup and
 * score-model cases read.
 */
async function eventsCsv(n: number): Promise<string> {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `events-${n}.csv`);
  if (!existsSync(file)) await writeCsv(file, n);
  return file;
}

/** Reports a case that read `bytes` of `events` events in `times.seconds` (with its baseline's figures, if any). */
function reportRead(events: number, bytes: number, times: { readonly seconds: number }): void {
  report({
    events,
    eventsPerSecond: events / times.seconds,
    megabytes: bytes / 1e6,
    mbPerSecond: bytes / 1e6 / times.seconds,
    ...times,
  });
}

/** Runs of the model core: at least `runs` of them and `seconds` in all (tinybench's warm-up and measuring rule). */
interface RunRule {
  runs: number;
  seconds: number;
}
/** Warm-up before the model core is timed: the first runs at 100k events are mostly the JIT compiling. */
const WARMUP: RunRule = { runs: 10, seconds: 1 };
/** The timed runs of the model core, after warm-up (median taken). */
const MEASURED: RunRule = { runs: 15, seconds: 1 };

/** Wall and CPU seconds of each run of train + rarest window of 3 on `sessions`, as `rule` says. */
function modelCoreRuns(sessions: readonly Command[][], rule: RunRule): { wall: number; cpu: number }[] {
  const runs: { wall: number; cpu: number }[] = [];
  let total = 0;
  while (runs.length < rule.runs || total < rule.seconds) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    const m = new Model(sessions);
    m.train();
    m.computeRarestWindows(3);
    const wall = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    runs.push({ wall, cpu: (used.user + used.system) / 1e6 });
    total += wall;
  }
  return runs;
}

/** msticpy's rates (events/s, train + rarest window of 3) as this project recorded them (README). */
const REFERENCE_RATES = { cmds_only: 240e3, cmds_params_only: 130e3, cmds_params_values: 40e3 };

/** Loaded into each timed process: writes the CPU seconds it used, all threads, to fd 3 as it exits. */
const CPU_REPORT = new URL("cpu-report.js", import.meta.url).href;

/** Wall and CPU seconds and peak RSS (MB) of a fresh `node` process running these arguments to the end (output dropped). */
function spawned(args: readonly string[]): { wall: number; cpu: number; rss: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["--import", CPU_REPORT, ...args], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  const [cpu, rss] = String(r.output[3]).split(" ").map(Number);
  return { wall, cpu: cpu as number, rss: rss as number };
}

/**
 * The best (`pick` Math.min) or median of `runs` of each command, wall and CPU time, the two taking turns so
 * that a change in the machine's load hits both: start-up is short, and the fastest run is the one the least
 * disturbed; longer runs take the median.
 */
function inTurns(a: readonly string[], b: readonly string[], runs: number, pick: (xs: number[]) => number) {
  const base: ReturnType<typeof spawned>[] = [];
  const subject: ReturnType<typeof spawned>[] = [];
  spawned(a); // warms the file cache
  spawned(b);
  for (let i = 0; i < runs; i++) {
    base.push(spawned(a));
    subject.push(spawned(b));
  }
  const [wall, baseWall] = [pick(subject.map((x) => x.wall)), pick(base.map((x) => x.wall))];
  const [cpu, baseCpu] = [pick(subject.map((x) => x.cpu)), pick(base.map((x) => x.cpu))];
  return {
    seconds: wall,
    baselineSeconds: baseWall,
    ratio: wall / baseWall,
    cpuSeconds: cpu,
    baselineCpuSeconds: baseCpu,
    cpuRatio: cpu / baseCpu,
    // The measured command's, not this process's.
    peakRssMB: Math.max(...subject.map((x) => x.rss)),
  };
}

const best = (xs: number[]) => Math.min(...xs);

/** The first `lines` lines of a text file (a CSV's header and first rows), read from its start only. */
function firstLines(file: string, lines: number): string {
  const fd = openSync(file, "r");
  try {
    let text = "";
    const chunk = Buffer.alloc(1 << 20);
    for (let at = 0; ; ) {
      const read = readSync(fd, chunk, 0, chunk.length, at);
      text += chunk.toString("utf8", 0, read);
      at += read;
      const kept = text.split("\n").slice(0, lines);
      if (read === 0 || kept.length === lines) return `${kept.join("\n")}\n`;
    }
  } finally {
    closeSync(fd);
  }
}

const events = (sessions: readonly unknown[][]) => sessions.reduce((n, s) => n + s.length, 0);
const report = (fields: Record<string, unknown>) =>
  console.log(
    JSON.stringify({
      case: name,
      arg,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...fields,
    }),
  );

async function main(): Promise<void> {
  if (name === "train") {
    const type = arg as "cmds_only" | "cmds_params_only" | "cmds_params_values";
    const sessions = generateSessions(1_000_000, type);
    const seconds = timed(() => {
      const m = new Model(sessions);
      m.train();
      m.computeRarestWindows(3);
    });
    report({ events: events(sessions), seconds, eventsPerSecond: events(sessions) / seconds });
  } else if (name === "model") {
    // The model core on 100k events of one session type in a new process, against the reference's
    // recorded rate: warm (after warm-up, as any benchmark harness measures) and cold (JIT warm-up counted).
    const type = arg as keyof typeof REFERENCE_RATES;
    const sessions = generateSessions(100_000, type);
    const n = events(sessions);
    const warmup = modelCoreRuns(sessions, WARMUP);
    const warm = modelCoreRuns(sessions, MEASURED);
    const referenceRate = REFERENCE_RATES[type];
    const seconds = median(warm.map((r) => r.wall));
    const cpuSeconds = median(warm.map((r) => r.cpu));
    const cold = warmup.slice(0, 3).map((r) => r.wall);
    const coldSeconds = cold[0] as number;
    const bestOfThreeSeconds = Math.min(...cold);
    report({
      events: n,
      seconds,
      eventsPerSecond: n / seconds,
      referenceRate,
      speedup: n / seconds / referenceRate,
      cpuSpeedup: n / cpuSeconds / referenceRate,
      runs: warm.length,
      coldSeconds,
      coldSpeedup: n / coldSeconds / referenceRate,
      bestOfThreeSeconds,
      bestOfThreeSpeedup: n / bestOfThreeSeconds / referenceRate,
    });
  } else if (name === "windows") {
    const sessions = generateSessions(1_000_000, "cmds_params_values");
    const m = new Model(sessions);
    m.train();
    const k = Number(arg);
    const seconds = timed(() => m.computeRarestWindows(k));
    report({ events: events(sessions), seconds, eventsPerSecond: events(sessions) / seconds });
  } else if (name === "sessionize") {
    const rows: Record<string, unknown>[] = [];
    for (const s of generateEvents(1_000_000))
      for (const e of s) rows.push({ user: e.user, time: e.time, op: e.command });
    if (arg === "ordered") {
      // As a log export comes: every event in time order, identities interleaved.
      rows.sort((a, b) => (a.time as number) - (b.time as number));
    } else {
      // Shuffled: the worst case, nothing in order.
      for (let i = rows.length - 1; i > 0; i--) {
        const j = Math.floor((((i * 2654435761) % 4294967296) / 4294967296) * (i + 1));
        [rows[i], rows[j]] = [rows[j] as Record<string, unknown>, rows[i] as Record<string, unknown>];
      }
    }
    const opts = {
      userIdentifierCols: ["user"],
      timeCol: "time",
      eventCol: "op",
      maxSessionTimeMins: 20,
      maxEventSeparationMins: 2,
    };
    const seconds = timed(() => void sessionize(rows, opts));
    report({ events: rows.length, seconds, eventsPerSecond: rows.length / seconds });
  } else if (name === "hunt") {
    const [count = "0", ...flags] = arg.split(":");
    const withOut = flags.includes("out") ? "out" : undefined;
    // Inputs above 1.5 GB are hunted over spilled sessions unless told otherwise; `memory` or `spill` forces either.
    for (const mode of ["memory", "spill"]) if (flags.includes(mode)) process.env.SEQHUNT_HUNT_MODE = mode;
    const n = Number(count);
    const file = await eventsCsv(n);
    const bytes = statSync(file).size;
    const out = join(DATA, `scores-${n}.jsonl`);
    const args = ["hunt", file, ...HUNT_COLUMNS, ...(withOut === "out" ? ["--out", out] : [])];
    const runs = n > 2_000_000 ? 1 : 3;
    // Up to 2M events with --out: against DuckDB scanning the same file's columns, taking turns.
    const times =
      withOut === "out" && n <= 2_000_000
        ? await mediansInTurns(
            () => timedHunt(args, 1).then(() => {}),
            () => scanColumns(file),
            runs,
          )
        : { seconds: await timedHunt(args, runs) };
    reportRead(n, bytes, times);
  } else if (name === "read") {
    // What every hunt of the file spends before any detector: against DuckDB scanning its columns, taking turns.
    const n = Number(arg);
    const file = await eventsCsv(n);
    const bytes = statSync(file).size;
    const times = await mediansInTurns(
      () => readAlone(file),
      () => scanColumns(file),
      3,
    );
    reportRead(n, bytes, times);
  } else if (name === "cloudtrail") {
    // A CloudTrail S3 tree of FILES gzipped containers of PER records each, as `--source cloudtrail` reads it.
    await huntOfFiles(arg, "cloudtrail", writeCloudTrail, ["--source", "cloudtrail"]);
  } else if (name === "auditd") {
    // A host's audit folder: FILES logs (audit.log and rotations) of PER SYSCALL records each, `--source auditd`.
    await huntOfFiles(arg, "auditd", writeAuditLogs, ["--source", "auditd"]);
  } else if (name === "jsonl-files") {
    // FILES gzipped JSON Lines files of PER events each, fields named.
    await huntOfFiles(arg, "jsonl", writeJsonLines, [
      "--user",
      "UserId",
      "--time",
      "TimeGenerated",
      "--event",
      "Operation",
    ]);
  } else if (name === "threads") {
    // The same hunt (--out, values) with --threads 1 and with every core, taking turns; speed-up = one / all.
    const n = Number(arg);
    const cores = availableParallelism();
    const file = await eventsCsv(n);
    const args = ["hunt", file, ...HUNT_COLUMNS, "--out", join(DATA, `scores-${n}.jsonl`)];
    const one: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < Math.max(1, Math.min(RUNS, 3)); i++) {
      one.push(await timedHunt([...args, "--threads", "1"], 1));
      all.push(await timedHunt([...args, "--threads", String(cores)], 1));
    }
    const seconds = median(all);
    const baselineSeconds = median(one);
    report({
      events: n,
      seconds,
      eventsPerSecond: n / seconds,
      baselineSeconds,
      ratio: seconds / baselineSeconds,
      speedup: baselineSeconds / seconds,
      cores,
    });
  } else if (name === "score") {
    const train = generateSessions(1_000_000, "cmds_params_values", 1);
    const m = new Model(train);
    m.train();
    const saved = join(DATA, "model.json");
    mkdirSync(DATA, { recursive: true });
    writeFileSync(saved, JSON.stringify(m.toJSON()));
    const model = Model.fromJSON(
      JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(saved, "utf8"))),
    );
    const fresh = generateSessions(1_000_000, "cmds_params_values", 2);
    const seconds = timed(() => void model.score(fresh, { windowLength: 3 }));
    report({ events: events(fresh), seconds, eventsPerSecond: events(fresh) / seconds });
  } else if (name === "startup") {
    // As a user starts it: a new process of the built CLI (this build's copy of src/cli/main.ts).
    const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli", "main.js");
    const version = [cli, "--version"];
    if (arg === "version") {
      report({ events: 0, eventsPerSecond: 0, ...inTurns(["-e", "0"], version, 15, best) });
    } else {
      const n = Number(arg);
      const file = await eventsCsv(n);
      const hunt = [cli, "hunt", file, ...HUNT_COLUMNS.filter((a) => a !== "--quiet")];
      const times = inTurns(version, hunt, 15, best);
      report({ events: n, eventsPerSecond: n / times.seconds, ...times });
    }
  } else if (name === "score-model") {
    // A baseline trained once (a new process), then `score --model --out` of its first 1,000 events in a new
    // process, taking turns with a hunt of the same 1,000 events: what loading the baseline's file costs.
    const [count = "0", method = "default"] = arg.split(":");
    const n = Number(count);
    const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli", "main.js");
    const file = await eventsCsv(n);
    const small = join(DATA, `events-${n}-first-1000.csv`);
    writeFileSync(small, firstLines(file, 1001));
    const model = join(DATA, `model-${n}-${method}.json`);
    const methodArgs = method === "default" ? [] : ["--method", method];
    spawned([cli, "train", file, ...HUNT_COLUMNS, ...methodArgs, "--out", model]);
    const out = ["--out", join(DATA, `scores-${n}-first-1000.jsonl`)];
    const hunt = [cli, "hunt", small, ...HUNT_COLUMNS, ...methodArgs, ...out];
    const score = [cli, "score", small, ...HUNT_COLUMNS, "--model", model, ...out];
    const times = inTurns(hunt, score, Math.min(RUNS, 3), median);
    const megabytes = statSync(model).size / 1e6;
    report({
      events: 1000,
      eventsPerSecond: 1000 / times.seconds,
      megabytes,
      mbPerSecond: megabytes / times.seconds,
      ...times,
    });
  } else if (name === "clickhouse-load") {
    const [count = "0", sharding = "alternate"] = arg.split(":");
    await ensureServers();
    await loadEvents(clickHouseTable(Number(count), sharding), Number(count), 1, sharding as Sharding);
    report({ events: Number(count), seconds: 0, eventsPerSecond: 0 });
  } else if (name === "clickhouse") {
    // hunt with --engine clickhouse on two shards, top 20 back. The reference is pushed down (sessionized,
    // counted and scored there); the default detector is counted there and scored here held out as the
    // sessions stream back once.
    // The table is sharded at random (the server given by --url does the per-identity work) or by identity
    // (each shard does its own); each server's share of the work comes from its query log.
    // The default detector's context chain is counted where `context` says (clickhouse or stream).
    const [count = "0", sharding = "alternate", method = "reference", context] = arg.split(":");
    const n = Number(count);
    // Loaded by another process, so that this one's peak RSS is the hunt's own.
    const load = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), "clickhouse-load", `${count}:${sharding}`],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    if (load.status !== 0) throw new Error(`loading ${n} events into ClickHouse failed`);
    const table = clickHouseTable(n, sharding);
    const args = ["hunt", "--engine", "clickhouse", "--url", SHARDS[0], "--table", table, "--seq", "seq"];
    const shards =
      sharding === "by-identity" ? ["--shard-urls", SHARDS.join(",")] : ["--shard-work", "initiator"];
    const detector = [
      ...(method === "default" ? [] : ["--method", method]),
      ...(context === undefined ? [] : ["--context-counts", context]),
    ];
    const since = await serverClock();
    const cpuBefore = process.cpuUsage();
    const seconds = await timedHunt(
      [...args, ...shards, ...detector, "--time", "TimeMs", ...HUNT_COLUMNS],
      1,
    );
    const own = process.cpuUsage(cpuBefore);
    const work = await serverWork(since, table);
    const cpu = work.reduce((sum, w) => sum + w.cpuSeconds, 0);
    report({
      events: n,
      seconds,
      eventsPerSecond: n / seconds,
      seqhuntCpuSeconds: (own.user + own.system) / 1e6,
      servers: work.map((w) => ({ ...w, share: cpu > 0 ? w.cpuSeconds / cpu : 0 })),
    });
  } else {
    throw new Error(`unknown case ${name}`);
  }
}

await main();
