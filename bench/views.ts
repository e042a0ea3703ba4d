// The default's views on one data set, each a rarity of the test sessions against its held-out training
// scores: what the combination studies weigh against each other.
import { ContextChain } from "../src/detect/context-chain.js";
import { novelRatesOf, noveltyExcess, noveltyTrust } from "../src/detect/markov-novelty.js";
import { markovSetDetector } from "../src/detect/markov-set.js";
import { Novelty } from "../src/detect/novelty.js";
import { Tail } from "../src/detect/tail.js";
import { evaluate } from "../src/eval/metrics.js";
import type { Dataset } from "./datasets.js";

/** The views' rarities per test session, and what the weights are made of. */
export interface ViewRarities {
  /** markov-set's, the novelty excess's, the context chain's mean surprise's. */
  readonly set: number[];
  readonly novelty: number[];
  readonly chain: number[];
  readonly trust: number;
  readonly contextChain: ContextChain;
  /** Milliseconds the context chain took to train. */
  readonly chainMs: number;
}

/** The views of markov-novelty (before the step expectation) as rarities of `d`'s test sessions. */
export function viewRarities(d: Dataset): ViewRarities {
  const w = d.train.map((t) => t.weight ?? 1);
  const ms = markovSetDetector({ method: "markov-set", combine: "sum" }).train(d.train);
  const nov = Novelty.train(d.train, 6);
  const rates = novelRatesOf(nov, d.train);
  const trust = noveltyTrust(nov, d.train);
  const t0 = performance.now();
  const chain = ContextChain.train(d.train);
  const chainMs = performance.now() - t0;
  const tails = [
    Tail.of(ms.trainingScores(), w),
    Tail.of(
      d.train.map((t) => noveltyExcess(nov, rates, 1, t, true)),
      w,
    ),
    Tail.of(
      d.train.map((t) => chain.meanSurprise(t, true)),
      w,
    ),
  ] as const;
  return {
    set: ms.score(d.test).map((x) => tails[0].rarity(x)),
    novelty: d.test.map((t) => tails[1].rarity(noveltyExcess(nov, rates, 1, t, false))),
    chain: d.test.map((t) => tails[2].rarity(chain.meanSurprise(t))),
    trust,
    contextChain: chain,
    chainMs,
  };
}

/** One table cell per combination of the views: AUC / hits @1% / @5% (HDFS: AUC to 4 places and best F1), added to `rows`. */
export function addCells(
  rows: Map<string, string[]>,
  name: string,
  d: Dataset,
  combos: readonly [string, (i: number) => number][],
): void {
  const pct = (x: number) => `${(100 * x).toFixed(1)}`;
  for (const [c, f] of combos) {
    const m = evaluate(
      d.test.map((_, i) => f(i)),
      d.test.map((t) => t.label),
      d.test.map((t) => t.weight ?? 1),
    );
    const cell = `${m.auc.toFixed(name === "HDFS" ? 4 : 3)} / ${pct(m.hitRateAtFalseAlarm["0.01"])} / ${pct(m.hitRateAtFalseAlarm["0.05"])}${name === "HDFS" ? ` F1 ${m.bestF1.toFixed(3)}` : ""}`;
    rows.set(c, [...(rows.get(c) ?? []), cell]);
  }
}
