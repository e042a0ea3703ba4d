// The default's three views of each session, read back from a trained detector's saved state: what the
// studies that recombine them share (combination-study, chain-view-study).
import { splitState } from "../src/detect/base.js";
import {
  contextWeight,
  type MarkovNoveltyParts,
  markovNoveltyDetector,
  noveltyExcess,
  savedParts,
  wholeBeyondTop,
} from "../src/detect/markov-novelty.js";
import type { Detector, WeightedSession } from "../src/detect/types.js";

/** A trained default's views of some sessions, each a rarity against its tail, and its weights. */
export interface DefaultViews {
  readonly detector: Detector;
  readonly parts: MarkovNoveltyParts;
  /** Novelty's weight, gain x trust. */
  readonly w: number;
  /** markov-set's rarity of each session (unweighted). */
  readonly set: number[];
  /** Novelty's rarity of each session (unweighted). */
  readonly novelty: number[];
  /** The context chain's weighted rarity of each session as shipped (-Infinity where it is no view). */
  readonly chain: number[];
  /** The shipped score without the chain's view: max(w novelty, markov-set at 1 - w times its reliability share up to its top). */
  readonly withoutChain: number[];
}

/** Trains the default on `train` and reads its views of `sessions` back from its saved state. */
export function defaultViews(
  train: readonly WeightedSession[],
  sessions: readonly WeightedSession[],
): DefaultViews {
  const detector = markovNoveltyDetector().train(train);
  const { model } = splitState("markov-novelty", detector.toJSON().state);
  const parts = savedParts(model);
  const { markovSet, novelty: counts, windows, floor, trust, context, tails, chainView, reliability } = parts;
  const [bySet, byNovelty, byChain] = tails;
  const w = contextWeight(context, trust);
  const set = markovSet.score(sessions).map((x) => bySet.rarity(x));
  const novelty = sessions.map((s) => byNovelty.rarity(noveltyExcess(counts, windows, floor, s, false)));
  const chain = sessions.map((s) =>
    chainView
      ? (1 - trust) * reliability[1] * byChain.rarity(context.meanSurprise(s))
      : Number.NEGATIVE_INFINITY,
  );
  const withoutChain = set.map((a, i) =>
    Math.max(w * (novelty[i] as number), wholeBeyondTop(a, bySet.top, (1 - w) * reliability[0])),
  );
  return { detector, parts, w, set, novelty, chain, withoutChain };
}
