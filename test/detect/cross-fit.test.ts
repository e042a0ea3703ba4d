// The set view's tail from cross-fitted scores: traces of a predictable program and of a noisy one whose
// traces each hold rare commands of their own, pooled (as a host's many programs are). markov-set's held-out
// scores count a trace's own rare commands, so a new noisy trace looked rarer than every training trace;
// scored by the half that did not count them, training traces meet their rare commands as new ones do.
import { describe, expect, it } from "vitest";
import { loadDetector } from "../../src/detect/detector.js";
import { markovNoveltyDetector } from "../../src/detect/markov-novelty.js";
import type { WeightedSession } from "../../src/detect/types.js";

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

const rand = seeded(7);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

/** A predictable program: one loop of calls, over and over. */
const LOOP = ["open", "fstat", "mmap", "read", "close", "munmap", "write", "stat"];
const predictable = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => LOOP[i % LOOP.length] as string);

/** A noisy program: twenty usual commands, and one in five drawn from thousands (rare, most met once). */
const USUAL = Array.from({ length: 20 }, (_, i) => `cmd${i}`);
const noisy = (n: number): string[] =>
  Array.from({ length: n }, () => (rand() < 0.2 ? `rare${Math.floor(rand() * 5000)}` : pick(USUAL)));

const train: WeightedSession[] = [
  ...Array.from({ length: 60 }, () => ({ session: predictable(150 + Math.floor(rand() * 100)) })),
  ...Array.from({ length: 40 }, () => ({ session: noisy(100 + Math.floor(rand() * 50)) })),
];

describe("the set view's cross-fitted tail", () => {
  it("scores new traces of a program seen in training on its training traces' scale", () => {
    const detector = markovNoveltyDetector().train(train);
    const fresh = detector.score(Array.from({ length: 21 }, () => ({ session: noisy(120) })));
    // A view's rarity beyond its highest training score starts at -ln(1 / sessions); a new trace of a kind
    // that is two fifths of training sits inside that range (cross-fitted: about 2; held out as markov-set
    // scores training sessions: about 18, beyond every training trace).
    const median = fresh.sort((a, b) => a - b)[10] as number;
    expect(median).toBeLessThan(Math.log(train.length));
  });

  it("refuses a saved detector from before the cross-fitted tail, saying to train again", () => {
    const saved = JSON.parse(JSON.stringify(markovNoveltyDetector().train(train.slice(0, 12))));
    expect(() => loadDetector(saved)).not.toThrow();
    delete saved.state.model.setTail;
    expect(() => loadDetector(saved)).toThrow(/train again/);
  });
});
