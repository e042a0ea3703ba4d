// The default's views on one data set, each a rarity of the test sessions against its held-out training
// scores: what the combination studies weigh against each other.
import { namesOf } from "../src/detect/base.js";
import { ContextChain } from "../src/detect/context-chain.js";
import { novelRatesOf, noveltyExcess, noveltyTrust } from "../src/detect/markov-novelty.js";
import { markovSetDetector } from "../src/detect/markov-set.js";
import { Novelty } from "../src/detect/novelty.js";
import { Tail } from "../src/detect/tail.js";
import type { WeightedSession } from "../src/detect/types.js";
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

/** A session as the chain's ids, padded with start (0) and end (1); -1 for a command the chain never counted. */
export function idsOf(chain: ContextChain, s: WeightedSession): Int32Array {
  const names = namesOf(s.session);
  const ids = new Int32Array(names.length + 2);
  names.forEach((n, i) => {
    ids[i + 1] = chain.vocabulary.lookup(n, -1);
  });
  ids[names.length + 1] = 1;
  return ids;
}

/** A session's mean surprise per step under the chain less `expect` of each step (held out when `leaveOut`). */
export function meanExcess(chain: ContextChain, expect: (ids: Int32Array, i: number) => number) {
  const order = chain.order;
  const out = new Float64Array(order + 1);
  const base = 1 / (chain.vocabulary.size + 1);
  return (s: WeightedSession, leaveOut: boolean): number => {
    const ids = idsOf(chain, s);
    const out2 = leaveOut && !ids.includes(-1);
    if (out2) chain.counts.add(ids, -1);
    let sum = 0;
    for (let i = 1; i < ids.length; i++) {
      chain.counts.probabilities(ids, i, base, out);
      sum += -Math.log(out[order] as number) - expect(ids, i);
    }
    if (out2) chain.counts.add(ids, 1);
    return sum / (ids.length - 1);
  };
}
