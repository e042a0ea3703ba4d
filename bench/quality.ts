// npm run quality: detection quality of every method on the public labelled data in ../shared/datasets,
// with the protocols of its README. Writes the train/test JSONL it builds to bench-data/quality.
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

const only = process.argv.slice(2);
const methods = only.length ? only : [...DETECTORS.keys()];
const seaData = sea();
save("sea", seaData);
const hdfsRuns = [1, 2, 3, 4, 5].map((seed) => hdfs(seed));
save("hdfs-seed1", hdfsRuns[0] as Dataset);
console.log(
  "| method | SEA AUC | SEA hit @1% / @5% FA | SEA hit @1% / @5%, per-user thresholds | HDFS AUC (seed 1) | HDFS best F1 (P / R) | HDFS F1 over 5 seeds |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const method of methods) {
  const s = run(seaData, method);
  const h = hdfsRuns.map((d) => run(d, method));
  const first = h[0] as Metrics;
  const f1s = h.map((m) => m.bestF1);
  const mean = f1s.reduce((a, b) => a + b, 0) / f1s.length;
  const spread = Math.sqrt(f1s.reduce((a, b) => a + (b - mean) ** 2, 0) / f1s.length);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(
    `| ${method} | ${s.auc.toFixed(3)} | ${pct(s.hitRateAtFalseAlarm["0.01"])} / ${pct(s.hitRateAtFalseAlarm["0.05"])} | ${pct(s.perEntity[0])} / ${pct(s.perEntity[1])} | ${first.auc.toFixed(4)} | ${first.bestF1.toFixed(3)} (${first.precision.toFixed(3)} / ${first.recall.toFixed(3)}) | ${mean.toFixed(3)} ± ${spread.toFixed(3)} |`,
  );
}
