// Long sessions studied on the proxies of the hidden long-trace set (bench/datasets.ts): every method, and
// plain chains of fixed order scored by mean surprise per step. Prints markdown.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/long-trace-study.js [seeds]
import { AdaptiveDetector } from "../src/detect/adaptive.js";
import { trainDetector } from "../src/detect/detector.js";
import { evaluate } from "../src/eval/metrics.js";
import { type Dataset, mixedPrograms, mixedTraces, splicedLpr } from "./datasets.js";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function metrics(d: Dataset, scores: readonly number[]): string {
  const m = evaluate(
    scores,
    d.test.map((t) => t.label),
  );
  return `${m.auc.toFixed(3)} / ${pct(m.hitRateAtFalseAlarm["0.01"])} / ${pct(m.hitRateAtFalseAlarm["0.05"])}`;
}

const seeds = process.argv[2] === "seeds" ? [1, 2, 3, 4, 5] : [1];
const methods = (process.argv[3] ?? "reference,markov-set,markov-novelty").split(",");
for (const seed of seeds) {
  const sets: [string, Dataset][] = [
    ["mixed", mixedTraces(seed)],
    ["mixed whole", mixedTraces(seed, "whole")],
    ["mixed spliced", mixedTraces(seed, "spliced")],
    ["splicedLpr", splicedLpr(seed)],
    ["mixedPrograms", mixedPrograms(seed)],
  ];
  console.log(`\nseed ${seed}\n| method | ${sets.map(([n]) => `${n} AUC / @1% / @5%`).join(" | ")} |`);
  console.log(`| --- |${sets.map(() => " ---: |").join("")}`);
  for (const method of methods)
    console.log(
      `| ${method} | ${sets.map(([, d]) => metrics(d, trainDetector(method, d.train).score(d.test))).join(" | ")} |`,
    );
  for (const order of [undefined, 2, 4, 6, 8]) {
    const row = sets.map(([, d]) => {
      const a = new AdaptiveDetector(
        d.train,
        order === undefined ? { views: ["mean"], maxOrder: 10 } : { views: ["mean"], order, maxOrder: order },
      );
      return `${metrics(d, a.score(d.test))}${order === undefined ? ` (k=${a.order})` : ""}`;
    });
    console.log(`| chain ${order ?? "chosen"} mean | ${row.join(" | ")} |`);
  }
}
