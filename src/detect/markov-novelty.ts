import { SeqhuntError } from "../errors.js";
import { MAX_ORDER } from "./adaptive.js";
import { assembleDetector, splitState, weightOf } from "./base.js";
import { ContextChain } from "./context-chain.js";
import { markovSetDetector } from "./markov-set.js";
import { Novelty } from "./novelty.js";
import { TAIL_SHARE, Tail } from "./tail.js";
import type { Detector, DetectorFactory, WeightedSession } from "./types.js";

/** Commands per novelty window: STIDE's classic length (Forrest et al. 1996), chosen before measuring, not tuned. */
export const NOVELTY_WINDOW = 6;

/**
 * Windows added to the expected count's variance: one never-seen window in a short session is one window of
 * excess, not many standard deviations of a variance near 0.
 */
export const NOVELTY_FLOOR = 1;

/** The constants of {@link markovNoveltyDetector}, for sensitivity studies; the defaults are the shipped ones. */
export interface MarkovNoveltyOptions {
  /** Commands per window (default {@link NOVELTY_WINDOW}). */
  readonly window?: number | undefined;
  /** Windows added to the expected count's variance (default {@link NOVELTY_FLOOR}). */
  readonly floor?: number | undefined;
  /** Top share of held-out training scores that sets each view's tail (default {@link TAIL_SHARE}). */
  readonly tailShare?: number | undefined;
  /** Longest context the context chain may choose (default {@link MAX_ORDER}). */
  readonly maxOrder?: number | undefined;
}

/** Never-seen windows per window at a session's edges and inside, over the distinct training sessions each left out. */
export type Rates = readonly [edge: number, inner: number];

/** markov-novelty's learnt state as JSON. */
interface MarkovNoveltyJson {
  /** The markov-set detector inside, as its `toJSON` wrote it. */
  readonly markovSet: unknown;
  readonly novelty: unknown;
  /** Held-out training scores of each view: markov-set's, the novelty excess's, the context chain's. */
  readonly tails: readonly unknown[];
  /** The context chain (see {@link ContextChain}). */
  readonly chain: unknown;
  readonly novelRates: Rates;
  readonly floor: number;
  /** The weight of the novelty view's rarity (see {@link noveltyTrust}). */
  readonly trust: number;
}

/**
 * How far a session's count of never-seen windows exceeds what its length predicts at the training rates,
 * in Poisson standard deviations (with `floor` windows of variance at least): long normal sessions meet new
 * windows in proportion to their length, an attack meets more. Edge windows have their own rate, as
 * sessions of a kind often start alike.
 */
export function noveltyExcess(
  novelty: Novelty,
  rates: Rates,
  floor: number,
  s: WeightedSession,
  leaveOut: boolean,
): number {
  const { novel, windows } = novelty.count(s, leaveOut);
  const expected = rates[0] * windows[0] + rates[1] * windows[1];
  return (novel[0] + novel[1] - expected) / Math.sqrt(expected + floor);
}

/**
 * The rates of never-seen windows per window, each distinct training session left out whole (its repeats
 * too: a new session is new however often the old ones repeat), smoothed by one of each so never 0.
 */
export function novelRatesOf(novelty: Novelty, train: readonly WeightedSession[]): Rates {
  const novel = [1, 1];
  const windows = [1, 1];
  for (const t of train) {
    const c = novelty.count(t, "whole");
    for (const k of [0, 1]) {
      novel[k] = (novel[k] as number) + (c.novel[k] as number);
      windows[k] = (windows[k] as number) + (c.windows[k] as number);
    }
  }
  return [(novel[0] as number) / (windows[0] as number), (novel[1] as number) / (windows[1] as number)];
}

/**
 * How far a count of never-seen windows is evidence, from the training sessions alone: the share of them
 * (weighted, each held out) that hold no never-seen window, times the share of their windows away from a
 * session's edges. Where normal sessions rarely meet a new window and are long next to a window (system
 * calls), novelty counts fully; where most meet some (commands people type) or sessions are a few
 * commands long (admin actions), little.
 */
export function noveltyTrust(novelty: Novelty, train: readonly WeightedSession[]): number {
  let clean = 0;
  let sessions = 0;
  let inner = 0;
  let windows = 0;
  for (const t of train) {
    const w = weightOf(t);
    const held = novelty.count(t, true);
    sessions += w;
    if (held.novel[0] + held.novel[1] === 0) clean += w;
    inner += w * held.windows[1];
    windows += w * (held.windows[0] + held.windows[1]);
  }
  return (clean / sessions) * (inner / windows);
}

const validRates = (xs: unknown): xs is Rates =>
  Array.isArray(xs) && xs.length === 2 && xs.every((x) => typeof x === "number" && x > 0 && x <= 1);

/**
 * How much the long-context views (novelty, the context chain) weigh against markov-set's first-order ones,
 * from the training data alone: the share of a first-order chain's held-out surprise that the chosen
 * context removes, times how far never-seen windows are evidence ({@link noveltyTrust}). System calls: about
 * 0.9; log keys: about 0.35; typed commands: about 0.05.
 */
export const contextWeight = (chain: ContextChain, trust: number): number => chain.gain * trust;

/** The registry name. */
const METHOD = "markov-novelty";

const orderAndSet = () => markovSetDetector({ method: "markov-set", combine: "sum" });

/**
 * Three views, each a rarity against its own held-out training scores ({@link Tail}): markov-set (first-order
 * order and which commands occur), novelty mass (how many more windows of {@link NOVELTY_WINDOW} commands never
 * seen in training a session holds than its length predicts) and a {@link ContextChain} (mean surprise per
 * step with the context length chosen by held-out likelihood). The long-context views weigh
 * {@link contextWeight} against markov-set's 1 - that weight, and the highest weighted rarity ranks: typed
 * commands rank as in markov-set, long system-call or log-key sessions by their never-seen runs and how
 * unusual they are throughout, not by their single rarest step. markov-set does not merge exactly, so
 * neither does this.
 */
export function markovNoveltyDetector(options: MarkovNoveltyOptions = {}): DetectorFactory {
  const tailShare = options.tailShare ?? TAIL_SHARE;
  const make = (
    parts: {
      markovSet: Detector;
      novelty: Novelty;
      tails: readonly [Tail, Tail, Tail];
      chain: ContextChain;
      rates: Rates;
      floor: number;
      trust: number;
    },
    source: Parameters<typeof assembleDetector>[1],
  ) => {
    const { markovSet, novelty, tails, chain, rates, floor, trust } = parts;
    const weight = contextWeight(chain, trust);
    // markov-set's rarity, and the higher of the long-context views' (never-seen windows, the context chain's).
    const rarities = (s: WeightedSession, leaveOut: boolean): [number, number, number] => [
      (1 - weight) *
        tails[0].rarity((leaveOut ? markovSet.scoreHeldOut([s]) : markovSet.score([s]))[0] as number),
      weight * tails[1].rarity(noveltyExcess(novelty, rates, floor, s, leaveOut)),
      weight * tails[2].rarity(chain.meanSurprise(s, leaveOut)),
    ];
    return assembleDetector(
      {
        method: METHOD,
        view: (s, leaveOut = false) => Math.max(...rarities(s, leaveOut)),
        explain: (s) => {
          const base = markovSet.explain(s);
          const novel = novelty.explain(s);
          const first = novel[0];
          // The view that ranks the session says why.
          const [bySet, byNovelty, byChain] = rarities(s, false);
          if (byChain > bySet && byChain >= byNovelty) return chain.explain(s);
          if (first === undefined || byNovelty <= bySet) return base;
          return {
            steps: [...base.steps, ...novel],
            reason: `${novel.length} run${novel.length === 1 ? "" : "s"} of ${novelty.window} commands never seen in training, first ${first.step.replace(/: never seen in training$/, "")}`,
          };
        },
        state: (): MarkovNoveltyJson => ({
          markovSet: markovSet.toJSON().state,
          novelty: novelty.toJSON(),
          tails: tails.map((t) => t.toJSON()),
          chain: chain.toJSON(),
          novelRates: rates,
          floor,
          trust,
        }),
      },
      source,
    );
  };
  return {
    train: (train) => {
      const markovSet = orderAndSet().train(train);
      const novelty = Novelty.train(train, options.window ?? NOVELTY_WINDOW);
      const floor = options.floor ?? NOVELTY_FLOOR;
      const weights = train.map(weightOf);
      const rates = novelRatesOf(novelty, train);
      const chain = ContextChain.train(train, options.maxOrder ?? MAX_ORDER);
      const tails: [Tail, Tail, Tail] = [
        Tail.of(markovSet.trainingScores(), weights, tailShare),
        Tail.of(
          train.map((t) => noveltyExcess(novelty, rates, floor, t, true)),
          weights,
          tailShare,
        ),
        Tail.of(
          train.map((t) => chain.meanSurprise(t, true)),
          weights,
          tailShare,
        ),
      ];
      const trust = noveltyTrust(novelty, train);
      return make({ markovSet, novelty, tails, chain, rates, floor, trust }, { train });
    },
    load: (state) => {
      const { model, calibration } = splitState(METHOD, state);
      const j = (model ?? {}) as Partial<MarkovNoveltyJson>;
      if (
        !Array.isArray(j.tails) ||
        j.tails.length !== 3 ||
        !validRates(j.novelRates) ||
        typeof j.floor !== "number" ||
        !(j.floor >= 0) ||
        typeof j.trust !== "number" ||
        !(j.trust >= 0 && j.trust <= 1)
      )
        throw new SeqhuntError(
          `not a valid saved ${METHOD} detector: expected three view tails, two rates of never-seen windows, a floor and a trust (a file from before the context chain: train again)`,
        );
      const tails: [Tail, Tail, Tail] = [
        Tail.fromJSON(j.tails[0]),
        Tail.fromJSON(j.tails[1]),
        Tail.fromJSON(j.tails[2]),
      ];
      const markovSet = orderAndSet().load(j.markovSet);
      const parts = {
        markovSet,
        novelty: Novelty.fromJSON(j.novelty),
        tails,
        chain: ContextChain.fromJSON(j.chain),
        rates: j.novelRates,
        floor: j.floor,
        trust: j.trust,
      };
      return make(parts, { calibration });
    },
  };
}
