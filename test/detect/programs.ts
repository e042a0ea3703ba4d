// Traces of two programs a host runs, for the tests of what a step or a window costs: a predictable one (one
// loop of calls) and a noisy one (commands of its own drawn at random), and the predictable one with a
// foreign run of its own calls in an order it never takes. Seeded (Lehmer), so every run draws the same.

import { type MarkovNoveltyOptions, markovNoveltyDetector } from "../../src/detect/markov-novelty.js";
import type { WeightedSession } from "../../src/detect/types.js";

/** markov-novelty's saved model state, trained on `train` with `options`: where a test reads a learnt part. */
export function savedMarkovNovelty(
  train: WeightedSession[],
  options: MarkovNoveltyOptions,
): Record<string, unknown> {
  const { state } = markovNoveltyDetector(options).train(train).toJSON() as {
    state: { model: Record<string, unknown> };
  };
  return state.model;
}

/** The loop of calls of the predictable program. */
export const LOOP = ["open", "fstat", "mmap", "read", "close", "munmap", "write", "stat"];

/** The noisy program's sixty commands: most of its pairs and windows are new held out. */
export const NOISY = Array.from({ length: 60 }, (_, i) => `cmd${i}`);

/** The generators over one seeded stream: `rand` draws in [0, 1), the rest draw from it. */
export function programs(seed: number) {
  let state = seed;
  const rand = () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const predictable = (n: number): string[] =>
    Array.from({ length: n }, (_, i) => LOOP[i % LOOP.length] as string);
  const noisy = (n: number): string[] => Array.from({ length: n }, () => pick(NOISY));
  const spliced = (): string[] => {
    const run = Array.from({ length: 24 }, () => pick(LOOP));
    return [...predictable(80), ...run, ...predictable(96)];
  };
  return { rand, pick, predictable, noisy, spliced };
}
