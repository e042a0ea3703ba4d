// SEA with markov-set's training sessions scored held out from their entity's counts (the scales of its two
// views) against as before (order view in-sample, occurrence view without its whole set), and the default.
// Run: npx tsc -p tsconfig.bench.json && SEQHUNT_SHARED=/work/shared node bench-dist/bench/entity-held-out-study.js
import { trainDetector } from "../src/detect/detector.js";
import { markovSetDetector } from "../src/detect/markov-set.js";
import { evaluate } from "../src/eval/metrics.js";
import { sea } from "./datasets.js";

const d = sea();
const labels = d.test.map((t) => t.label);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const row = (name: string, scores: readonly number[]) => {
  const m = evaluate(scores, labels);
  console.log(
    `| ${name} | ${m.auc.toFixed(4)} | ${pct(m.hitRateAtFalseAlarm["0.01"])} | ${pct(m.hitRateAtFalseAlarm["0.05"])} |`,
  );
};
console.log("| SEA | AUC | hits @1% | hits @5% |\n| --- | ---: | ---: | ---: |");
for (const entityHeldOut of [false, true]) {
  const detector = markovSetDetector({ method: "markov-set", combine: "sum", entityHeldOut }).train(d.train);
  row(`markov-set, held out from the entity: ${entityHeldOut}`, detector.score(d.test));
}
row("markov-novelty (default)", trainDetector("markov-novelty", d.train).score(d.test));
