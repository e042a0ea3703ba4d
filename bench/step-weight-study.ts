// The weight of the order view's most surprising step checked on SEA's training blocks alone: each user's
// first 25 blocks train markov-novelty, the last 25 are scored as the user's (normal) and as other users'
// (masquerades, as SEA's were made). Prints AUC and hits at 1% / 5% per weight (README, the default).
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/step-weight-study.js [others per block] [weights]
import { markovNoveltyDetector } from "../src/detect/markov-novelty.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate } from "../src/eval/metrics.js";
import { sea } from "./datasets.js";

const { train } = sea();
const users = [...new Set(train.map((s) => s.entity as string))];
const seen = new Map<string, number>();
const fit: WeightedSession[] = [];
const held: WeightedSession[] = [];
for (const s of train) {
  const i = seen.get(s.entity as string) ?? 0;
  seen.set(s.entity as string, i + 1);
  (i < 25 ? fit : held).push(s);
}
const others = Number(process.argv[2] ?? 3);
const test: (WeightedSession & { label: number })[] = [];
for (const s of held) {
  test.push({ ...s, label: 0 });
  const u = users.indexOf(s.entity as string);
  for (let k = 1; k <= others; k++)
    test.push({ ...s, entity: users[(u + 7 * k) % users.length] as string, label: 1 });
}
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log("| step weight | AUC | hits @1% | hits @5% |");
console.log("| ---: | ---: | ---: | ---: |");
for (const w of (process.argv[3] ?? "0,0.125,0.25,0.375,0.5,0.625,0.75,1").split(",").map(Number)) {
  const scores = markovNoveltyDetector({ maxStepWeight: w }).train(fit).score(test);
  const m = evaluate(
    scores,
    test.map((t) => t.label),
  );
  console.log(
    `| ${w} | ${m.auc.toFixed(4)} | ${pct(m.hitRateAtFalseAlarm["0.01"])} | ${pct(m.hitRateAtFalseAlarm["0.05"])} |`,
  );
}
