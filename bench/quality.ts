// npm run quality: detection quality of every method on the public labelled data in ../shared/datasets,
// with the protocols of its README, and on the system-call traces made here (bench/strace, seed 1). Writes
// the train/test JSONL it builds to bench-data/quality.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { trainDetector } from "../src/detect/detector.js";
import { DETECTORS } from "../src/detect/registry.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate, type Metrics } from "../src/eval/metrics.js";
import { ADFA_LD, adfaLd, type Dataset, hdfs, lpr, sea, straceTraces } from "./datasets.js";

const OUT = join(process.cwd(), "bench-data", "quality");

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
// ADFA-LD is not in ../shared: its column is there when a copy is at bench-data/ADFA-LD.
const adfa = existsSync(ADFA_LD);
const traceRuns = [lpr("unm", 1), lpr("mit", 1), straceTraces(1), ...(adfa ? [adfaLd(ADFA_LD, 1)] : [])];
save("hdfs-seed1", hdfsRuns[0] as Dataset);
console.log(
  `| method | SEA AUC | SEA hit @1% / @5% FA | SEA hit @1% / @5%, per-user thresholds | HDFS AUC (seed 1) | HDFS best F1 (P / R) | HDFS F1 over 5 seeds | UNM lpr AUC / hit @1% / @5% | MIT lpr AUC / hit @1% / @5% | strace traces (ours) AUC / hit @1% / @5% |${adfa ? " ADFA-LD (seed 1) AUC / hit @1% / @5% |" : ""}`,
);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${adfa ? " ---: |" : ""}`);
for (const method of methods) {
  const s = run(seaData, method);
  const h = hdfsRuns.map((d) => run(d, method));
  const first = h[0] as Metrics;
  const f1s = h.map((m) => m.bestF1);
  const mean = f1s.reduce((a, b) => a + b, 0) / f1s.length;
  const spread = Math.sqrt(f1s.reduce((a, b) => a + (b - mean) ** 2, 0) / f1s.length);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const traces = traceRuns.map((d) => {
    const m = run(d, method);
    return `${m.auc.toFixed(3)} / ${pct(m.hitRateAtFalseAlarm["0.01"])} / ${pct(m.hitRateAtFalseAlarm["0.05"])}`;
  });
  console.log(
    `| ${method} | ${s.auc.toFixed(3)} | ${pct(s.hitRateAtFalseAlarm["0.01"])} / ${pct(s.hitRateAtFalseAlarm["0.05"])} | ${pct(s.perEntity[0])} / ${pct(s.perEntity[1])} | ${first.auc.toFixed(4)} | ${first.bestF1.toFixed(3)} (${first.precision.toFixed(3)} / ${first.recall.toFixed(3)}) | ${mean.toFixed(3)} ± ${spread.toFixed(3)} | ${traces.join(" | ")} |`,
  );
}
