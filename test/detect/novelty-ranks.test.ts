// What ranks long traces in the default: markov-set and never-seen runs (novelty), each a rarity against its
// held-out training scores, novelty at the long-context weight; the context chain only sets that weight.
// Its own surprise per step is no view: beside novelty it set the threshold at 1% false alarms with ordinary
// traces (one new transition in a deterministic long context costs it tens of nats) and caught few attacks
// that novelty missed (README, the default; bench/locality-dump.ts).
import { describe, expect, it } from "vitest";
import { splitState } from "../../src/detect/base.js";
import { ContextChain } from "../../src/detect/context-chain.js";
import {
  contextWeight,
  markovNoveltyDetector,
  noveltyExcess,
  ORDER_AND_SET,
} from "../../src/detect/markov-novelty.js";
import { markovSetDetector } from "../../src/detect/markov-set.js";
import { Novelty } from "../../src/detect/novelty.js";
import { Tail } from "../../src/detect/tail.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { WindowExpectation } from "../../src/detect/window-expectation.js";
import { LOOP, programs } from "./programs.js";

const { rand, pick, predictable, noisy, spliced } = programs(13);

/** A predictable trace of `n` calls with `run` calls from `at` drawn at random from the loop's calls. */
function foreign(n: number, at: number, run: number): string[] {
  const out = predictable(n);
  for (let i = at; i < at + run; i++) out[i] = pick(LOOP);
  return out;
}

// Ordinary traces of two programs, a third of the predictable ones with one odd call somewhere.
const train: WeightedSession[] = [
  ...Array.from({ length: 60 }, (_, i) => {
    const n = 100 + Math.floor(rand() * 350);
    return { session: i % 3 === 0 ? foreign(n, Math.floor(rand() * n), 1) : predictable(n) };
  }),
  ...Array.from({ length: 40 }, () => ({ session: noisy(100 + Math.floor(rand() * 200)) })),
];

describe("the default's ranking on long traces", () => {
  const probes: WeightedSession[] = [
    ...Array.from({ length: 10 }, () => ({ session: foreign(24, 12, 1) })),
    ...Array.from({ length: 10 }, () => ({ session: noisy(3 + Math.floor(rand() * 30)) })),
    ...Array.from({ length: 10 }, () => ({ session: spliced() })),
    { session: ["never-seen", "open"] },
  ];

  it("is the higher of markov-set's and novelty's weighted rarities: the chain's surprise is no view", () => {
    const detector = markovNoveltyDetector().train(train);
    const { model } = splitState("markov-novelty", detector.toJSON().state);
    const j = model as Record<string, unknown> & { tails: unknown[]; floor: number; trust: number };
    expect(j.tails).toHaveLength(2);
    const set = markovSetDetector(ORDER_AND_SET).load(j.markovSet);
    const novelty = Novelty.fromJSON(j.novelty);
    const windows = WindowExpectation.fromJSON(j.windowRates);
    const [bySet, byNovelty] = j.tails.map((t) => Tail.fromJSON(t)) as [Tail, Tail];
    const w = contextWeight(ContextChain.train(train), j.trust);
    const expected = probes.map((s) =>
      Math.max(
        (1 - w) * bySet.rarity(set.score([s])[0] as number),
        w * byNovelty.rarity(noveltyExcess(novelty, windows, j.floor, s, false)),
      ),
    );
    expect(detector.score(probes)).toEqual(expected);
    for (const s of probes) expect(detector.explain(s).reason).not.toMatch(/unusual throughout/);
  });

  it("says to train again for a saved detector with the chain's view (three tails)", () => {
    const { state } = markovNoveltyDetector().train(train).toJSON() as {
      state: { model: Record<string, unknown> };
    };
    const older = { ...state.model, views: "cross-fitted set tail, windows by last command" };
    expect(() => markovNoveltyDetector().load({ ...state, model: older })).toThrow(/train again/);
  });
});
