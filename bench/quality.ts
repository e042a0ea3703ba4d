// npm run quality: detection quality of every registered method on every public labelled set in
// ../shared/datasets (SEA, HDFS, UNM and MIT live lpr), with the protocols of its README, as one table.
// Writes the train/test JSONL it builds to bench-data/quality. Arguments: method names to run only those.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rng } from "../src/demo/generate.js";
import { trainDetector } from "../src/detect/detector.js";
import { DETECTORS } from "../src/detect/registry.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate, type Metrics } from "../src/eval/metrics.js";

const SHARED = process.env.SEQHUNT_SHARED ?? join(process.cwd(), "..", "shared");
const OUT = join(process.cwd(), "bench-data", "quality");

interface Dataset {
  train: WeightedSession[];
  test: (WeightedSession & { label: number })[];
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

/**
 * Hit rate with one threshold per entity (SEA's second protocol): each user's threshold keeps false alarms
 * on that user's clean blocks at or below `rate`; hits are summed over users.
 */
function perEntityHitRate(test: Dataset["test"], scores: readonly number[], rate: number): number {
  const byEntity = new Map<string | undefined, number[]>();
  test.forEach((t, i) => {
    byEntity.set(t.entity, [...(byEntity.get(t.entity) ?? []), i]);
  });
  let hits = 0;
  let positives = 0;
  for (const indices of byEntity.values()) {
    const order = [...indices].sort((a, b) => (scores[b] as number) - (scores[a] as number));
    const negatives = order.filter((i) => test[i]?.label !== 1).length;
    positives += order.length - negatives;
    let tp = 0;
    let fp = 0;
    let caught = 0;
    for (let k = 0; k < order.length; ) {
      const s = scores[order[k] as number];
      // Sessions with equal scores are one threshold step.
      while (k < order.length && scores[order[k] as number] === s) {
        if (test[order[k] as number]?.label === 1) tp++;
        else fp++;
        k++;
      }
      if (fp <= rate * negatives) caught = tp;
    }
    hits += caught;
  }
  return hits / positives;
}

function run(data: Dataset, method: string): Metrics & { perEntity: [number, number] } {
  const detector = trainDetector(method, data.train);
  const scores = detector.score(data.test);
  return {
    ...evaluate(
      scores,
      data.test.map((t) => t.label),
      data.test.map((t) => t.weight ?? 1),
    ),
    perEntity: [perEntityHitRate(data.test, scores, 0.01), perEntityHitRate(data.test, scores, 0.05)],
  };
}

function save(name: string, data: Dataset): void {
  mkdirSync(OUT, { recursive: true });
  // eval's JSONL calls the weight "count".
  const lines = (xs: (WeightedSession & { label?: number })[]) =>
    `${xs.map(({ weight, ...x }) => JSON.stringify({ ...x, count: weight })).join("\n")}\n`;
  writeFileSync(join(OUT, `${name}-train.jsonl`), lines(data.train));
  writeFileSync(join(OUT, `${name}-test.jsonl`), lines(data.test));
}

/**
 * UNM or MIT live lpr (long system-call traces): a session is one process's calls in file order; the normal
 * processes shuffled with a fixed seed, half to train, the other half and every exploit process to test.
 */
export function lpr(site: "unm" | "mit", seed: number): Dataset {
  const processes = (file: string) => {
    const byPid = new Map<string, string[]>();
    for (const line of readFileSync(join(SHARED, "datasets", "unm", file), "utf8").split("\n")) {
      const [pid, call] = line.trim().split(/\s+/);
      if (pid === undefined || call === undefined) continue;
      let calls = byPid.get(pid);
      if (calls === undefined) {
        calls = [];
        byPid.set(pid, calls);
      }
      calls.push(call);
    }
    return [...byPid.values()];
  };
  const normal = processes(`${site}-lpr-normal.int`);
  const random = rng(seed);
  for (let i = normal.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [normal[i], normal[j]] = [normal[j] as string[], normal[i] as string[]];
  }
  const half = Math.floor(normal.length / 2);
  return {
    train: normal.slice(0, half).map((session) => ({ session })),
    test: [
      ...normal.slice(half).map((session) => ({ session, label: 0 })),
      ...processes(`${site}-lpr-exploit.int`).map((session) => ({ session, label: 1 })),
    ],
  };
}

const only = process.argv.slice(2);
const methods = only.length ? only : [...DETECTORS.keys()];
const sets: [string, Dataset, string][] = [
  ["SEA", sea(), "sea"],
  ["HDFS (seed 1)", hdfs(1), "hdfs-seed1"],
  ["UNM lpr (seed 1)", lpr("unm", 1), "unm-lpr-seed1"],
  ["MIT lpr (seed 1)", lpr("mit", 1), "mit-lpr-seed1"],
];
for (const [, data, file] of sets) save(file, data);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log("| method | data | AUC | best F1 (P / R) | hits @1% FA | hits @5% FA | notes |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | --- |");
for (const method of methods) {
  for (const [name, data] of sets) {
    const m = run(data, method);
    const notes =
      name === "SEA" ? `per-user thresholds: ${pct(m.perEntity[0])} / ${pct(m.perEntity[1])}` : "";
    console.log(
      `| ${method} | ${name} | ${m.auc.toFixed(4)} | ${m.bestF1.toFixed(3)} (${m.precision.toFixed(3)} / ${m.recall.toFixed(3)}) | ${pct(m.hitRateAtFalseAlarm["0.01"])} | ${pct(m.hitRateAtFalseAlarm["0.05"])} | ${notes} |`,
    );
  }
}
