import { SeqhuntError } from "../errors.js";
import { MAX_ORDER } from "./adaptive.js";
import { assembleDetector, type DetectorSource, splitState, weightOf } from "./base.js";
import {
  ContextChain,
  type ContextCounts,
  contextChainCounting,
  contextChainHeldOut,
} from "./context-chain.js";
import { crossFitScores, halvesCounting } from "./cross-fit.js";
import {
  type MarkovSetCounts,
  type MarkovSetOptions,
  markovSetCounting,
  markovSetDetector,
  markovSetFromHeldOut,
  markovSetHeldOut,
} from "./markov-set.js";
import { Novelty, type NoveltyCount } from "./novelty.js";
import { NumberColumn, type PassTraining, together, trainInMemory, trainInPasses } from "./passes.js";
import { EXPECTATION_PRIOR, StepExpectation } from "./step-expectation.js";
import { TAIL_SHARE, Tail } from "./tail.js";
import type { Detector, DetectorFactory, SessionPasses, WeightedSession } from "./types.js";

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
  /** Steps of weight of everyone's expected surprise in one command's (default {@link EXPECTATION_PRIOR}). */
  readonly expectationPrior?: number | undefined;
}

/** Never-seen windows per window at a session's edges and inside, over the distinct training sessions each left out. */
export type Rates = readonly [edge: number, inner: number];

/** markov-novelty's learnt state as JSON. */
interface MarkovNoveltyJson {
  /** The markov-set detector inside, as its `toJSON` wrote it. */
  readonly markovSet: unknown;
  readonly novelty: unknown;
  /**
   * Training scores of each view: markov-set's cross-fitted ({@link crossFitScores}), the novelty excess's and
   * the context chain's excess held out.
   */
  readonly tails: readonly unknown[];
  /** What markov-set's tail was made of: "cross-fitted" (files from before it hold none: train again). */
  readonly setTail: typeof SET_TAIL;
  /** The context chain (see {@link ContextChain}). */
  readonly chain: unknown;
  /** What a step costs given the command before it (see {@link StepExpectation}). */
  readonly expectation: unknown;
  readonly novelRates: Rates;
  readonly floor: number;
  /** The weight of the novelty view's rarity (see {@link noveltyTrust}). */
  readonly trust: number;
}

/**
 * How far a count of never-seen windows exceeds what the session's length predicts at the training rates,
 * in Poisson standard deviations (with `floor` windows of variance at least): long normal sessions meet new
 * windows in proportion to their length, an attack meets more. Edge windows have their own rate, as
 * sessions of a kind often start alike.
 */
export function excessOf(count: NoveltyCount, rates: Rates, floor: number): number {
  const { novel, windows } = count;
  const expected = rates[0] * windows[0] + rates[1] * windows[1];
  return (novel[0] + novel[1] - expected) / Math.sqrt(expected + floor);
}

/** A session's {@link excessOf} its count of never-seen windows (held out when `leaveOut`). */
export function noveltyExcess(
  novelty: Novelty,
  rates: Rates,
  floor: number,
  s: WeightedSession,
  leaveOut: boolean,
): number {
  return excessOf(novelty.count(s, leaveOut), rates, floor);
}

/**
 * The rates of never-seen windows per window, each distinct training session left out whole (its repeats
 * too: a new session is new however often the old ones repeat), smoothed by one of each so never 0: add
 * each training session's count left out whole.
 */
class NovelRates {
  readonly #novel = [1, 1];
  readonly #windows = [1, 1];

  add(c: NoveltyCount): void {
    for (const k of [0, 1]) {
      this.#novel[k] = (this.#novel[k] as number) + (c.novel[k] as number);
      this.#windows[k] = (this.#windows[k] as number) + (c.windows[k] as number);
    }
  }

  rates(): Rates {
    const [novel, windows] = [this.#novel, this.#windows];
    return [(novel[0] as number) / (windows[0] as number), (novel[1] as number) / (windows[1] as number)];
  }
}

/** The rates of never-seen windows per window of the training sessions (see {@link NovelRates}). */
export function novelRatesOf(novelty: Novelty, train: readonly WeightedSession[]): Rates {
  const rates = new NovelRates();
  for (const t of train) rates.add(novelty.count(t, "whole"));
  return rates.rates();
}

/**
 * How far a count of never-seen windows is evidence, from the training sessions alone: the share of them
 * (weighted, each held out) that hold no never-seen window, times the share of their windows away from a
 * session's edges. Where normal sessions rarely meet a new window and are long next to a window (system
 * calls), novelty counts fully; where most meet some (commands people type) or sessions are a few
 * commands long (admin actions), little. Add each training session's held-out count with its weight.
 */
class Trust {
  #clean = 0;
  #sessions = 0;
  #inner = 0;
  #windows = 0;

  add(held: NoveltyCount, w: number): void {
    this.#sessions += w;
    if (held.novel[0] + held.novel[1] === 0) this.#clean += w;
    this.#inner += w * held.windows[1];
    this.#windows += w * (held.windows[0] + held.windows[1]);
  }

  trust(): number {
    return (this.#clean / this.#sessions) * (this.#inner / this.#windows);
  }
}

/** The trust of the training sessions' novelty counts (see {@link Trust}). */
export function noveltyTrust(novelty: Novelty, train: readonly WeightedSession[]): number {
  const trust = new Trust();
  for (const t of train) trust.add(novelty.count(t, true), weightOf(t));
  return trust.trust();
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

/** Marks a saved detector whose markov-set tail is cross-fitted: older files were calibrated otherwise. */
const SET_TAIL = "cross-fitted";

/** The markov-set inside: its options. */
export const ORDER_AND_SET: MarkovSetOptions = { method: "markov-set", combine: "sum" };

const orderAndSet = () => markovSetDetector(ORDER_AND_SET);

/**
 * markov-novelty's counts over every training session, what {@link markovNoveltyFromCounts} needs: markov-set's
 * (a first-order {@link Chain} per entity, with everyone's; a summed {@link Presence} per entity) and the
 * novelty windows' ({@link Novelty}, of {@link MarkovNoveltyOptions.window} commands). Each says in its
 * `fromCounts` what its counts must hold.
 */
export interface MarkovNoveltyCounts extends MarkovSetCounts {
  /** Every window of the training sessions with how often it occurred. */
  readonly novelty: Novelty;
  /** The context chain's counts, at every order up to the longest considered ({@link contextChainCounting}). */
  readonly context: ContextCounts;
}

/** The parts of a trained markov-novelty detector. */
interface Parts {
  readonly markovSet: Detector;
  readonly novelty: Novelty;
  readonly tails: readonly [Tail, Tail, Tail];
  readonly chain: ContextChain;
  readonly expectation: StepExpectation;
  readonly rates: Rates;
  readonly floor: number;
  readonly trust: number;
}

/**
 * The views' weighted rarities: markov-set's score at 1 - {@link contextWeight}, the novelty excess's and the
 * context chain's surprise beyond expectation at that weight.
 */
function rarities(parts: Parts, setScore: number, excess: number, beyond: number): [number, number, number] {
  const w = contextWeight(parts.chain, parts.trust);
  return [
    (1 - w) * parts.tails[0].rarity(setScore),
    w * parts.tails[1].rarity(excess),
    w * parts.tails[2].rarity(beyond),
  ];
}

/**
 * The context chain's mean surprise per step less what its steps cost in training given the command before
 * each ({@link StepExpectation}): an ordinary trace of a noisy program scores about 0, a foreign one above.
 */
function beyondExpectation(parts: Parts, s: WeightedSession, leaveOut: boolean): number {
  return parts.chain.meanSurprise(s, leaveOut) - parts.expectation.mean(parts.chain.vocabulary, s);
}

/**
 * Counts in two passes: the categorical parameters, the novelty windows and the context chain's contexts,
 * then markov-set's chain and occurrences.
 */
function* markovNoveltyCounting(window: number, maxOrder: number): PassTraining<MarkovNoveltyCounts> {
  const novelty = Novelty.empty(window);
  function* windows(): PassTraining<void> {
    yield (s) => novelty.add(s);
  }
  const [[set], context] = yield* together(
    together(markovSetCounting(ORDER_AND_SET.combine), windows()),
    contextChainCounting(maxOrder),
  );
  // Counting is over: the room kept for more windows goes before the passes that only read them.
  novelty.trim();
  return { ...set, novelty, context };
}

/** The novelty view's part of the held-out pass: the rates, the trust and each session's held-out count. */
interface NoveltyHeldOut {
  readonly rates: Rates;
  readonly trust: number;
  /** The i-th training session's held-out count of never-seen windows. */
  readonly count: (i: number) => NoveltyCount;
}

/** One pass keeping each training session's held-out novelty count (four numbers) and adding up rates and trust. */
function* noveltyHeldOut(novelty: Novelty): PassTraining<NoveltyHeldOut> {
  const rates = new NovelRates();
  const trust = new Trust();
  const columns = [new NumberColumn(), new NumberColumn(), new NumberColumn(), new NumberColumn()] as const;
  yield (s) => {
    rates.add(novelty.count(s, "whole"));
    const held = novelty.count(s, true);
    trust.add(held, weightOf(s));
    columns[0].push(held.novel[0]);
    columns[1].push(held.novel[1]);
    columns[2].push(held.windows[0]);
    columns[3].push(held.windows[1]);
  };
  const [edgeNovel, innerNovel, edge, inner] = columns.map((c) => c.values()) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return {
    rates: rates.rates(),
    trust: trust.trust(),
    count: (i) => ({
      novel: [edgeNovel[i] as number, innerNovel[i] as number],
      windows: [edge[i] as number, inner[i] as number],
    }),
  };
}

/**
 * One pass over the training sessions (each held out) keeping a few numbers per session, then one reading
 * each session's expected surprise (known once every session is held out), then scales, rates, tails, trust
 * and calibration: the detector.
 */
function* markovNoveltyHeldOut(
  counts: MarkovNoveltyCounts,
  options: MarkovNoveltyOptions,
): PassTraining<Detector> {
  const [[[setHeldOut, novel], context], halves] = yield* together(
    together(
      together(markovSetHeldOut(counts), noveltyHeldOut(counts.novelty)),
      contextChainHeldOut(counts.context),
    ),
    halvesCounting(counts, ORDER_AND_SET.combine),
  );
  const expectation = context.followers.at(
    context.chain.order,
    options.expectationPrior ?? EXPECTATION_PRIOR,
  );
  const expected = new NumberColumn();
  function* costsPass(): PassTraining<void> {
    yield (s) => expected.push(expectation.mean(context.chain.vocabulary, s));
  }
  // Each half standardised by the whole's scales, so its scores are on the scale test sessions are scored on.
  const [, crossFitted] = yield* together(
    costsPass(),
    crossFitScores([
      markovSetFromHeldOut(ORDER_AND_SET, halves[0], setHeldOut),
      markovSetFromHeldOut(ORDER_AND_SET, halves[1], setHeldOut),
    ]),
  );
  const costs = expected.values();
  const beyond = context.heldOut.map((x, i) => x - (costs[i] as number));
  const markovSet = markovSetFromHeldOut(ORDER_AND_SET, counts, setHeldOut);
  const { weights } = setHeldOut;
  const floor = options.floor ?? NOVELTY_FLOOR;
  const tailShare = options.tailShare ?? TAIL_SHARE;
  const setScores = markovSet.trainingScores();
  const excess = new Float64Array(setScores.length);
  for (let i = 0; i < excess.length; i++) excess[i] = excessOf(novel.count(i), novel.rates, floor);
  const tails = [
    // One session leaves the other half empty: its held-out score is all there is.
    Tail.of(setScores.length > 1 ? crossFitted : setScores, weights, tailShare),
    Tail.of(excess, weights, tailShare),
    Tail.of(beyond, weights, tailShare),
  ] as const;
  const parts: Parts = {
    markovSet,
    novelty: counts.novelty,
    tails,
    chain: context.chain,
    expectation,
    rates: novel.rates,
    floor,
    trust: novel.trust,
  };
  const heldOut = new Float64Array(excess.length);
  for (let i = 0; i < heldOut.length; i++)
    heldOut[i] = Math.max(
      ...rarities(parts, setScores[i] as number, excess[i] as number, beyond[i] as number),
    );
  return assemble(parts, { trainingScores: heldOut, weights });
}

/** Counts markov-novelty's statistics over two passes of the training sessions (step one of {@link markovNoveltyDetector}'s training). */
export function countMarkovNovelty(
  sessions: SessionPasses,
  options: MarkovNoveltyOptions = {},
): Promise<MarkovNoveltyCounts> {
  return trainInPasses(
    markovNoveltyCounting(options.window ?? NOVELTY_WINDOW, options.maxOrder ?? MAX_ORDER),
    sessions,
  );
}

/**
 * markov-novelty from its counts (counted here by {@link countMarkovNovelty}, or by a database) and two passes
 * over the training sessions they counted, in any one order, each scored held out: a few numbers per
 * session, never the sessions; `trainingScores()` in that order.
 */
export function markovNoveltyFromCounts(
  counts: MarkovNoveltyCounts,
  heldOut: SessionPasses,
  options: MarkovNoveltyOptions = {},
): Promise<Detector> {
  return trainInPasses(markovNoveltyHeldOut(counts, options), heldOut);
}

/** The detector of its parts, trained (held-out training scores) or loaded (a saved calibration). */
function assemble(parts: Parts, source: DetectorSource): Detector {
  const { markovSet, novelty, tails, chain, expectation, rates, floor, trust } = parts;
  const all = (s: WeightedSession, leaveOut: boolean): [number, number, number] =>
    rarities(
      parts,
      (leaveOut ? markovSet.scoreHeldOut([s]) : markovSet.score([s]))[0] as number,
      noveltyExcess(novelty, rates, floor, s, leaveOut),
      beyondExpectation(parts, s, leaveOut),
    );
  return assembleDetector(
    {
      method: METHOD,
      view: (s, leaveOut = false) => Math.max(...all(s, leaveOut)),
      explain: (s) => {
        // The view that ranks the session says why (only its explanation is worked out).
        const [bySet, byNovelty, byChain] = all(s, false);
        if (byChain > bySet && byChain >= byNovelty) return chain.explain(s);
        const base = markovSet.explain(s);
        if (byNovelty <= bySet) return base;
        const novel = novelty.explain(s);
        const first = novel[0];
        if (first === undefined) return base;
        return {
          steps: [...base.steps, ...novel],
          reason: `${novel.length} run${novel.length === 1 ? "" : "s"} of ${novelty.window} commands never seen in training, first ${first.step.replace(/: never seen in training$/, "")}`,
        };
      },
      state: (): MarkovNoveltyJson => ({
        markovSet: markovSet.toJSON().state,
        novelty: novelty.toJSON(),
        tails: tails.map((t) => t.toJSON()),
        setTail: SET_TAIL,
        chain: chain.toJSON(),
        expectation: expectation.toJSON(),
        novelRates: rates,
        floor,
        trust,
      }),
    },
    source,
  );
}

/**
 * Three views, each a rarity against its own held-out training scores ({@link Tail}): markov-set (first-order
 * order and which commands occur), novelty mass (how many more windows of {@link NOVELTY_WINDOW} commands never
 * seen in training a session holds than its length predicts) and a {@link ContextChain} (mean surprise per
 * step with the context length chosen by held-out likelihood, less what a step after the command before it
 * costs held out in training: {@link StepExpectation}). The long-context views weigh
 * {@link contextWeight} against markov-set's 1 - that weight, and the highest weighted rarity ranks: typed
 * commands rank as in markov-set, long system-call or log-key sessions by their never-seen runs and how
 * unusual they are throughout, not by their single rarest step. markov-set does not merge exactly, so
 * neither does this. Trains in four passes when the sessions do not fit in memory
 * ({@link countMarkovNovelty}, {@link markovNoveltyFromCounts}).
 */
export function markovNoveltyDetector(options: MarkovNoveltyOptions = {}): DetectorFactory {
  function* training(): PassTraining<Detector> {
    const counts = yield* markovNoveltyCounting(
      options.window ?? NOVELTY_WINDOW,
      options.maxOrder ?? MAX_ORDER,
    );
    return yield* markovNoveltyHeldOut(counts, options);
  }
  return {
    train: (train) => trainInMemory(training(), train),
    trainPasses: (sessions) => trainInPasses(training(), sessions),
    load: (state) => {
      const { model, calibration } = splitState(METHOD, state);
      const j = (model ?? {}) as Partial<MarkovNoveltyJson>;
      if (j.setTail !== SET_TAIL)
        throw new SeqhuntError(
          `a saved ${METHOD} detector from before its markov-set view was calibrated on cross-fitted scores: train again`,
        );
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
        expectation: StepExpectation.fromJSON(j.expectation),
        rates: j.novelRates,
        floor: j.floor,
        trust: j.trust,
      };
      return assemble(parts, { calibration });
    },
  };
}
