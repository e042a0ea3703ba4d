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
import type { Detector, DetectorFactory, StepContribution, WeightedSession } from "./types.js";

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
  /** Each view's score as scored (not held out) and the order view's reason, when asked ({@link markovSetAsScored} reads them). */
  readonly scored?: ViewsAsScored | undefined;
}

/** Each training session's views as scored (not held out), in training order: what explaining it reads. */
interface ViewsAsScored {
  readonly order: Float64Array;
  readonly occurrence: Float64Array;
  /** The order view's reason ({@link Chain.explain}'s). */
  readonly orderReasons: readonly string[];
}

/** What {@link markovSetHeldOut} keeps beside the held-out scores. */
export interface HeldOutOptions {
  /**
   * Each view's score as scored too, and the order view's reason ({@link MarkovSetHeldOut.scored}): the chain
   * works out the background's surprises once for both.
   */
  readonly asScored?: boolean | undefined;
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

/**
 * The order view of {@link viewsOf} held out and as scored at once ({@link Chain.heldOutAndScored}), with its
 * reason.
 */
const orderBothOf = ({ chain }: MarkovSetCounts, options: MarkovSetOptions) => {
  const against = againstOf(options);
  const w = options.maxStepWeight ?? MAX_STEP_WEIGHT;
  return (s: WeightedSession) => {
    const both = chain.heldOutAndScored(s, against, w);
    // Without entityHeldOut the order view is as scored, held out or not (see viewsOf).
    return options.entityHeldOut === true ? both : { ...both, heldOut: both.scored };
  };
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

/**
 * One pass keeping each training session's two held-out view scores and its weight; with `asScored`, its
 * views as scored and the order view's reason too.
 */
export function* markovSetHeldOut(
  counts: MarkovSetCounts,
  options: MarkovSetOptions,
  { asScored = false }: HeldOutOptions = {},
): PassTraining<MarkovSetHeldOut> {
  const [order, occurrence] = viewsOf(counts, options);
  const columns = [new NumberColumn(), new NumberColumn(), new NumberColumn()] as const;
  const scored = asScored
    ? { order: new NumberColumn(), occurrence: new NumberColumn(), reasons: [] as string[] }
    : null;
  const orderBoth = orderBothOf(counts, options);
  yield (s) => {
    if (scored === null) columns[0].push(order(s, true));
    else {
      const both = orderBoth(s);
      columns[0].push(both.heldOut);
      scored.order.push(both.scored);
      scored.occurrence.push(occurrence(s, false));
      scored.reasons.push(both.reason);
    }
    columns[1].push(occurrence(s, true));
    columns[2].push(weightOf(s));
  };
  return {
    order: columns[0].values(),
    occurrence: columns[1].values(),
    weights: columns[2].values(),
    scored:
      scored === null
        ? undefined
        : {
            order: scored.order.values(),
            occurrence: scored.occurrence.values(),
            orderReasons: scored.reasons,
          },
  };
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

/** A view's score `x` standardised by the view's scale. */
const standard = (x: number, scale: Scale): number => (x - scale.mean) / scale.spread;

/** A session's score from its views' scores: each standardised by its scale, added (from 0, in view order). */
function sumOfViews(scales: readonly Scale[], view: (i: number) => number): number {
  let total = 0;
  for (let i = 0; i < scales.length; i++) total += standard(view(i), scales[i] as Scale);
  return total;
}

/**
 * markov-set's reason for `s`, its standardised views `[order, occurrence]`: the view that adds more to the
 * score says why (the occurrence view its rarest token, `rare()`'s first; the order view `orderReason()`).
 */
function reasonOfViews(
  s: WeightedSession,
  [order = 0, occurrence = 0]: readonly number[],
  rare: () => readonly StepContribution[],
  orderReason: () => string,
): string {
  const first = occurrence > order ? rare()[0] : undefined;
  return first === undefined ? orderReason() : `${first.step} (rare for ${s.entity ?? "everyone"})`;
}

/** Each view's mean and spread of its held-out training scores (weighted): what standardises it. */
const scalesOf = ({ order, occurrence, weights }: MarkovSetHeldOut): readonly [Scale, Scale] => [
  meanAndSpread(order, weights),
  meanAndSpread(occurrence, weights),
];

/** markov-set's score and reason of each training session as scored (not held out), in training order. */
export interface MarkovSetAsScored {
  readonly scores: Float64Array;
  readonly reasons: readonly string[];
}

/**
 * The `train` sessions' scores and reasons as the detector {@link markovSetFromHeldOut} makes of these
 * counts and held-out numbers scores and explains them, from the views as scored that
 * {@link markovSetHeldOut} kept (`asScored`); the occurrence view's words are found only where it says why.
 */
export function markovSetAsScored(
  options: MarkovSetOptions,
  { presence }: MarkovSetCounts,
  heldOut: MarkovSetHeldOut,
  train: readonly WeightedSession[],
): MarkovSetAsScored {
  const { scored } = heldOut;
  if (scored === undefined) throw new Error("markovSetAsScored reads views kept with asScored");
  const scales = scalesOf(heldOut);
  const scores = new Float64Array(train.length);
  const reasons = new Array<string>(train.length);
  const views = [scored.order, scored.occurrence] as const;
  train.forEach((s, k) => {
    scores[k] = sumOfViews(scales, (i) => (views[i] as Float64Array)[k] as number);
    const parts = views.map((v, i) => standard(v[k] as number, scales[i] as Scale));
    reasons[k] = reasonOfViews(
      s,
      parts,
      () => presence.explain(s, againstOf(options)),
      () => scored.orderReasons[k] as string,
    );
  });
  return { scores, reasons };
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
  const parts = (s: WeightedSession) => views.map((view, i) => standard(view(s), scales[i] as Scale));
  return assembleDetector(
    {
      method: options.method,
      view: (s, leaveOut = false) => sumOfViews(scales, (i) => (views[i] as View)(s, leaveOut)),
      explain: (s) => {
        const byOrder = chain.explain(s, againstOf(options));
        const rare = presence.explain(s, againstOf(options));
        return {
          steps: [...byOrder.steps, ...rare],
          reason: reasonOfViews(
            s,
            parts(s),
            () => rare,
            () => byOrder.reason,
          ),
        };
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
  const scales = scalesOf(heldOut);
  const sums = new Float64Array(order.length);
  for (let i = 0; i < sums.length; i++)
    sums[i] = standard(order[i] as number, scales[0]) + standard(occurrence[i] as number, scales[1]);
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
