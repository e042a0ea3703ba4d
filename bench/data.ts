// Seeded generator of realistic event logs for the benchmarks: about 200 commands with Zipf-skewed
// frequencies and preferred successors, sessions of 1 to 100 events, parameters with categorical and
// free-text values, thousands of users.

import { once } from "node:events";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { rng } from "../src/demo/generate.js";
import { Cmd } from "../src/index.js";
import type { Command } from "../src/types.js";

const COMMANDS = 200;
const PARAMS = 60;

interface Shape {
  names: string[];
  /** Cumulative Zipf weights over commands. */
  cumulative: Float64Array;
  /** Per command: a few preferred successors. */
  next: number[][];
  /** Per command: its parameters (ids into paramNames). */
  params: number[][];
  paramNames: string[];
  /** Per parameter: categorical values, or null for free text. */
  values: (string[] | null)[];
}

function shape(random: () => number): Shape {
  const names = Array.from(
    { length: COMMANDS },
    (_, i) => `${["Get", "Set", "New", "Remove", "Add", "Enable"][i % 6]}-Object${i}`,
  );
  const weights = names.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = new Float64Array(COMMANDS);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w / total;
    cumulative[i] = acc;
  });
  const next = names.map(() => Array.from({ length: 4 }, () => Math.floor(random() * COMMANDS)));
  const paramNames = Array.from({ length: PARAMS }, (_, i) => `Param${i}`);
  const params = names.map(() => {
    const n = 1 + Math.floor(random() * 5);
    return [...new Set(Array.from({ length: n }, () => Math.floor(random() * PARAMS)))];
  });
  const values = paramNames.map((_, i) =>
    i % 3 === 0 ? null : Array.from({ length: 2 + (i % 6) }, (_, v) => `v${v}`),
  );
  return { names, cumulative, next, params, paramNames, values };
}

function zipf(s: Shape, random: () => number): number {
  const x = random();
  let lo = 0;
  let hi = COMMANDS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((s.cumulative[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One generated event. */
export interface BenchEvent {
  user: string;
  time: number;
  command: number;
  params: [string, string][];
}

/** Generates sessions as events (grouped by session, in time order), about `events` of them. */
export function* generateEvents(events: number, seed = 1, users = 5000): Generator<BenchEvent[]> {
  const random = rng(seed);
  const s = shape(rng(12345));
  const start = Date.UTC(2026, 0, 1);
  let made = 0;
  let clock = start;
  while (made < events) {
    const user = `user${Math.floor(random() * users)}@contoso.com`;
    const length = Math.min(100, 1 + Math.floor(-Math.log(1 - random()) * 9), events - made);
    clock += Math.floor(random() * 40_000);
    let time = clock;
    let cmd = zipf(s, random);
    const session: BenchEvent[] = [];
    for (let i = 0; i < length; i++) {
      const params: [string, string][] = (s.params[cmd] as number[]).map((p) => {
        const cats = s.values[p];
        return [
          s.paramNames[p] as string,
          cats ? (cats[Math.floor(random() * cats.length)] as string) : `id-${Math.floor(random() * 1e6)}`,
        ];
      });
      session.push({ user, time, command: cmd, params });
      time += 1000 + Math.floor(random() * 60_000);
      cmd =
        random() < 0.7 ? ((s.next[cmd] as number[])[Math.floor(random() * 4)] as number) : zipf(s, random);
    }
    made += length;
    yield session;
  }
}

/** Command names of the generated data. */
export const commandNames = shape(rng(12345)).names;

/** Sessions of the given type, about `events` commands in all. */
export function generateSessions(
  events: number,
  type: "cmds_only" | "cmds_params_only" | "cmds_params_values",
  seed = 1,
): Command[][] {
  const out: Command[][] = [];
  for (const session of generateEvents(events, seed)) {
    out.push(
      session.map((e) => {
        const name = commandNames[e.command] as string;
        if (type === "cmds_only") return name;
        if (type === "cmds_params_only") return new Cmd(name, new Set(e.params.map(([p]) => p)));
        return new Cmd(name, Object.fromEntries(e.params));
      }),
    );
  }
  return out;
}

/** Writes a CSV event log (shuffled within time windows, as exports are) and returns its size in bytes. */
export async function writeCsv(path: string, events: number, seed = 1): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (line: string) => {
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, "drain");
  };
  await write("TimeGenerated,UserId,Operation,Parameters\n");
  for (const session of generateEvents(events, seed)) {
    for (const e of session) {
      const params = JSON.stringify(e.params.map(([Name, Value]) => ({ Name, Value }))).replace(/"/g, '""');
      await write(`${new Date(e.time).toISOString()},${e.user},${commandNames[e.command]},"${params}"\n`);
    }
  }
  out.end();
  await once(out, "finish");
  return bytes;
}

/**
 * Writes a CloudTrail S3 tree (`AWSLogs/<account>/CloudTrail/<region>/<y>/<m>/<d>/...json.gz`, each file a
 * `{"Records": [...]}` container of `perFile` records, as CloudTrail delivers them) of `files` files; returns
 * its root and size in bytes.
 */
export function writeCloudTrail(root: string, files: number, perFile: number, seed = 1): number {
  const records: object[] = [];
  let bytes = 0;
  let written = 0;
  const flush = () => {
    const folder = join(root, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "01", "01");
    mkdirSync(folder, { recursive: true });
    const name = `111122223333_CloudTrail_us-east-1_20260101T${String(written).padStart(5, "0")}Z_bench.json.gz`;
    const body = gzipSync(JSON.stringify({ Records: records.splice(0) }));
    writeFileSync(join(folder, name), body);
    bytes += body.length;
    written++;
  };
  let id = 0;
  for (const session of generateEvents(files * perFile, seed, 500)) {
    for (const e of session) {
      records.push({
        eventVersion: "1.09",
        userIdentity: { type: "IAMUser", arn: `arn:aws:iam::111122223333:user/${e.user}` },
        eventTime: new Date(e.time).toISOString().replace(/\.\d+Z$/, "Z"),
        eventSource: `service${e.command % 12}.amazonaws.com`,
        eventName: (commandNames[e.command] as string).replace("-", ""),
        requestParameters: Object.fromEntries(e.params),
        eventID: `00000000-0000-4000-8000-${String(id++).padStart(12, "0")}`,
      });
      if (records.length === perFile && written < files - 1) flush();
    }
  }
  flush();
  return bytes;
}

/** Writes `files` gzipped JSON Lines files of `perFile` generated events each into `root`; returns their size in bytes. */
export function writeJsonLines(root: string, files: number, perFile: number, seed = 1): number {
  mkdirSync(root, { recursive: true });
  const lines: string[] = [];
  let bytes = 0;
  let written = 0;
  const flush = () => {
    const body = gzipSync(`${lines.splice(0).join("\n")}\n`);
    writeFileSync(join(root, `events-${String(written).padStart(5, "0")}.jsonl.gz`), body);
    bytes += body.length;
    written++;
  };
  for (const session of generateEvents(files * perFile, seed, 500))
    for (const e of session) {
      lines.push(
        JSON.stringify({
          UserId: e.user,
          TimeGenerated: new Date(e.time).toISOString(),
          Operation: commandNames[e.command],
        }),
      );
      if (lines.length === perFile && written < files - 1) flush();
    }
  flush();
  return bytes;
}

/**
 * A host's Linux audit logs at `root` as auditd writes them: FILES files (`audit.log`, `audit.log.1`, ...) of
 * about PER SYSCALL records each (x86_64, every other record enriched, a PROCTITLE record after each), a
 * generated session a process (its commands as calls: the command's number modulo 300). Returns the bytes.
 */
export function writeAuditLogs(root: string, files: number, perFile: number, seed = 1): number {
  mkdirSync(root, { recursive: true });
  const lines: string[] = [];
  let bytes = 0;
  let written = 0;
  let serial = 0;
  let pid = 1000;
  const flush = () => {
    const body = `${lines.splice(0).join("\n")}\n`;
    writeFileSync(join(root, written === 0 ? "audit.log" : `audit.log.${written}`), body);
    bytes += Buffer.byteLength(body);
    written++;
  };
  for (const session of generateEvents(files * perFile, seed, 500)) {
    pid++;
    for (const e of session) {
      serial++;
      const call = e.command % 300;
      const stamp = `${(e.time / 1000).toFixed(3)}:${serial}`;
      const raw = `type=SYSCALL msg=audit(${stamp}): arch=c000003e syscall=${call} success=yes exit=0 a0=3 a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=${pid} auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4 comm="prog${e.command % 40}" exe="/usr/bin/prog${e.command % 40}" subj=unconfined key=(null)`;
      lines.push(
        serial % 2 === 0 ? `${raw}\u001dARCH=x86_64 SYSCALL=call${call} AUID="alice" UID="root"` : raw,
      );
      lines.push(`type=PROCTITLE msg=audit(${stamp}): proctitle=2F7573722F62696E2F70726F67`);
      if (lines.length >= 2 * perFile && written < files - 1) flush();
    }
  }
  flush();
  return bytes;
}
