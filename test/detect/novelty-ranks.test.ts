// What ranks long traces in the default: markov-set and never-seen runs (novelty), each a rarity against its
// held-out training scores, novelty at the long-context weight; the context chain only sets that weight.
// markov-set's weight holds within what training sessions score; beyond the highest, its rarity counts whole.
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
  savedParts,
  wholeBeyondTop,
} from "../../src/detect/markov-novelty.js";
import type { WeightedSession } from "../../src/detect/types.js";
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
    expect((model as { tails: unknown[] }).tails).toHaveLength(2);
    const { markovSet, novelty, windows, floor, trust, tails } = savedParts(model);
    const [bySet, byNovelty] = tails;
    const w = contextWeight(ContextChain.train(train), trust);
    const expected = probes.map((s) =>
      Math.max(
        wholeBeyondTop(bySet.rarity(markovSet.score([s])[0] as number), bySet.top, 1 - w),
        w * byNovelty.rarity(noveltyExcess(novelty, windows, floor, s, false)),
      ),
    );
    expect(detector.score(probes)).toEqual(expected);
    for (const s of probes) expect(detector.explain(s).reason).not.toMatch(/unusual throughout/);
  });

  it("keeps markov-set's rarity whole beyond every training session: a call no process made tops ordinary traces", () => {
    // A program whose next call hangs on more than the call before (long context tells: novelty weighs about
    // 0.66 here), its traces with up to three odd calls of its own and opening with calls of their variant;
    // the same again to score, and a long trace of a variant few traces have with one call never seen (as
    // useradd's `alarm` among ordinary processes), whose few never-seen runs novelty finds ordinary.
    const cycle = ["open", "read", "close", "open", "write", "close", "stat", "read", "mmap", "close"];
    // Variants of the program open with calls of their own, some variants rare (calls few traces make).
    const variant = () => Math.floor(15 ** rand()) - 1;
    const trace = (n: number, odd: number, v = variant()) => {
      const out = [
        `prelude${v}`,
        `setup${v}`,
        ...Array.from({ length: n }, (_, i) => cycle[i % cycle.length] as string),
      ];
      for (let k = 0; k < odd; k++) out[2 + Math.floor(rand() * n)] = pick(cycle);
      return out;
    };
    const ordinary = (count: number) =>
      Array.from({ length: count }, () => ({
        session: trace(100 + Math.floor(rand() * 350), Math.floor(rand() * 4)),
      }));
    const programTrain = ordinary(90);
    const probes = ordinary(45);
    const planted = trace(400, 0, 8);
    planted[202] = "setgroups";
    const detector = markovNoveltyDetector().train(programTrain);
    const scores = detector.score([...probes, { session: planted }]);
    const plantedScore = scores.pop() as number;
    expect(plantedScore).toBeGreaterThan(Math.max(...scores));
    // markov-set puts it beyond every training trace; weighed at 1 - w all the way (the rule before), some
    // ordinary trace would rank above it.
    const { markovSet, tails, trust } = savedParts(
      splitState("markov-novelty", detector.toJSON().state).model,
    );
    const [bySet] = tails;
    const rarity = bySet.rarity(markovSet.score([{ session: planted }])[0] as number);
    const w = contextWeight(ContextChain.train(programTrain), trust);
    expect(w).toBeGreaterThan(0.5);
    expect(rarity).toBeGreaterThan(bySet.top);
    expect((1 - w) * rarity).toBeLessThan(Math.max(...scores));
  });

  it("says to train again for a saved detector with the chain's view (three tails)", () => {
    const { state } = markovNoveltyDetector().train(train).toJSON() as {
      state: { model: Record<string, unknown> };
    };
    const older = { ...state.model, views: "cross-fitted set tail, windows by last command" };
    expect(() => markovNoveltyDetector().load({ ...state, model: older })).toThrow(/train again/);
  });
});
