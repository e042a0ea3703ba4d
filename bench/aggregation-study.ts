// How a chain's per-step surprises rank whole sessions: each aggregation (mean per step, length-standardised
// total, rarest step, occurrence) of an interpolated chain at first order and at the order chosen by held-out
// likelihood, beside the detectors. On ADFA-LD (a copy at bench-data/ADFA-LD) the chosen-order mean and total
// rank near 0.85 where markov-set and the default rank near 0.72 (README, "ADFA-LD").
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/aggregation-study.js [seed] [sets]
import { AdaptiveDetector, type ViewName } from "../src/detect/adaptive.js";
import { trainDetector } from "../src/detect/detector.js";
import { evaluate } from "../src/eval/metrics.js";
import { studySets } from "./datasets.js";

const seed = Number(process.argv[2] ?? 1);
const only = process.argv[3]?.split(",");
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
for (const [name, make] of studySets(seed)) {
  if (only !== undefined && !only.includes(name)) continue;
  const d = make();
  const labels = d.test.map((t) => t.label);
  const weights = d.test.map((t) => t.weight ?? 1);
  const m = (s: readonly number[]) => {
    const e = evaluate(s, labels, weights);
    return `${e.auc.toFixed(3)} / ${pct(e.hitRateAtFalseAlarm["0.01"])} / ${pct(e.hitRateAtFalseAlarm["0.05"])}`;
  };
  const out: string[] = [];
  for (const order of [1, undefined]) {
    for (const view of ["mean", "total", "max", "rawmax", "set", "setw"] as ViewName[]) {
      const a = new AdaptiveDetector(d.train, { views: [view], ...(order ? { order } : {}) });
      out.push(`k=${a.order} ${view}: ${m(a.score(d.test))}`);
    }
  }
  for (const method of ["markov-set", "markov-novelty", "markov-order5", "adaptive"])
    out.push(`${method}: ${m(trainDetector(method, d.train).score(d.test))}`);
  console.log(`## ${name}\n${out.join("\n")}`);
}
