// What ranks long traces in the default: markov-set, never-seen runs (novelty) and the context chain's mean
// surprise per step, each a rarity against its training scores: novelty at the long-context weight, the chain
// at 1 - trust (where never-seen runs are no evidence, training sessions meeting many), markov-set at the
// rest. markov-set's weight holds within what training sessions score; beyond the highest, its rarity counts
// whole (README, the default; bench/chain-view-study.ts).
import { describe, expect, it } from "vitest";
import { rng } from "../../src/demo/generate.js";
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

  it("is the highest of markov-set's, novelty's and the context chain's weighted rarities", () => {
    const detector = markovNoveltyDetector().train(train);
    const { model } = splitState("markov-novelty", detector.toJSON().state);
    expect((model as { tails: unknown[] }).tails).toHaveLength(3);
    const { markovSet, novelty, windows, floor, trust, tails, context, chainView, reliability } =
      savedParts(model);
    expect(chainView).toBe(true);
    expect(context.order).toBe(ContextChain.train(train).order);
    // The less reliable of markov-set and the chain keeps a share of its weight, the other all of it.
    expect(Math.max(...reliability)).toBe(1);
    expect(Math.min(...reliability)).toBeLessThan(1);
    const [bySet, byNovelty, byChain] = tails;
    const w = contextWeight(context, trust);
    const expected = probes.map((s) =>
      Math.max(
        wholeBeyondTop(bySet.rarity(markovSet.score([s])[0] as number), bySet.top, (1 - w) * reliability[0]),
        w * byNovelty.rarity(noveltyExcess(novelty, windows, floor, s, false)),
        (1 - trust) * reliability[1] * byChain.rarity(context.meanSurprise(s)),
      ),
    );
    expect(detector.score(probes)).toEqual(expected);
  });

  it("has no chain view where sessions have entities: everyone's chain would rank an entity's own habits as rare", () => {
    const withEntities = train.map((t, i) => ({ ...t, entity: `host${i % 3}` }));
    const detector = markovNoveltyDetector().train(withEntities);
    const { model } = splitState("markov-novelty", detector.toJSON().state);
    const { markovSet, novelty, windows, floor, trust, tails, context, chainView, reliability } =
      savedParts(model);
    expect(chainView).toBe(false);
    expect(reliability).toEqual([1, 1]);
    const w = contextWeight(context, trust);
    const scored = probes.map((s) => ({ ...s, entity: "host1" }));
    expect(detector.score(scored)).toEqual(
      scored.map((s) =>
        Math.max(
          wholeBeyondTop(tails[0].rarity(markovSet.score([s])[0] as number), tails[0].top, 1 - w),
          w * tails[1].rarity(noveltyExcess(novelty, windows, floor, s, false)),
        ),
      ),
    );
  });

  it("ranks by the context chain where every training session meets never-seen runs: another program's longer context tops ordinary traces", () => {
    // A program whose next call hangs on the two before it, a quarter of its calls at random (so every trace
    // holds runs no other has: never-seen runs are no evidence, trust 0, as in ADFA-LD); intruders follow the
    // same table with the call two back shifted, so their calls and first-order steps look alike.
    const random = rng(8);
    const V = 12;
    const table = Array.from({ length: V * V }, () => Math.floor(random() * V));
    const shifted = table.map((_, k) => table[((Math.floor(k / V) + 1) % V) * V + (k % V)] as number);
    const walk = (t: readonly number[]) => {
      const calls = [0, 1];
      const n = 80 + Math.floor(random() * 200);
      while (calls.length < n) {
        const next = t[(calls.at(-2) as number) * V + (calls.at(-1) as number)] as number;
        calls.push(random() < 0.25 ? Math.floor(random() * V) : next);
      }
      return { session: calls.map((c) => `call${c}`) };
    };
    const ordinary = Array.from({ length: 200 }, () => walk(table));
    const detector = markovNoveltyDetector().train(ordinary);
    const scored = [
      ...Array.from({ length: 100 }, () => walk(table)),
      ...Array.from({ length: 10 }, () => walk(shifted)),
    ];
    const scores = detector.score(scored);
    const top = scored.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
    expect(top.slice(0, 10).every((i) => i >= 100)).toBe(true);
    // Without the chain's view the intruders mix with ordinary traces.
    const { model } = splitState("markov-novelty", detector.toJSON().state);
    const { markovSet, novelty, windows, floor, trust, tails, context } = savedParts(model);
    expect(trust).toBeLessThan(0.05);
    const w = contextWeight(context, trust);
    const without = scored.map((s) =>
      Math.max(
        wholeBeyondTop(tails[0].rarity(markovSet.score([s])[0] as number), tails[0].top, 1 - w),
        w * tails[1].rarity(noveltyExcess(novelty, windows, floor, s, false)),
      ),
    );
    const topWithout = scored
      .map((_, i) => i)
      .sort((a, b) => (without[b] as number) - (without[a] as number));
    expect(topWithout[0]).toBeLessThan(100);
    expect(detector.explain(scored[top[0] as number] as WeightedSession).reason).toMatch(
      /unusual throughout/,
    );
  });

  it("weighs markov-set by its reliability: where its score swings with which rare programs training holds, the chain ranks", () => {
    // The program above with a prelude of its variant (rare variants in few traces), so markov-set's rarest step
    // and set of calls score a trace by which variants training happens to hold; intruders follow the shifted
    // table for 40% of their calls, after the commonest prelude.
    const random = rng(2);
    const V = 12;
    const table = Array.from({ length: V * V }, () => Math.floor(random() * V));
    const shifted = table.map((_, k) => table[((Math.floor(k / V) + 1) % V) * V + (k % V)] as number);
    const walk = (t: readonly number[], prelude: readonly string[]) => {
      const calls = [0, 1];
      const n = 80 + Math.floor(random() * 200);
      while (calls.length < n) {
        const from = t === table || random() >= 0.4 ? table : shifted;
        const next = from[(calls.at(-2) as number) * V + (calls.at(-1) as number)] as number;
        calls.push(random() < 0.25 ? Math.floor(random() * V) : next);
      }
      return { session: [...prelude, ...calls.map((c) => `call${c}`)] };
    };
    const variant = () => {
      const k = Math.floor(40 ** random()) - 1;
      return [`prelude${k}`, `setup${k}`];
    };
    const ordinary = Array.from({ length: 200 }, () => walk(table, variant()));
    const detector = markovNoveltyDetector().train(ordinary);
    const scored = [
      ...Array.from({ length: 100 }, () => walk(table, variant())),
      ...Array.from({ length: 10 }, () => walk(shifted, ["prelude0", "setup0"])),
    ];
    const firstTen = (scores: readonly number[]) =>
      scores
        .map((_, i) => i)
        .sort((a, b) => (scores[b] as number) - (scores[a] as number))
        .slice(0, 10);
    expect(firstTen(detector.score(scored)).every((i) => i >= 100)).toBe(true);
    const { markovSet, novelty, windows, floor, trust, tails, context, reliability } = savedParts(
      splitState("markov-novelty", detector.toJSON().state).model,
    );
    expect(reliability[0]).toBeLessThan(0.5);
    expect(reliability[1]).toBe(1);
    // Each keeping all of its weight, ordinary traces of rare variants rank among the first ten.
    const w = contextWeight(context, trust);
    const whole = scored.map((s) =>
      Math.max(
        wholeBeyondTop(tails[0].rarity(markovSet.score([s])[0] as number), tails[0].top, 1 - w),
        w * tails[1].rarity(noveltyExcess(novelty, windows, floor, s, false)),
        (1 - trust) * tails[2].rarity(context.meanSurprise(s)),
      ),
    );
    expect(firstTen(whole).some((i) => i < 100)).toBe(true);
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
