// The public labelled data in ../shared/datasets, split by the protocols of its README (and a proxy of long
// system-call traces with a local anomaly), shared by `npm run quality` and the detector studies.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { rng } from "../src/demo/generate.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate } from "../src/eval/metrics.js";

const SHARED = process.env.SEQHUNT_SHARED ?? join(process.cwd(), "..", "shared");

/** Training sessions (normal) and labelled test sessions. */
export interface Dataset {
  /** Normal sessions to learn from. */
  train: WeightedSession[];
  /** Sessions to score, 1 = anomalous. */
  test: (WeightedSession & { label: number })[];
}

/** How scores of `d`'s test sessions rank them, as a study prints it: "AUC / hits @1% / @5% false alarms". */
export function rankingOf(d: Dataset): (scores: readonly number[]) => string {
  const labels = d.test.map((t) => t.label);
  const weights = d.test.map((t) => t.weight ?? 1);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (scores) => {
    const e = evaluate(scores, labels, weights);
    return `${e.auc.toFixed(3)} / ${pct(e.hitRateAtFalseAlarm["0.01"])} / ${pct(e.hitRateAtFalseAlarm["0.05"])}`;
  };
}

/** SEA: a session is a block of 100 commands; per user, train on blocks 1-50, test blocks 51-150. */
export function sea(): Dataset {
  const dir = join(SHARED, "datasets", "sea");
  const labels = readFileSync(join(dir, "masquerade_summary.txt"), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number));
  const train: WeightedSession[] = [];
  const test: Dataset["test"] = [];
  for (let u = 0; u < 50; u++) {
    const cmds = readFileSync(join(dir, `User${u + 1}`), "utf8")
      .trim()
      .split("\n")
      .map((c) => c.trim());
    for (let b = 0; b < 150; b++) {
      const session = cmds.slice(b * 100, b * 100 + 100);
      if (b < 50) train.push({ session, entity: `User${u + 1}` });
      else test.push({ session, entity: `User${u + 1}`, label: labels[b - 50]?.[u] ?? 0 });
    }
  }
  return { train, test };
}

/** HDFS: expand sequences by count, a seeded 1% of normal blocks to train, all the rest to test. */
export function hdfs(seed: number): Dataset {
  const rows = readFileSync(join(SHARED, "datasets", "hdfs", "hdfs_full_collapsed_unique.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1);
  const random = rng(seed);
  const train: WeightedSession[] = [];
  const test: Dataset["test"] = [];
  for (const line of rows) {
    const [sequence = "", countText = "0", labelText = "0"] = line.split(",");
    const session = sequence.split(" ");
    const count = Number(countText);
    const label = Number(labelText);
    if (label === 1) {
      test.push({ session, weight: count, label });
      continue;
    }
    let picked = 0;
    for (let i = 0; i < count; i++) if (random() < 0.01) picked++;
    if (picked > 0) train.push({ session, weight: picked });
    if (count > picked) test.push({ session, weight: count - picked, label });
  }
  return { train, test };
}

/** Processes of a `PID SYSCALL` trace file: each process's calls in file order. */
function processes(file: string): string[][] {
  const byPid = new Map<string, string[]>();
  for (const line of readFileSync(join(SHARED, "datasets", "unm", file), "utf8").split("\n")) {
    const [pid, call] = line.trim().split(/\s+/);
    if (pid === undefined || pid === "" || call === undefined) continue;
    let calls = byPid.get(pid);
    if (calls === undefined) {
      calls = [];
      byPid.set(pid, calls);
    }
    calls.push(call);
  }
  return [...byPid.values()];
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const random = rng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** UNM or MIT live lpr: normal processes shuffled with `seed`, half to train; test the rest and every exploit process. */
export function lpr(site: "unm" | "mit", seed: number): Dataset {
  const normal = shuffle(processes(`${site}-lpr-normal.int`), seed);
  const half = Math.floor(normal.length / 2);
  return {
    train: normal.slice(0, half).map((session) => ({ session })),
    test: [
      ...normal.slice(half).map((session) => ({ session, label: 0 })),
      ...processes(`${site}-lpr-exploit.int`).map((session) => ({ session, label: 1 })),
    ],
  };
}

/**
 * A proxy for long system-call traces where the attack hides inside ordinary activity (not the hidden set):
 * both sites' normal processes pooled and shuffled, a quarter to train; each held-out normal process is
 * tested as it is and, as an anomaly, with `span` consecutive calls replaced by as many from a random
 * exploit process (of either site) at a random offset.
 */
export function splicedLpr(seed: number, span = 12): Dataset {
  const normal = shuffle([...processes("unm-lpr-normal.int"), ...processes("mit-lpr-normal.int")], seed);
  const exploits = [...processes("unm-lpr-exploit.int"), ...processes("mit-lpr-exploit.int")];
  const random = rng(seed + 1000);
  const cut = Math.floor(normal.length / 4);
  const test: Dataset["test"] = [];
  for (const session of normal.slice(cut)) {
    test.push({ session, label: 0 });
    const donor = exploits[Math.floor(random() * exploits.length)] as string[];
    const n = Math.min(span, donor.length, session.length);
    const from = Math.floor(random() * (donor.length - n + 1));
    const at = Math.floor(random() * (session.length - n + 1));
    test.push({
      session: [...session.slice(0, at), ...donor.slice(from, from + n), ...session.slice(at + n)],
      label: 1,
    });
  }
  return { train: normal.slice(0, cut).map((session) => ({ session })), test };
}

/** Shortest and longest foreign segment spliced into a normal process by {@link mixedTraces}. */
const SPLICE_SPANS = [4, 64] as const;

/**
 * A harder proxy for the hidden long-trace set (ADFA-LD-like; a proxy, never the hidden set): normal processes of
 * both sites pooled (two installations of a program, unlike each other), a fifth to train (ADFA-LD trains on
 * 833 of 5,205 normal traces), so many held-out normal processes hold steps and runs never seen in training;
 * attacks about 15% of the test set (ADFA-LD: 746 of 5,118), half whole exploit processes (either site), half
 * held-out normal processes with a run of an exploit process spliced in whose length is drawn log-uniformly
 * from 4 to 64 calls (a payload of varied size inside ordinary activity). `part` keeps only the whole
 * exploits or only the spliced ones (with all the normals) to tell the two apart.
 */
export function mixedTraces(seed: number, part: "both" | "whole" | "spliced" = "both"): Dataset {
  const normal = shuffle([...processes("unm-lpr-normal.int"), ...processes("mit-lpr-normal.int")], seed);
  const exploits = shuffle([...processes("unm-lpr-exploit.int"), ...processes("mit-lpr-exploit.int")], seed);
  const random = rng(seed + 2000);
  const cut = Math.floor(normal.length / 5);
  const held = normal.slice(cut);
  const attacks = Math.round((0.15 / 0.85) * held.length);
  const test: Dataset["test"] = held.map((session) => ({ session, label: 0 }));
  for (let i = 0; i < attacks; i++) {
    const donor = exploits[i % exploits.length] as string[];
    if (i % 2 === 0) {
      if (part !== "spliced") test.push({ session: donor, label: 1 });
      continue;
    }
    const host = held[Math.floor(random() * held.length)] as string[];
    const [lo, hi] = SPLICE_SPANS;
    const span = Math.round(Math.exp(Math.log(lo) + random() * Math.log(hi / lo)));
    const n = Math.min(span, donor.length, host.length);
    const from = Math.floor(random() * (donor.length - n + 1));
    const at = Math.floor(random() * (host.length - n + 1));
    if (part !== "whole")
      test.push({
        session: [...host.slice(0, at), ...donor.slice(from, from + n), ...host.slice(at + n)],
        label: 1,
      });
  }
  return { train: normal.slice(0, cut).map((session) => ({ session })), test };
}

/**
 * {@link mixedTraces} with the normal traces of many other "programs" beside lpr's, as ADFA-LD holds many
 * programs' traces: each of the first `programs` SEA users' 5,000 clean commands cut into traces of 100-400
 * (a noisy program whose held-out traces often hold never-seen runs), a fifth of them to train with lpr's
 * fifth, the rest tested as normal. The attacks are those of {@link mixedTraces}. A proxy, never the hidden set.
 */
export function mixedPrograms(seed: number, programs = 10): Dataset {
  const lprData = mixedTraces(seed);
  const random = rng(seed + 3000);
  const dir = join(SHARED, "datasets", "sea");
  const traces: string[][] = [];
  for (let u = 0; u < programs; u++) {
    const cmds = readFileSync(join(dir, `User${u + 1}`), "utf8")
      .trim()
      .split("\n")
      .slice(0, 5000)
      .map((c) => c.trim());
    for (let at = 0; at < cmds.length; ) {
      const n = 100 + Math.floor(random() * 301);
      traces.push(cmds.slice(at, at + n));
      at += n;
    }
  }
  const shuffled = shuffle(traces, seed);
  const cut = Math.floor(shuffled.length / 5);
  return {
    train: [...lprData.train, ...shuffled.slice(0, cut).map((session) => ({ session }))],
    test: [...lprData.test, ...shuffled.slice(cut).map((session) => ({ session, label: 0 }))],
  };
}

/** Where bench/strace-traces.sh wrote the committed set of system-call traces. */
const STRACE = join(process.cwd(), "bench", "strace");

/** The processes of the system-call traces' `normal` or `attack` file, each with the program its run ran. */
export function straceProcesses(
  label: "normal" | "attack",
  dir = STRACE,
): { session: string[]; program: string }[] {
  return gunzipSync(readFileSync(join(dir, `${label}.jsonl.gz`)))
    .toString("utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { session: string[]; program: string });
}

/**
 * System-call traces made on this machine by bench/strace-traces.sh (every process of an ordinary workload and
 * of scripted intrusions; not the hidden set): normal processes shuffled with `seed`, a fifth to train (as
 * ADFA-LD trains on 833 of 5,205 normal traces), the rest and every attack process to test, in file order
 * (`dir`: where the script wrote them, bench/strace by default).
 */
export function straceTraces(seed: number, dir = STRACE): Dataset {
  const read = (label: "normal" | "attack") => straceProcesses(label, dir).map((p) => p.session);
  const normal = read("normal");
  const attack = read("attack");
  const shuffled = shuffle(normal, seed);
  const cut = Math.floor(shuffled.length / 5);
  return {
    train: shuffled.slice(0, cut).map((session) => ({ session })),
    test: [
      ...shuffled.slice(cut).map((session) => ({ session, label: 0 })),
      ...attack.map((session) => ({ session, label: 1 })),
    ],
  };
}

/** The traces of an ADFA-LD folder (one file of space-separated call numbers each), found below it in name order. */
function adfaFolder(dir: string): string[][] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".txt"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((file) => readFileSync(file, "utf8").trim().split(/\s+/));
}

/**
 * ADFA-LD (Creech and Hu, UNSW 2013) from a copy in its own layout, which is not in ../shared: train on
 * Training_Data_Master, test Validation_Data_Master and every trace below Attack_Data_Master, its published
 * protocol. A copy without Validation_Data_Master trains on a half of the training traces shuffled with `seed`
 * and tests the other half.
 */
export function adfaLd(dir: string, seed: number): Dataset {
  const training = adfaFolder(join(dir, "Training_Data_Master"));
  const validation = join(dir, "Validation_Data_Master");
  const [train, normal] = existsSync(validation)
    ? [training, adfaFolder(validation)]
    : halves(shuffle(training, seed));
  return {
    train: train.map((session) => ({ session })),
    test: [
      ...normal.map((session) => ({ session, label: 0 })),
      ...adfaFolder(join(dir, "Attack_Data_Master")).map((session) => ({ session, label: 1 })),
    ],
  };
}

function halves<T>(xs: T[]): [T[], T[]] {
  const cut = Math.floor(xs.length / 2);
  return [xs.slice(0, cut), xs.slice(cut)];
}

/** Where the studies look for a copy of ADFA-LD in its own layout (bench-data is not committed). */
export const ADFA_LD = join(process.cwd(), "bench-data", "ADFA-LD");

/**
 * Every public set and long-trace proxy at `seed` by name (SEA has no seed), made when asked: what the studies
 * loop over; ADFA-LD too when a copy is at {@link ADFA_LD}.
 */
export function studySets(seed: number): [string, () => Dataset][] {
  return [
    ...(existsSync(ADFA_LD) ? [["ADFA-LD", () => adfaLd(ADFA_LD, seed)] as [string, () => Dataset]] : []),
    ["SEA", sea],
    ["HDFS", () => hdfs(seed)],
    ["UNM", () => lpr("unm", seed)],
    ["MIT", () => lpr("mit", seed)],
    ["mixed", () => mixedTraces(seed)],
    ["spliced", () => splicedLpr(seed)],
    ["programs", () => mixedPrograms(seed)],
    ["strace", () => straceTraces(seed)],
  ];
}
