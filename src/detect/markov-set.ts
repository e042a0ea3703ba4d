import { SeqhuntError } from "../errors.js";
import { assembleDetector, meanAndSpread, splitState, type View, weightOf } from "./base.js";
import { Chain } from "./chain.js";
import { Presence } from "./presence.js";
import type { DetectorFactory, WeightedSession } from "./types.js";

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
}

/** Each view's (weighted) mean and spread over held-out scores of the training sessions. */
function scalesOf(train: readonly WeightedSession[], heldOut: readonly (readonly number[])[]): Scale[] {
  const weights = train.map(weightOf);
  return heldOut.map((xs) => meanAndSpread(xs, weights));
}

/** Adds views after standardising each; training sessions held out use the sums found while scaling. */
function standardisedSum(
  views: readonly View[],
  scales: readonly Scale[],
  trainingSums: WeakMap<WeightedSession, number>,
): { view: View; parts: (s: WeightedSession) => number[] } {
  const combine = (x: number, i: number) => (x - (scales[i] as Scale).mean) / (scales[i] as Scale).spread;
  return {
    view: (s, leaveOut = false) =>
      (leaveOut ? trainingSums.get(s) : undefined) ??
      views.reduce((total, view, i) => total + combine(view(s, leaveOut), i), 0),
    parts: (s) => views.map((view, i) => combine(view(s), i)),
  };
}

/** Options of {@link markovSetDetector}. */
export interface MarkovSetOptions {
  /** The registry name. */
  readonly method: string;
  /** How the occurrence view adds its tokens: all of them ("sum"), or the most surprising one ("max"). */
  readonly combine: "sum" | "max";
}

/**
 * Two views of a session, each scored against its entity (backed off to everyone) when sessions carry one:
 * the order of commands (a first-order chain per entity) and which commands occur ({@link Presence}); each
 * view is standardised by its scores on the training sessions held out, and the two are added. The scales
 * and the occurrence view's choice of categorical parameters depend on every training session together, so
 * two trained detectors do not merge exactly.
 */
export function markovSetDetector(options: MarkovSetOptions): DetectorFactory {
  // Long because train and load share the closure `make`; split, the views would be built twice.
  const make = (
    chain: Chain,
    presence: Presence,
    scales: readonly Scale[],
    trainingSums: WeakMap<WeightedSession, number>,
    source: Parameters<typeof assembleDetector>[1],
  ) => {
    const views: View[] = [(s) => chain.score(s), (s, leaveOut) => presence.score(s, leaveOut)];
    const sum = standardisedSum(views, scales, trainingSums);
    return assembleDetector(
      {
        method: options.method,
        view: sum.view,
        explain: (s) => {
          const [order = 0, occurrence = 0] = sum.parts(s);
          const byOrder = chain.explain(s);
          const rare = presence.explain(s);
          const steps = [...byOrder.steps, ...rare];
          const first = rare[0];
          // The view that adds more to the score says why.
          if (occurrence > order && first !== undefined)
            return { steps, reason: `${first.step} (rare for ${s.entity ?? "everyone"})` };
          return { steps, reason: byOrder.reason };
        },
        state: (): MarkovSetJson => ({ chain: chain.toJSON(), presence: presence.toJSON(), scales }),
      },
      source,
    );
  };
  return {
    train: (train) => {
      const chain = Chain.train(train, 1, true);
      const presence = Presence.train(train, true, options.combine);
      const views: View[] = [(s) => chain.score(s), (s, leaveOut) => presence.score(s, leaveOut)];
      // Each view's held-out score of each training session, found once: the scales and the held-out sums use them.
      const heldOut = views.map((view) => train.map((t) => view(t, true)));
      const scales = scalesOf(train, heldOut);
      const trainingSums = new WeakMap<WeightedSession, number>();
      train.forEach((t, ti) => {
        trainingSums.set(
          t,
          heldOut.reduce(
            (total, xs, i) =>
              total + ((xs[ti] as number) - (scales[i] as Scale).mean) / (scales[i] as Scale).spread,
            0,
          ),
        );
      });
      return make(chain, presence, scales, trainingSums, { train });
    },
    load: (state) => {
      const { model, calibration } = splitState(options.method, state);
      const j = (model ?? {}) as Partial<MarkovSetJson>;
      if (!Array.isArray(j.scales) || j.scales.length !== 2)
        throw new SeqhuntError(`not a valid saved ${options.method} detector: expected two scales`);
      return make(Chain.fromJSON(j.chain), Presence.fromJSON(j.presence), j.scales, new WeakMap(), {
        calibration,
      });
    },
  };
}
