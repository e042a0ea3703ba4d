// The occurrence view's entity prior chosen from the training data ("held-out"): the weight of the other
// entities' presence rates that best predicts each entity's sessions, each left out, from its others.
import { describe, expect, it } from "vitest";
import { Chain } from "../../src/detect/chain.js";
import { markovNoveltyDetector } from "../../src/detect/markov-novelty.js";
import { ENTITY_PRIOR, maximiseOnLogScale, Presence } from "../../src/detect/presence.js";
import type { WeightedSession } from "../../src/detect/types.js";

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sessions of `users` entities, each command drawn from the entity's own commands with probability `own`. */
function sessions(users: number, perUser: number, own: number, seed: number): WeightedSession[] {
  const random = rng(seed);
  const out: WeightedSession[] = [];
  for (let u = 0; u < users; u++)
    for (let i = 0; i < perUser; i++) {
      const session = Array.from({ length: 8 }, () =>
        random() < own ? `u${u}-${Math.floor(random() * 4)}` : `shared-${Math.floor(random() * 12)}`,
      );
      out.push({ session, entity: `u${u}` });
    }
  return out;
}

/** The held-out likelihood worked out naively: each session left out, its entity's rates from its other sessions. */
function naiveHeldOut(train: readonly WeightedSession[], prior: number): number {
  const byEntity = new Map<string, Set<string>[]>();
  for (const t of train) {
    const sets = byEntity.get(t.entity as string) ?? [];
    sets.push(new Set(t.session as string[]));
    byEntity.set(t.entity as string, sets);
  }
  let ll = 0;
  for (const [entity, mine] of byEntity) {
    if (mine.length < 2) continue;
    const others = [...byEntity].filter(([e]) => e !== entity).flatMap(([, s]) => s);
    const otherCount = (t: string) => others.filter((s) => s.has(t)).length;
    const tokens = new Set([...mine, ...others].flatMap((s) => [...s]));
    mine.forEach((held, i) => {
      const rest = mine.filter((_, j) => j !== i);
      for (const t of tokens) {
        const background = (otherCount(t) + 1) / (others.length + 2);
        const rate = (rest.filter((s) => s.has(t)).length + prior * background) / (rest.length + prior);
        if (held.has(t)) ll += Math.log(rate);
        else if (otherCount(t) > 0) ll += Math.log1p(-rate);
      }
    });
  }
  return ll;
}

describe("the entity prior chosen by held-out likelihood", () => {
  it("maximises the held-out likelihood of each entity's presences, as worked out naively", () => {
    const train = sessions(5, 6, 0.4, 1);
    const chosen = Presence.train(train, true, "sum", "held-out").entityPrior;
    const best = naiveHeldOut(train, chosen);
    for (const prior of [1 / 16, 0.25, 1, 2, 4, 16, 64, 1024, chosen * 1.05, chosen / 1.05])
      expect(best).toBeGreaterThanOrEqual(naiveHeldOut(train, prior) - 1e-9);
  });

  it("leans little on the others where entities differ, much where they are alike", () => {
    const distinct = Presence.train(sessions(6, 10, 0.9, 2), true, "sum", "held-out").entityPrior;
    const alike = Presence.train(sessions(6, 10, 0, 3), true, "sum", "held-out").entityPrior;
    expect(distinct).toBeLessThan(1);
    expect(alike).toBeGreaterThan(8);
  });

  it("is the fixed prior by default, where no entity has two sessions, and in files saved without one", () => {
    const train = sessions(4, 5, 0.5, 4);
    const fixed = Presence.train(train, true, "sum");
    expect(fixed.entityPrior).toBe(ENTITY_PRIOR);
    expect(Presence.train(sessions(4, 1, 0.5, 5), true, "sum", "held-out").entityPrior).toBe(ENTITY_PRIOR);
    const { entityPrior: _, ...old } = fixed.toJSON();
    const loaded = Presence.fromJSON(JSON.parse(JSON.stringify(old)));
    expect(loaded.entityPrior).toBe(ENTITY_PRIOR);
    for (const s of train) expect(loaded.heldOutScore(s, "others")).toBe(fixed.heldOutScore(s, "others"));
  });

  it("is saved with the counts: a loaded view scores as the trained one", () => {
    const train = sessions(4, 6, 0.7, 6);
    const trained = Presence.train(train, true, "sum", "held-out");
    expect(trained.entityPrior).not.toBe(ENTITY_PRIOR);
    const loaded = Presence.fromJSON(JSON.parse(JSON.stringify(trained.toJSON())));
    expect(loaded.entityPrior).toBe(trained.entityPrior);
    for (const s of train) {
      expect(loaded.score(s, false, "others")).toBe(trained.score(s, false, "others"));
      expect(loaded.heldOutScore(s, "others")).toBe(trained.heldOutScore(s, "others"));
    }
  });
});

describe("maximiseOnLogScale", () => {
  it("finds the peak of a function with one peak on a log scale, at the range's ends too", () => {
    const peakAt = (x0: number) => (x: number) => -((Math.log(x) - Math.log(x0)) ** 2);
    const found = (x0: number) => maximiseOnLogScale(peakAt(x0), 1 / 16, 1024);
    for (const x0 of [0.1, 2.149, 3, 700]) expect(Math.log(found(x0) / x0)).toBeCloseTo(0, 3);
    expect(Math.log(found(5000) / 1024)).toBeCloseTo(0, 3);
    expect(Math.log(found(0.001) * 16)).toBeCloseTo(0, 3);
  });
});

describe("markov-novelty's entity prior and step weight", () => {
  it("are saved with the detector: a loaded one scores as the trained one, unlike one trained with the defaults", () => {
    const train = sessions(4, 8, 0.6, 7);
    const test = sessions(4, 3, 0.3, 8);
    const trained = markovNoveltyDetector({ entityPrior: "held-out", maxStepWeight: 1 }).train(train);
    const loaded = markovNoveltyDetector().load(JSON.parse(JSON.stringify(trained.toJSON().state)));
    expect(loaded.score(test)).toEqual(trained.score(test));
    expect(markovNoveltyDetector().train(train).score(test)).not.toEqual(trained.score(test));
  });

  it("weighs the order view's most surprising step by the step weight", () => {
    const train = sessions(3, 5, 0.5, 9);
    const chain = Chain.train(train, 1, true);
    for (const s of sessions(3, 2, 0.5, 10)) {
      const steps = chain.steps(s);
      const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
      expect(chain.score(s, "everyone", 1)).toBeCloseTo(mean + Math.max(...steps), 12);
      expect(chain.score(s, "everyone", 0)).toBeCloseTo(mean, 12);
    }
  });
});
