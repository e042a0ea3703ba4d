import { SeqhuntError } from "../errors.js";
import { MAX_ORDER } from "./adaptive.js";
import { assembleDetector, type DetectorSource, nameOf, splitState, weightOf } from "./base.js";
import {
  ContextChain,
  type ContextChainJson,
  type ContextCounts,
  contextChainCounting,
  contextChainCrossFit,
  contextChainHeldOut,
  type StepSummary,
} from "./context-chain.js";
import { crossFitScores, halvesCounting } from "./cross-fit.js";
import {
  type HeldOutOptions,
  type MarkovSetCounts,
  type MarkovSetHeldOut,
  type MarkovSetOptions,
  markovSetAsScored,
  markovSetCounting,
  markovSetDetector,
  markovSetFromHeldOut,
  markovSetHeldOut,
} from "./markov-set.js";
import { Novelty, type NoveltyCount, type NoveltyParts } from "./novelty.js";
import { NumberColumn, type PassTraining, together, trainInMemory, trainInPasses } from "./passes.js";
import type { EntityPrior } from "./presence.js";
import { rankAgreement, reliabilityShares } from "./reliability.js";
import { TAIL_SHARE, Tail } from "./tail.js";
import type {
  Detector,
  DetectorExplanation,
  DetectorFactory,
  SessionPasses,
  StepContribution,
  WeightedSession,
} from "./types.js";
import { WindowExpectation, type WindowPrior, WindowRates } from "./window-expectation.js";

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
  /** Windows of weight of everyone's rate of never-seen windows in one command's (default "held-out": {@link WindowRates.heldOutPrior}). */
  readonly windowPrior?: WindowPrior | undefined;
  /** markov-set's entity prior ({@link MarkovSetOptions.entityPrior}). */
  readonly entityPrior?: EntityPrior | undefined;
  /** markov-set's weight of the most surprising step ({@link MarkovSetOptions.maxStepWeight}). */
  readonly maxStepWeight?: number | undefined;
}

/** markov-novelty's learnt state as JSON. */
interface MarkovNoveltyJson {
  /** The markov-set detector inside, as its `toJSON` wrote it. */
  readonly markovSet: unknown;
  readonly novelty: unknown;
  /**
   * Training scores of each view: markov-set's cross-fitted ({@link crossFitScores}), the novelty excess's held
   * out, the context chain's mean surprise per step cross-fitted ({@link contextChainCrossFit}).
   */
  readonly tails: readonly unknown[];
  /** Which views these are (files from before the current ones hold another or none: train again). */
  readonly views: typeof VIEWS;
  /** The context chain at its chosen order, with its gain (see {@link ContextChain}). */
  readonly context: ContextChainJson;
  /** Never-seen windows per window by the window's last command (see {@link WindowExpectation}). */
  readonly windowRates: unknown;
  readonly floor: number;
  /** The weight of the novelty view's rarity (see {@link noveltyTrust}). */
  readonly trust: number;
  /** Whether the context chain's mean surprise is a view (see {@link MarkovNoveltyParts.chainView}). */
  readonly chainView: boolean;
  /** The share of its weight markov-set and the context chain each keep (see {@link MarkovNoveltyParts.reliability}). */
  readonly reliability: readonly [number, number];
}

/**
 * How far a count of never-seen windows exceeds what the session's windows predict at the training rates
 * ({@link WindowExpectation}), in Poisson standard deviations (with `floor` windows of variance at least):
 * long normal sessions meet new windows in proportion to their length, a noisy program's more than a
 * predictable one's, an attack more than either.
 */
export function excessOf(novel: number, expected: number, floor: number): number {
  return (novel - expected) / Math.sqrt(expected + floor);
}

/** A session's {@link excessOf} its count of never-seen windows (held out when `leaveOut`). */
export function noveltyExcess(
  novelty: Novelty,
  expectation: WindowExpectation,
  floor: number,
  s: WeightedSession,
  leaveOut: boolean,
): number {
  const { novel } = novelty.count(s, leaveOut);
  return excessOf(novel[0] + novel[1], expectation.expected(novelty, s), floor);
}

/** The training sessions' rates of never-seen windows by a window's last command (see {@link WindowRates}). */
export function windowExpectationOf(novelty: Novelty, train: readonly WeightedSession[]): WindowExpectation {
  const rates = new WindowRates();
  for (const t of train) rates.add(novelty, t);
  return rates.expectation();
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

/**
 * How much the long-context view (novelty) weighs against markov-set's first-order ones, from the training
 * data alone: the share of a first-order chain's held-out surprise that the context chain's chosen context
 * removes, times how far never-seen windows are evidence ({@link noveltyTrust}). System calls: about 0.9;
 * log keys: about 0.35; typed commands: about 0.05.
 */
export const contextWeight = (context: { readonly gain: number }, trust: number): number =>
  context.gain * trust;

/** The registry name. */
const METHOD = "markov-novelty";

/**
 * Marks a saved detector's views: markov-set's cross-fitted tail, novelty expected by each window's last
 * command, markov-set's training sessions held out from their entity's counts and an entity's sessions weighed
 * against the other entities' counts, the context chain's mean surprise per step a view at 1 - trust where
 * sessions have no entity, markov-set's rarity whole beyond its highest training session's
 * ({@link wholeBeyondTop}), and markov-set and the chain weighed by their reliability ({@link viewReliability}).
 */
const VIEWS =
  "cross-fitted set tail, windows by last command, held out from the entity, against the other entities, chain view beside markov-set, set rarity whole beyond its top, set and chain by reliability";

/**
 * The markov-set inside: its options (an entity's session weighed against the other entities' counts; a
 * training session held out from its entity's counts in both views, so each view's scale is what new sessions
 * of the entity meet).
 */
export const ORDER_AND_SET: MarkovSetOptions = {
  method: "markov-set",
  combine: "sum",
  entityHeldOut: true,
  against: "others",
};

/** The markov-set inside with the options' entity prior and step weight, where given. */
function orderAndSetOf(options: MarkovNoveltyOptions): MarkovSetOptions {
  const { entityPrior, maxStepWeight } = options;
  return {
    ...ORDER_AND_SET,
    ...(entityPrior === undefined ? {} : { entityPrior }),
    ...(maxStepWeight === undefined ? {} : { maxStepWeight }),
  };
}

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
export interface MarkovNoveltyParts {
  readonly markovSet: Detector;
  readonly novelty: Novelty;
  /** markov-set's, the novelty excess's and the context chain's. */
  readonly tails: readonly [Tail, Tail, Tail];
  readonly context: ContextChain;
  readonly windows: WindowExpectation;
  readonly floor: number;
  readonly trust: number;
  /**
   * Whether the context chain's mean surprise per step is a view: when no training session has an entity. The
   * chain is everyone's, so where sessions have entities it ranks an entity's own habits as rare when others
   * lack them, which markov-set's views, relative to the entity, do not (SEA @1%: 55.4% -> 43.7%).
   */
  readonly chainView: boolean;
  /**
   * The share of its weight markov-set's view and the context chain's each keep, by how far each one's score of
   * a training session is its own and not which sessions training held ({@link viewReliability}); both 1 where
   * the chain is no view.
   */
  readonly reliability: readonly [set: number, chain: number];
}

/**
 * The shares of their weights markov-set's view and the context chain's keep: each view scores every training
 * session twice, held out and by the half of training that did not count it, and the view whose two scores
 * agree less (its rank agreement, as a signal-to-noise ratio against the other's: {@link reliabilityShares})
 * weighs less. Where a first-order rarest step and a set of calls swing with which rare programs training
 * happens to hold, and the long context's smoothed mean does not, markov-set yields to the chain (ADFA-LD:
 * README); elsewhere the two agree alike or markov-set more, and little changes. No new pass: both scores are
 * the views' own tails and training scores.
 */
function viewReliability(
  chainView: boolean,
  set: { readonly heldOut: ArrayLike<number>; readonly crossFitted: ArrayLike<number> },
  chain: { readonly heldOut: ArrayLike<number>; readonly crossFitted: ArrayLike<number> },
  weights: ArrayLike<number>,
): [number, number] {
  if (!chainView) return [1, 1];
  const [bySet, byChain] = reliabilityShares(
    [
      rankAgreement(set.heldOut, set.crossFitted, weights),
      rankAgreement(chain.heldOut, chain.crossFitted, weights),
    ],
    weights.length,
  );
  return [bySet as number, byChain as number];
}

/** One session's views as scored: markov-set's score, the novelty excess and the context chain's mean surprise per step. */
type ViewScores = readonly [setScore: number, excess: number, chainMean: number];

/**
 * The views' weighted rarities: markov-set's score at 1 - {@link contextWeight} ({@link wholeBeyondTop}), the novelty
 * excess's at that weight, and the context chain's mean surprise per step at 1 - trust ({@link noveltyTrust}).
 * Where training sessions themselves meet many never-seen windows, novelty is weak evidence and the long
 * context ranks a whole trace through the chain's smoothed surprise instead, which markov-set's first-order
 * rarest step and set do not (ADFA-LD, README); where never-seen windows are evidence, novelty ranks.
 */
function rarities(
  parts: MarkovNoveltyParts,
  [setScore, excess, chainMean]: ViewScores,
): [number, number, number] {
  const w = contextWeight(parts.context, parts.trust);
  const [bySet, byNovelty, byChain] = parts.tails;
  const [setShare, chainShare] = parts.reliability;
  return [
    wholeBeyondTop(bySet.rarity(setScore), bySet.top, (1 - w) * setShare),
    w * byNovelty.rarity(excess),
    parts.chainView ? (1 - parts.trust) * chainShare * byChain.rarity(chainMean) : Number.NEGATIVE_INFINITY,
  ];
}

/**
 * markov-set's weighted rarity: `weight` of `rarity` up to `top`, the rarity of its highest held-out training
 * session, and all of it beyond. The weight keeps its rarest step on ordinary long processes, within what
 * training sessions score, from outranking never-seen runs; a process beyond every training session (a call
 * no process made, a set of calls none had) is not ordinary, and stays there (README, "System-call traces
 * made here").
 */
export function wholeBeyondTop(rarity: number, top: number, weight: number): number {
  return weight * Math.min(rarity, top) + Math.max(0, rarity - top);
}

/**
 * Counts in two passes: the categorical parameters, the novelty windows and the context chain's contexts,
 * then markov-set's chain and occurrences.
 */
function* markovNoveltyCounting(options: MarkovNoveltyOptions): PassTraining<MarkovNoveltyCounts> {
  const [set, context] = yield* together(
    setAndNoveltyCounting(options),
    contextChainCounting(options.maxOrder ?? MAX_ORDER),
  );
  return { ...set, context };
}

/** The novelty view's part of the held-out pass: the window rates, the trust and each session's held-out count. */
interface NoveltyHeldOut {
  readonly windows: WindowExpectation;
  readonly trust: number;
  /**
   * Each training session's held-out count ({@link NoveltyCount}), in training order: never-seen windows at
   * the edges, never-seen windows inside, windows at the edges, windows inside.
   */
  readonly columns: readonly [Float64Array, Float64Array, Float64Array, Float64Array];
  /** Each training session's never-seen windows as scored (not held out), when asked: what explaining it reads. */
  readonly scoredNovel?: Float64Array | undefined;
}

/**
 * One pass keeping each training session's held-out novelty count (four numbers) and adding up rates and
 * trust; with `scored`, each one's count of never-seen windows as scored too, from the same look-ups.
 */
function* noveltyHeldOut(
  novelty: Novelty,
  windowPrior: WindowPrior | undefined,
  scored = false,
): PassTraining<NoveltyHeldOut> {
  const rates = new WindowRates();
  const trust = new Trust();
  const columns = [new NumberColumn(), new NumberColumn(), new NumberColumn(), new NumberColumn()] as const;
  const scoredColumn = scored ? new NumberColumn() : undefined;
  yield (s) => {
    rates.add(novelty, s);
    let held: NoveltyCount;
    if (scoredColumn === undefined) held = novelty.count(s, true);
    else {
      const both = novelty.countBoth(s, true);
      held = both.heldOut;
      scoredColumn.push(both.scored[0] + both.scored[1]);
    }
    trust.add(held, weightOf(s));
    columns[0].push(held.novel[0]);
    columns[1].push(held.novel[1]);
    columns[2].push(held.windows[0]);
    columns[3].push(held.windows[1]);
  };
  return {
    windows: rates.expectation(windowPrior),
    trust: trust.trust(),
    columns: [columns[0].values(), columns[1].values(), columns[2].values(), columns[3].values()],
    scoredNovel: scoredColumn?.values(),
  };
}

/** The novelty view's numbers per training session once its windows are counted. */
interface NoveltyNumbers {
  readonly novel: NoveltyHeldOut;
  /** Each training session's expected count of never-seen windows ({@link WindowExpectation}). */
  readonly expectedNovel: Float64Array;
}

/**
 * Two passes over the sessions `novelty` counted: each held out ({@link noveltyHeldOut}), then each one's
 * expected count of never-seen windows (known once every session is held out).
 */
function* noveltyNumbers(
  novelty: Novelty,
  options: MarkovNoveltyOptions,
  scored = false,
): PassTraining<NoveltyNumbers> {
  const novel = yield* noveltyHeldOut(novelty, options.windowPrior, scored);
  // Counting is over: the room kept for more windows goes, now that the context chain's counts at every
  // order are gone (cut at the end of the counts' pass, the copy sat beside them).
  novelty.trim();
  const expected = new NumberColumn();
  yield (s) => expected.push(novel.windows.expected(novelty, s));
  return { novel, expectedNovel: expected.values() };
}

/** The novelty view's counts and its numbers per training session. */
type NoveltyView = NoveltyNumbers & { readonly novelty: Novelty };

/**
 * The novelty view trained alone (three passes: windows, held out, expected): it reads only command names and
 * weights. With `scored`, each session's never-seen windows as scored are kept too ({@link noveltyHeldOut}).
 */
function* noveltyViewTraining(options: MarkovNoveltyOptions, scored = false): PassTraining<NoveltyView> {
  const novelty = Novelty.empty(options.window ?? NOVELTY_WINDOW);
  yield (s) => novelty.add(s);
  return { novelty, ...(yield* noveltyNumbers(novelty, options, scored)) };
}

/**
 * What markov-novelty keeps of its trained context chain: the chain at its chosen order (its gain sets the
 * novelty view's weight, {@link contextWeight}; its mean surprise per step is a view) and each training
 * session's mean surprise, in training order: held out (as a hunt scores it) and cross-fitted
 * ({@link contextChainCrossFit}: the view's tail).
 */
export interface ContextView {
  readonly chain: ContextChain;
  readonly heldOut: Float64Array;
  readonly crossFitted: Float64Array;
}

/** A {@link ContextView} as plain data that crosses threads. */
interface ContextViewParts {
  readonly chain: ContextChainJson;
  readonly heldOut: Float64Array;
  readonly crossFitted: Float64Array;
}

/** A {@link ContextView} again from its plain data. */
function contextViewOfParts(parts: unknown): ContextView {
  const { chain, heldOut, crossFitted } = parts as ContextViewParts;
  return { chain: ContextChain.fromJSON(chain), heldOut, crossFitted };
}

/**
 * The context chain from its counts: one pass scoring each training session held out at every order (the
 * order), two cross-fitting them at it.
 */
function* contextViewFromCounts(counted: ContextCounts): PassTraining<ContextView> {
  const held = yield* contextChainHeldOut(counted);
  return { ...held, crossFitted: yield* contextChainCrossFit(held) };
}

/**
 * The context chain trained over four passes of the sessions: counts, held out, halves, cross-fitted. It reads
 * only the sessions' command names and weights, so it can run apart (in a worker thread).
 */
function* contextViewTraining(options: MarkovNoveltyOptions): PassTraining<ContextView> {
  return yield* contextViewFromCounts(yield* contextChainCounting(options.maxOrder ?? MAX_ORDER));
}

/** markov-set's and the novelty view's counts, without the context chain's. */
type SetAndNoveltyCounts = Omit<MarkovNoveltyCounts, "context">;

/** markov-set's and the novelty view's held-out passes: a few numbers per training session. */
type SetAndNoveltyHeldOut = SetNumbers & NoveltyNumbers;

/** Counts markov-set's statistics and the novelty windows in two passes (the categorical parameters, the windows first). */
function* setAndNoveltyCounting(options: MarkovNoveltyOptions): PassTraining<SetAndNoveltyCounts> {
  const novelty = Novelty.empty(options.window ?? NOVELTY_WINDOW);
  function* windows(): PassTraining<void> {
    yield (s) => novelty.add(s);
  }
  const { combine, entityPrior } = orderAndSetOf(options);
  const [set] = yield* together(markovSetCounting(combine, entityPrior), windows());
  return { ...set, novelty };
}

/** markov-set's numbers per training session: its held-out views' scores and its cross-fitted score. */
interface SetNumbers {
  readonly set: MarkovSetHeldOut;
  /** Each training session's markov-set score by the half that did not count it ({@link crossFitScores}). */
  readonly crossFitted: Float64Array;
}

/**
 * Two passes: one scoring every training session held out by markov-set while counting its halves, one
 * scoring each session by the half that did not count it.
 */
function* setNumbers(
  counts: MarkovSetCounts,
  options: MarkovNoveltyOptions,
  heldOutOptions: HeldOutOptions = {},
): PassTraining<SetNumbers> {
  const setOptions = orderAndSetOf(options);
  const [set, halves] = yield* together(
    markovSetHeldOut(counts, setOptions, heldOutOptions),
    halvesCounting(counts),
  );
  // Each half standardised by the whole's scales, so its scores are on the scale test sessions are scored on.
  const crossFitted = yield* crossFitScores([
    markovSetFromHeldOut(setOptions, halves[0], set),
    markovSetFromHeldOut(setOptions, halves[1], set),
  ]);
  return { set, crossFitted };
}

/**
 * markov-set alone, counted and scored held out and cross-fitted (four passes): the main thread's part when
 * threaded; with `asScored`, each session's views as scored too ({@link HeldOutOptions}).
 */
function* setTraining(
  options: MarkovNoveltyOptions,
  heldOutOptions: HeldOutOptions,
): PassTraining<{ readonly counts: MarkovSetCounts; readonly numbers: SetNumbers }> {
  const { combine, entityPrior } = orderAndSetOf(options);
  const counts = yield* markovSetCounting(combine, entityPrior);
  return { counts, numbers: yield* setNumbers(counts, options, heldOutOptions) };
}

/**
 * Two passes: markov-set's ({@link setNumbers}) beside the novelty view's ({@link noveltyNumbers}), each
 * session scored held out in the first.
 */
function* setAndNoveltyHeldOut(
  counts: SetAndNoveltyCounts,
  options: MarkovNoveltyOptions,
): PassTraining<SetAndNoveltyHeldOut> {
  const [set, novelty] = yield* together(
    setNumbers(counts, options),
    noveltyNumbers(counts.novelty, options),
  );
  return { ...set, ...novelty };
}

/** markov-set's and the novelty view's training: counts, then the held-out and cross-fitted passes (four passes). */
function* setAndNoveltyTraining(
  options: MarkovNoveltyOptions,
): PassTraining<{ counts: SetAndNoveltyCounts; heldOut: SetAndNoveltyHeldOut }> {
  const counts = yield* setAndNoveltyCounting(options);
  return { counts, heldOut: yield* setAndNoveltyHeldOut(counts, options) };
}

/**
 * The detector from every view's counts and held-out numbers per training session: scales, rates, tails,
 * trust and calibration.
 */
function markovNoveltyOf(
  counts: SetAndNoveltyCounts,
  held: SetAndNoveltyHeldOut,
  context: ContextView,
  options: MarkovNoveltyOptions,
): Detector {
  const { parts, source } = trainedParts(counts, held, context, options);
  return assemble(parts, source);
}

/** The markov-set inside, from its counts and its held-out numbers. */
const markovSetOf = (
  counts: MarkovSetCounts,
  numbers: Pick<SetNumbers, "set">,
  options: MarkovNoveltyOptions,
): Detector => markovSetFromHeldOut(orderAndSetOf(options), counts, numbers.set);

/** The parts of {@link markovNoveltyOf}'s detector and its training scores (`markovSet`: made already, if given). */
function trainedParts(
  counts: SetAndNoveltyCounts,
  held: SetAndNoveltyHeldOut,
  context: ContextView,
  options: MarkovNoveltyOptions,
  markovSet: Detector = markovSetOf(counts, held, options),
): { readonly parts: MarkovNoveltyParts; readonly source: DetectorSource } {
  const { set: setHeldOut, novel, crossFitted, expectedNovel } = held;
  const { weights } = setHeldOut;
  const floor = options.floor ?? NOVELTY_FLOOR;
  const tailShare = options.tailShare ?? TAIL_SHARE;
  const setScores = markovSet.trainingScores();
  const excess = new Float64Array(setScores.length);
  const [edgeNovel, innerNovel] = novel.columns;
  for (let i = 0; i < excess.length; i++)
    excess[i] = excessOf(
      (edgeNovel[i] as number) + (innerNovel[i] as number),
      expectedNovel[i] as number,
      floor,
    );
  // One session leaves the other half empty: its held-out score is all there is.
  const setCrossFitted = setScores.length > 1 ? crossFitted : setScores;
  const chainView = counts.presence.entities.size === 0;
  const tails = [
    Tail.of(setCrossFitted, weights, tailShare),
    Tail.of(excess, weights, tailShare),
    Tail.of(context.crossFitted, weights, tailShare),
  ] as const;
  const parts: MarkovNoveltyParts = {
    markovSet,
    novelty: counts.novelty,
    tails,
    context: context.chain,
    windows: novel.windows,
    floor,
    trust: novel.trust,
    chainView,
    reliability: viewReliability(
      chainView,
      { heldOut: setScores, crossFitted: setCrossFitted },
      context,
      weights,
    ),
  };
  const heldOut = new Float64Array(excess.length);
  for (let i = 0; i < heldOut.length; i++)
    heldOut[i] = Math.max(
      ...rarities(parts, [setScores[i] as number, excess[i] as number, context.heldOut[i] as number]),
    );
  return { parts, source: { trainingScores: heldOut, weights } };
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
  const [held, context] = yield* together(
    setAndNoveltyHeldOut(counts, options),
    contextViewFromCounts(counts.context),
  );
  return markovNoveltyOf(counts, held, context, options);
}

/** Counts markov-novelty's statistics over two passes of the training sessions (step one of {@link markovNoveltyDetector}'s training). */
export function countMarkovNovelty(
  sessions: SessionPasses,
  options: MarkovNoveltyOptions = {},
): Promise<MarkovNoveltyCounts> {
  return trainInPasses(markovNoveltyCounting(options), sessions);
}

/**
 * markov-novelty from its counts (counted here by {@link countMarkovNovelty}, or by a database) and three passes
 * over the training sessions they counted, in any one order, each scored held out, then cross-fitted: a few
 * numbers per session, never the sessions; `trainingScores()` in that order. It takes the context chain's counts (see
 * {@link contextChainHeldOut}): use the counts once.
 */
export function markovNoveltyFromCounts(
  counts: MarkovNoveltyCounts,
  heldOut: SessionPasses,
  options: MarkovNoveltyOptions = {},
): Promise<Detector> {
  return trainInPasses(markovNoveltyHeldOut(counts, options), heldOut);
}

/**
 * What the context chain's view reads of the training sessions, compact enough to cross threads: every
 * session's command names as ids into `names`, one session after another, and each session's weight.
 */
export interface ContextSessions {
  /** Command names by id, in the order the sessions first name them. */
  readonly names: readonly string[];
  /** Every session's command ids, in training order. */
  readonly ids: Int32Array;
  /** Where each session's ids end in `ids`. */
  readonly ends: Int32Array;
  readonly weights: Float64Array;
}

/** The sessions as the context chain's view reads them ({@link ContextSessions}). */
export function contextSessionsOf(sessions: readonly WeightedSession[]): ContextSessions {
  const idOf = new Map<string, number>();
  const names: string[] = [];
  let length = 0;
  for (const s of sessions) length += s.session.length;
  const ids = new Int32Array(length);
  const ends = new Int32Array(sessions.length);
  const weights = new Float64Array(sessions.length);
  let at = 0;
  sessions.forEach((s, i) => {
    for (const c of s.session) {
      const name = nameOf(c);
      let id = idOf.get(name);
      if (id === undefined) {
        id = names.length;
        idOf.set(name, id);
        names.push(name);
      }
      ids[at++] = id;
    }
    ends[i] = at;
    weights[i] = weightOf(s);
  });
  return { names, ids, ends, weights };
}

/** Sessions of command names again, from {@link contextSessionsOf}: what the context chain's view reads of the originals. */
export function sessionsOfContext(c: ContextSessions): WeightedSession[] {
  const { names, ids, ends, weights } = c;
  const out = new Array<WeightedSession>(ends.length);
  let from = 0;
  // Plain loops: Array.from with a mapping function over subarrays took 2.5 times as long (0.5 s a million commands).
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number;
    const session: string[] = [];
    for (let k = from; k < end; k++) session.push(names[ids[k] as number] as string);
    from = end;
    out[i] = { session, weight: weights[i] as number };
  }
  return out;
}

/** The last sessions this thread decoded and what from: kept for the other view's request (see {@link decodedOnce}). */
let lastDecoded: { readonly from: ContextSessions; readonly sessions: WeightedSession[] } | undefined;

/** Whether two arrays hold the same values (`Object.is`, so -0 and NaN weights too), in the same order. */
function sameValues(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * {@link sessionsOfContext}, decoded once for both views' requests when one worker gets both (each crosses as
 * its own copy of the same sessions): the second request with equal sessions takes the first's decoding, and
 * lets it go (about 0.2 s of a million commands, and the garbage of a second set of sessions). The check
 * walks the typed arrays once, a few milliseconds.
 */
export function decodedOnce(c: ContextSessions): WeightedSession[] {
  const last = lastDecoded;
  if (
    last !== undefined &&
    sameValues(last.from.ids, c.ids) &&
    sameValues(last.from.ends, c.ends) &&
    sameValues(last.from.weights, c.weights) &&
    sameValues(last.from.names, c.names)
  ) {
    lastDecoded = undefined;
    return last.sessions;
  }
  const sessions = sessionsOfContext(c);
  lastDecoded = { from: c, sessions };
  return sessions;
}

/**
 * What markov-novelty's threaded training asks of another thread, both reading only command names: the
 * context chain's view, the novelty view.
 */
type OffloadedView = "context" | "novelty";

/**
 * What markov-novelty's threaded training asks last of the thread that trained the context chain, when every
 * training session's reason is asked: each one's mean surprise per step and most surprising step as scored
 * (what the reasons read), while this thread assembles the detector.
 */
interface ChainMeansRequest {
  readonly view: "chain means";
}

/** The reply to a {@link ChainMeansRequest}: each training session's {@link StepSummary}, as two columns. */
interface ChainMeans {
  readonly means: Float64Array;
  readonly worst: Int32Array;
}

/** The context chain this thread trained last and its sessions, kept for a {@link ChainMeansRequest}. */
let trainedChain: { readonly chain: ContextChain; readonly sessions: WeightedSession[] } | undefined;

/** Each session's step summary under the chain this thread trained last (then let go). */
function chainMeans(): ChainMeans {
  const kept = trainedChain;
  trainedChain = undefined;
  if (kept === undefined)
    throw new Error("markov-novelty's chain means asked of a thread that trained no chain");
  const means = new Float64Array(kept.sessions.length);
  const worst = new Int32Array(kept.sessions.length);
  for (let i = 0; i < means.length; i++) {
    const summary = kept.chain.summary(kept.sessions[i] as WeightedSession);
    means[i] = summary.mean;
    worst[i] = summary.worst;
  }
  return { means, worst };
}

/** What markov-novelty's threaded training sends another thread: which view to train, its options and the sessions' names. */
interface ViewRequest {
  readonly view: OffloadedView;
  readonly options: MarkovNoveltyOptions;
  readonly sessions: ContextSessions;
  /** Whether the novelty view sends each training session's excess (explaining reads it; `train` does not). */
  readonly excess: boolean;
}

/** The novelty view trained ({@link noveltyViewTraining}) as plain data that crosses threads. */
interface NoveltyViewParts {
  readonly counts: NoveltyParts;
  readonly windows: { readonly rate: number; readonly byLast: readonly (readonly [string, number])[] };
  readonly trust: number;
  readonly columns: NoveltyHeldOut["columns"];
  readonly expectedNovel: Float64Array;
  /** Each training session's {@link noveltyExcess} as scored (not held out): what explaining it reads (when asked). */
  readonly excess?: Float64Array | undefined;
}

/**
 * The novelty view as plain data, with each training session's excess as scored when its held-out pass
 * counted the never-seen windows as scored (see {@link NoveltyViewParts}).
 */
function noveltyViewParts(view: NoveltyView, options: MarkovNoveltyOptions): NoveltyViewParts {
  const { novelty, novel, expectedNovel } = view;
  return {
    counts: novelty.toParts(),
    windows: { rate: novel.windows.rate, byLast: [...novel.windows.byLast] },
    trust: novel.trust,
    columns: novel.columns,
    expectedNovel,
    excess: novel.scoredNovel === undefined ? undefined : excessScored(novel.scoredNovel, view, options),
  };
}

/**
 * Each training session's {@link noveltyExcess} as scored (not held out): its never-seen windows as scored
 * (`scoredNovel`, counted in the held-out pass) against its expected count.
 */
function excessScored(
  scoredNovel: Float64Array,
  { expectedNovel }: NoveltyView,
  options: MarkovNoveltyOptions,
): Float64Array {
  const floor = options.floor ?? NOVELTY_FLOOR;
  return Float64Array.from(scoredNovel, (n, i) => excessOf(n, expectedNovel[i] as number, floor));
}

/** The novelty view again from its plain data: its windows counted as the ones sent, in the same order. */
function noveltyViewOfParts(parts: unknown): NoveltyView & { readonly excess?: Float64Array | undefined } {
  const { counts, windows, trust, columns, expectedNovel, excess } = parts as NoveltyViewParts;
  const novelty = Novelty.ofParts(counts);
  return {
    novelty,
    novel: { windows: new WindowExpectation(windows.rate, new Map(windows.byLast)), trust, columns },
    expectedNovel,
    excess,
  };
}

/**
 * Why `s` scores as it does, given its views' weighted rarities ({@link rarities}, as scored, not held out):
 * the view that ranks the session says why (only its explanation is worked out).
 */
function explained(
  parts: MarkovNoveltyParts,
  s: WeightedSession,
  rarities: readonly [number, number, number],
): DetectorExplanation {
  if (chainRanks(rarities)) return parts.context.explain(s);
  const base = parts.markovSet.explain(s);
  const novel = novelRuns(parts, s, rarities);
  return novel === null
    ? base
    : { steps: [...base.steps, ...novel], reason: noveltyReason(parts.novelty, novel) };
}

/** Whether the context chain's view ranks a session with these weighted rarities (above both others). */
const chainRanks = ([bySet, byNovelty, byChain]: readonly [number, number, number]): boolean =>
  byChain > bySet && byChain > byNovelty;

/**
 * {@link explained}'s reason alone: markov-set's (`setReason`, asked only when markov-set's view says why)
 * or the novelty runs'.
 */
function reasonOf(
  parts: MarkovNoveltyParts,
  s: WeightedSession,
  rarities: readonly [number, number, number],
  setReason: () => string,
  chainSummary?: StepSummary,
): string {
  if (chainRanks(rarities)) return parts.context.reason(s, chainSummary);
  const novel = novelRuns(parts, s, rarities);
  return novel === null ? setReason() : noveltyReason(parts.novelty, novel);
}

/** The never-seen runs that say why `s` scores as it does, or null when markov-set's view says why (it ranks, or no run). */
function novelRuns(
  parts: MarkovNoveltyParts,
  s: WeightedSession,
  [bySet, byNovelty]: readonly [number, number, number],
): StepContribution[] | null {
  if (byNovelty <= bySet) return null;
  const novel = parts.novelty.explain(s);
  return novel.length === 0 ? null : novel;
}

/** The reason a session's never-seen runs (at least one) give. */
function noveltyReason(novelty: Novelty, novel: readonly StepContribution[]): string {
  const first = (novel[0] as StepContribution).step.replace(/: never seen in training$/, "");
  return `${novel.length} run${novel.length === 1 ? "" : "s"} of ${novelty.window} commands never seen in training, first ${first}`;
}

/** The detector of its parts, trained (held-out training scores) or loaded (a saved calibration). */
function assemble(parts: MarkovNoveltyParts, source: DetectorSource): Detector {
  const { markovSet, novelty, tails, context, windows, floor, trust, chainView } = parts;
  const all = (s: WeightedSession, leaveOut: boolean): [number, number, number] =>
    rarities(parts, [
      (leaveOut ? markovSet.scoreHeldOut([s]) : markovSet.score([s]))[0] as number,
      noveltyExcess(novelty, windows, floor, s, leaveOut),
      chainView ? context.meanSurprise(s, leaveOut) : Number.NaN,
    ]);
  return assembleDetector(
    {
      method: METHOD,
      view: (s, leaveOut = false) => Math.max(...all(s, leaveOut)),
      explain: (s) => explained(parts, s, all(s, false)),
      state: (): MarkovNoveltyJson => ({
        markovSet: markovSet.toJSON().state,
        novelty: novelty.toJSON(),
        tails: tails.map((t) => t.toJSON()),
        views: VIEWS,
        context: context.toJSON(),
        windowRates: windows.toJSON(),
        floor,
        trust,
        chainView,
        reliability: parts.reliability,
      }),
    },
    source,
  );
}

/**
 * Views, each a rarity against its own held-out training scores ({@link Tail}): markov-set (first-order order
 * and which commands occur), novelty mass (how many more windows of {@link NOVELTY_WINDOW} commands never seen
 * in training a session holds than its windows predict) and, where no training session has an entity, a
 * {@link ContextChain}'s mean surprise per step (its context length chosen by held-out likelihood). Novelty
 * weighs {@link contextWeight} against markov-set's 1 - that weight, the chain 1 - trust, and markov-set and
 * the chain each keep their reliability's share ({@link viewReliability}); the highest weighted rarity ranks
 * ({@link rarities}): typed commands rank as in markov-set, long system-call or log-key sessions by their
 * never-seen runs or, where every trace meets some, by the chain, not by their single rarest step. markov-set
 * does not merge exactly, so neither does this. Trains in four passes when the sessions do not fit in memory
 * (the context chain's four alongside the others), from counts made elsewhere and three passes
 * ({@link countMarkovNovelty}, {@link markovNoveltyFromCounts}), and with the context chain and the novelty
 * view in other threads ({@link DetectorFactory.threaded}: they read only command names and weights).
 */
export function markovNoveltyDetector(options: MarkovNoveltyOptions = {}): DetectorFactory {
  // The context chain and the two views (four passes each) train side by side over the same passes.
  function* training(): PassTraining<Detector> {
    const [{ counts, heldOut }, context] = yield* together(
      setAndNoveltyTraining(options),
      contextViewTraining(options),
    );
    return markovNoveltyOf(counts, heldOut, context, options);
  }
  return {
    train: (train) => trainInMemory(training(), train),
    trainPasses: (sessions) => trainInPasses(training(), sessions),
    threaded: {
      // The parts that read only command names (the context chain, then the novelty view) in other threads,
      // queued on one worker or each in its own; markov-set meanwhile here, the heaviest part (README, Worker threads).
      train: async (train, offload, { explainsTraining = true, explainsEvery = false } = {}) => {
        const sessions = contextSessionsOf(train);
        const request = (view: OffloadedView) =>
          offload({ view, options, sessions, excess: explainsTraining } satisfies ViewRequest);
        const sending = [request("context"), request("novelty")] as const;
        // The chain's mean surprise of every session, for their reasons, after the views, on the chain's thread.
        const everyReason = explainsTraining && explainsEvery;
        const means = everyReason
          ? offload({ view: "chain means" } satisfies ChainMeansRequest, sending[0])
          : undefined;
        // Read only where the chain is a view: not left unhandled where it is not.
        means?.catch(() => {});
        // markov-set's part of every explanation while the other threads train (the main thread waited for
        // them), its views as scored from its held-out pass.
        const { counts, numbers } = trainInMemory(setTraining(options, { asScored: everyReason }), train);
        const markovSet = markovSetOf(counts, numbers, options);
        const asScored = everyReason
          ? markovSetAsScored(orderAndSetOf(options), counts, numbers.set, train)
          : undefined;
        const [sent, sentNovelty] = await Promise.all(sending);
        const novel = noveltyViewOfParts(sentNovelty);
        const { parts, source } = trainedParts(
          { ...counts, novelty: novel.novelty },
          { ...numbers, novel: novel.novel, expectedNovel: novel.expectedNovel },
          contextViewOfParts(sent),
          options,
          markovSet,
        );
        const { excess } = novel;
        const detector = assemble(parts, source);
        const chainMeansOf = parts.chainView && means ? ((await means) as ChainMeans) : undefined;
        // The novelty view's excess of each training session came from its thread: only markov-set scores here,
        // unless it did so while waiting.
        const rarityOf = (i: number, s: WeightedSession, excessOfSession: number) =>
          rarities(parts, [
            asScored?.scores[i] ?? (markovSet.score([s])[0] as number),
            excessOfSession,
            parts.chainView ? (chainMeansOf?.means[i] ?? parts.context.meanSurprise(s)) : Number.NaN,
          ]);
        return {
          detector,
          explainTraining: (i, s) =>
            excess === undefined
              ? detector.explain(s)
              : explained(parts, s, rarityOf(i, s, excess[i] as number)),
          reasonOfTraining: (i, s) =>
            excess === undefined
              ? detector.explain(s).reason
              : reasonOf(
                  parts,
                  s,
                  rarityOf(i, s, excess[i] as number),
                  () => asScored?.reasons[i] ?? markovSet.explain(s).reason,
                  chainMeansOf && {
                    mean: chainMeansOf.means[i] as number,
                    worst: chainMeansOf.worst[i] as number,
                  },
                ),
        };
      },
      work: (request) => {
        if ((request as ChainMeansRequest).view === "chain means") return chainMeans();
        const { view, options: given, sessions, excess } = request as ViewRequest;
        const names = decodedOnce(sessions);
        if (view === "novelty")
          return noveltyViewParts(trainInMemory(noveltyViewTraining(given, excess), names), given);
        if (view === "context") {
          const { chain, heldOut, crossFitted } = trainInMemory(contextViewTraining(given), names);
          trainedChain = excess ? { chain, sessions: names } : undefined;
          return { chain: chain.toJSON(), heldOut, crossFitted } satisfies ContextViewParts;
        }
        throw new Error(`markov-novelty trains no view "${String(view)}" apart`);
      },
    },
    load: (state) => {
      const { model, calibration } = splitState(METHOD, state);
      return assemble(savedParts(model), { calibration });
    },
  };
}

/**
 * A markov-novelty detector's parts read back from its saved model state (the `model` of its `toJSON().state`),
 * checked: what loading assembles, and what studies and tests recombine.
 */
export function savedParts(model: unknown): MarkovNoveltyParts {
  const j = (model ?? {}) as Partial<MarkovNoveltyJson>;
  if (j.views !== VIEWS)
    throw new SeqhuntError(
      `a saved ${METHOD} detector from before its current views (markov-set's cross-fitted tail, held out from each session's entity and against the other entities, novelty by each window's last command, the context chain's mean surprise a view beside markov-set, markov-set's rarity whole beyond its highest training session's, markov-set and the chain weighed by their reliability): train again`,
    );
  if (
    !Array.isArray(j.tails) ||
    j.tails.length !== 3 ||
    typeof j.floor !== "number" ||
    !(j.floor >= 0) ||
    typeof j.trust !== "number" ||
    !(j.trust >= 0 && j.trust <= 1) ||
    typeof j.chainView !== "boolean" ||
    !validShares(j.reliability)
  )
    throw new SeqhuntError(
      `not a valid saved ${METHOD} detector: expected three view tails, a floor, a trust, whether the chain is a view and two reliability shares between 0 and 1`,
    );
  const tails: [Tail, Tail, Tail] = [
    Tail.fromJSON(j.tails[0]),
    Tail.fromJSON(j.tails[1]),
    Tail.fromJSON(j.tails[2]),
  ];
  // The saved state holds the entity prior and the step weight it was trained with.
  const markovSet = markovSetDetector(ORDER_AND_SET).load(j.markovSet);
  return {
    markovSet,
    novelty: Novelty.fromJSON(j.novelty),
    tails,
    context: ContextChain.fromJSON(j.context),
    windows: WindowExpectation.fromJSON(j.windowRates),
    floor: j.floor,
    trust: j.trust,
    chainView: j.chainView,
    reliability: [j.reliability[0], j.reliability[1]],
  };
}

/** Whether a saved detector's reliability shares are two numbers between 0 and 1. */
function validShares(shares: unknown): shares is readonly [number, number] {
  return (
    Array.isArray(shares) &&
    shares.length === 2 &&
    shares.every((x) => typeof x === "number" && x >= 0 && x <= 1)
  );
}
