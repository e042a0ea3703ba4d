import { SeqhuntError } from "../errors.js";
import {
  type Against,
  assembleDetector,
  CategoricalParams,
  type DetectorSource,
  MAX_STEP_WEIGHT,
  meanAndSpread,
  splitState,
  type View,
  weightOf,
} from "./base.js";
import { Chain } from "./chain.js";
import { NumberColumn, type PassTraining, trainInMemory, trainInPasses, type Visit } from "./passes.js";
import { ENTITY_PRIOR, type EntityPrior, Presence } from "./presence.js";
import type { Detector, DetectorFactory, WeightedSession } from "./types.js";

/** The mean and spread of one view's held-out training scores: what standardises it. */
interface Scale {
  readonly mean: number;
  readonly spread: number;
}

/** markov-set's learnt state as JSON. */
interface MarkovSetJson {
  readonly chain: unknown;
  readonly presence: unknown;
  readonly scales: readonly Scale[];
  /** The order view's weight of its most surprising step ({@link MAX_STEP_WEIGHT} when absent: files from before it was saved). */
  readonly maxStepWeight?: number;
}

/** The order of markov-set's chain: first order (each command given the one before). */
export const SET_CHAIN_ORDER = 1;

/** markov-set's counts over every training session: the order chain and the occurrence view. */
export interface MarkovSetCounts {
  /** A first-order chain per entity, backed off to everyone's ({@link Chain}). */
  readonly chain: Chain;
  /** Which commands, parameters and categorical values occur, per entity ({@link Presence}). */
  readonly presence: Presence;
}

/** Each view's held-out score of each training session, and each session's weight, in training order. */
export interface MarkovSetHeldOut {
  /** The order view's score (the chain's; it remembers no whole session, so held out is as scored). */
  readonly order: Float64Array;
  /** The occurrence view's held-out score. */
  readonly occurrence: Float64Array;
  /** Each session's weight. */
  readonly weights: Float64Array;
}

/**
 * The two views: order (the chain) and occurrence (which commands occur), held out where asked: the
 * occurrence view's whole set, and with `entityHeldOut` each view's entity counts too.
 */
const viewsOf = ({ chain, presence }: MarkovSetCounts, options: MarkovSetOptions): [View, View] => {
  const against = againstOf(options);
  const w = options.maxStepWeight ?? MAX_STEP_WEIGHT;
  return options.entityHeldOut === true
    ? [
        (s, leaveOut) => (leaveOut ? chain.heldOutScore(s, against, w) : chain.score(s, against, w)),
        (s, leaveOut) => (leaveOut ? presence.heldOutScore(s, against) : presence.score(s, false, against)),
      ]
    : [(s) => chain.score(s, against, w), (s, leaveOut) => presence.score(s, leaveOut, against)];
};

/** Whose counts an entity's session is weighed against (everyone's unless the options say). */
const againstOf = (options: MarkovSetOptions): Against => options.against ?? "everyone";
/**
 * Counts markov-set's statistics in two passes: the categorical parameters (the occurrence view tells their
 * values apart), then the chain and the occurrence view.
 */
export function* markovSetCounting(
  combine: "sum" | "max",
  entityPrior: EntityPrior = ENTITY_PRIOR,
): PassTraining<MarkovSetCounts> {
  const categorical = new CategoricalParams();
  yield (s) => categorical.add(s);
  const counter = markovSetCounter(Presence.counting(categorical.params(), true, combine, entityPrior));
  yield counter.add;
  return counter.counts;
}

/**
 * markov-set's counts once the categorical parameters are settled over every training session (the second
 * pass of {@link markovSetCounting}) into `presence`, an occurrence view with nothing counted yet (per
 * entity): `add` each training session, in order, to `counts`.
 */
export function markovSetCounter(presence: Presence): {
  readonly counts: MarkovSetCounts;
  readonly add: Visit;
} {
  const chain = Chain.empty(SET_CHAIN_ORDER, true);
  return {
    counts: { chain, presence },
    add: (s) => {
      chain.add(s);
      presence.add(s);
    },
  };
}

/** One pass keeping each training session's two held-out view scores and its weight. */
export function* markovSetHeldOut(
  counts: MarkovSetCounts,
  options: MarkovSetOptions,
): PassTraining<MarkovSetHeldOut> {
  const [order, occurrence] = viewsOf(counts, options);
  const columns = [new NumberColumn(), new NumberColumn(), new NumberColumn()] as const;
  yield (s) => {
    columns[0].push(order(s, true));
    columns[1].push(occurrence(s, true));
    columns[2].push(weightOf(s));
  };
  return { order: columns[0].values(), occurrence: columns[1].values(), weights: columns[2].values() };
}

/** Options of {@link markovSetDetector}. */
export interface MarkovSetOptions {
  /** The registry name. */
  readonly method: string;
  /** How the occurrence view adds its tokens: all of them ("sum"), or the most surprising one ("max"). */
  readonly combine: "sum" | "max";
  /**
   * Whether a training session scored held out (for the scales, and when a hunt scores what it trained on)
   * is taken out of its entity's counts in both views ({@link Chain.heldOutScore},
   * {@link Presence.heldOutScore}), as a new session of the entity meets them; otherwise the order view is
   * as scored and only the occurrence view's whole set is taken out.
   */
  readonly entityHeldOut?: boolean;
  /**
   * What an entity's session is weighed against in both views (default "everyone"): with "others", everyone's
   * counts less the entity's own (exactly: counts add), so a session scores by how far it is the entity's
   * and not the other entities'.
   */
  readonly against?: Against;
  /**
   * The weight of the background's presence rates in an entity's (default {@link ENTITY_PRIOR} sessions;
   * "held-out": chosen by held-out likelihood, see {@link Presence.entityPrior}).
   */
  readonly entityPrior?: EntityPrior;
  /** The order view's weight of a session's most surprising step beside its mean step (default {@link MAX_STEP_WEIGHT}). */
  readonly maxStepWeight?: number;
}

/** The detector of standardised views added, from its counts and scales. */
function assemble(
  given: MarkovSetOptions,
  counts: MarkovSetCounts,
  scales: readonly Scale[],
  source: DetectorSource,
  maxStepWeight = given.maxStepWeight ?? MAX_STEP_WEIGHT,
): Detector {
  const options: MarkovSetOptions = { ...given, maxStepWeight };
  const { chain, presence } = counts;
  const views = viewsOf(counts, options);
  const standardised = (x: number, i: number) =>
    (x - (scales[i] as Scale).mean) / (scales[i] as Scale).spread;
  const parts = (s: WeightedSession) => views.map((view, i) => standardised(view(s), i));
  return assembleDetector(
    {
      method: options.method,
      view: (s, leaveOut = false) =>
        views.reduce((total, view, i) => total + standardised(view(s, leaveOut), i), 0),
      explain: (s) => {
        const [order = 0, occurrence = 0] = parts(s);
        const byOrder = chain.explain(s, againstOf(options));
        const rare = presence.explain(s, againstOf(options));
        const steps = [...byOrder.steps, ...rare];
        const first = rare[0];
        // The view that adds more to the score says why.
        if (occurrence > order && first !== undefined)
          return { steps, reason: `${first.step} (rare for ${s.entity ?? "everyone"})` };
        return { steps, reason: byOrder.reason };
      },
      state: (): MarkovSetJson => ({
        chain: chain.toJSON(),
        presence: presence.toJSON(),
        scales,
        maxStepWeight,
      }),
    },
    source,
  );
}

/**
 * markov-set from its counts and its training sessions' held-out view scores: each view standardised by
 * the (weighted) mean and spread of its held-out scores, the training scores their standardised sums.
 */
export function markovSetFromHeldOut(
  options: MarkovSetOptions,
  counts: MarkovSetCounts,
  heldOut: MarkovSetHeldOut,
): Detector {
  const { order, occurrence, weights } = heldOut;
  const scales = [meanAndSpread(order, weights), meanAndSpread(occurrence, weights)] as const;
  const sums = new Float64Array(order.length);
  for (let i = 0; i < sums.length; i++)
    sums[i] =
      ((order[i] as number) - scales[0].mean) / scales[0].spread +
      ((occurrence[i] as number) - scales[1].mean) / scales[1].spread;
  return assemble(options, counts, scales, { trainingScores: sums, weights });
}

/**
 * Two views of a session, each scored against its entity (backed off to everyone) when sessions carry one:
 * the order of commands (a first-order chain per entity) and which commands occur ({@link Presence}); each
 * view is standardised by its scores on the training sessions held out, and the two are added. The scales
 * and the occurrence view's choice of categorical parameters depend on every training session together, so
 * two trained detectors do not merge exactly. Trains in three passes when the sessions do not fit in memory.
 */
export function markovSetDetector(options: MarkovSetOptions): DetectorFactory {
  function* training(): PassTraining<Detector> {
    const counts = yield* markovSetCounting(options.combine, options.entityPrior);
    return markovSetFromHeldOut(options, counts, yield* markovSetHeldOut(counts, options));
  }
  return {
    train: (train) => trainInMemory(training(), train),
    trainPasses: (sessions) => trainInPasses(training(), sessions),
    load: (state) => {
      const { model, calibration } = splitState(options.method, state);
      const j = (model ?? {}) as Partial<MarkovSetJson>;
      if (!Array.isArray(j.scales) || j.scales.length !== 2)
        throw new SeqhuntError(`not a valid saved ${options.method} detector: expected two scales`);
      if (j.maxStepWeight !== undefined && !(typeof j.maxStepWeight === "number" && j.maxStepWeight >= 0))
        throw new SeqhuntError(
          `not a valid saved ${options.method} detector: a bad most-surprising-step weight`,
        );
      const counts = { chain: Chain.fromJSON(j.chain), presence: Presence.fromJSON(j.presence) };
      // The saved weight scores as trained (the prior is in the occurrence view's state).
      return assemble(options, counts, j.scales, { calibration }, j.maxStepWeight);
    },
  };
}
