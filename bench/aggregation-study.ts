// How a chain's per-step surprises rank whole sessions: each aggregation (mean per step, length-standardised
// total, rarest step, occurrence) of an interpolated chain at first order and at the order chosen by held-out
// likelihood, beside the detectors. On ADFA-LD (a copy at bench-data/ADFA-LD) the chosen-order mean and total
// rank near 0.85 where markov-set and the default rank near 0.72 (README, "ADFA-LD"). Means with each step's
// surprise bounded rank ADFA-LD higher (at most 3 nats: 0.867, 0.883, 0.871 against 0.850, 0.864, 0.855) and
// every other long-trace set lower (HDFS 0.996 -> 0.944, splicedLpr 0.969 -> 0.809): not built.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/aggregation-study.js [seed] [sets]
import { AdaptiveDetector, type ViewName } from "../src/detect/adaptive.js";
import { ContextChain } from "../src/detect/context-chain.js";
import { trainDetector } from "../src/detect/detector.js";
import { rankingOf, studySets } from "./datasets.js";

const seed = Number(process.argv[2] ?? 1);
const only = process.argv[3]?.split(",");
for (const [name, make] of studySets(seed)) {
  if (only !== undefined && !only.includes(name)) continue;
  const d = make();
  const m = rankingOf(d);
  const out: string[] = [];
  for (const order of [1, undefined]) {
    for (const view of ["mean", "total", "max", "rawmax", "set", "setw"] as ViewName[]) {
      const a = new AdaptiveDetector(d.train, { views: [view], ...(order ? { order } : {}) });
      out.push(`k=${a.order} ${view}: ${m(a.score(d.test))}`);
    }
  }
  // Bounded means of the chosen-order chain's steps: each step at most the surprise of a uniform guess
  // (ln of the vocabulary and the end), at most 3 nats, or as ln(1 + surprise).
  const chain = ContextChain.train(d.train);
  const steps = d.test.map((t) => chain.steps(t));
  const meanOf = (f: (x: number) => number) =>
    steps.map((xs) => xs.reduce((a, x) => a + f(x), 0) / xs.length);
  const uniform = Math.log(chain.vocabulary.size + 1);
  out.push(
    `k=${chain.order} mean, each step at most ${uniform.toFixed(2)}: ${m(meanOf((x) => Math.min(x, uniform)))}`,
  );
  out.push(`k=${chain.order} mean, each step at most 3: ${m(meanOf((x) => Math.min(x, 3)))}`);
  out.push(`k=${chain.order} mean of ln(1 + step): ${m(meanOf(Math.log1p))}`);
  for (const method of ["markov-set", "markov-novelty", "markov-order5", "adaptive"])
    out.push(`${method}: ${m(trainDetector(method, d.train).score(d.test))}`);
  console.log(`## ${name}\n${out.join("\n")}`);
}
