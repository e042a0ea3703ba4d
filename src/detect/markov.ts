import { assembleDetector, calibrationOf, splitState } from "./base.js";
import { Calibration } from "./calibration.js";
import { Chain } from "./chain.js";
import type { Detector, DetectorFactory } from "./types.js";

/** Options of {@link chainDetector}. */
export interface ChainDetectorOptions {
  /** The registry name the detector goes by. */
  readonly method: string;
  /** Commands of context (1: first-order). */
  readonly order: number;
  /** One chain per entity, backed off to everyone's, scored relative to it. */
  readonly perEntity: boolean;
}

/** The chain behind each chain detector, whichever factory made it (merge takes any two). */
const chains = new WeakMap<Detector, Chain>();

/** A detector of one Witten-Bell chain (see {@link Chain}): counts add, so it merges exactly. */
export function chainDetector(options: ChainDetectorOptions): DetectorFactory {
  const make = (chain: Chain, source: Parameters<typeof assembleDetector>[1]) => {
    const detector = assembleDetector(
      {
        method: options.method,
        view: (s) => chain.score(s),
        explain: (s) => chain.explain(s),
        state: () => chain.toJSON(),
      },
      source,
    );
    chains.set(detector, chain);
    return detector;
  };
  const chainOf = (d: Detector) => {
    const chain = chains.get(d);
    if (chain === undefined) throw new TypeError(`not a chain detector`);
    return chain;
  };
  return {
    train: (sessions) => make(Chain.train(sessions, options.order, options.perEntity), { train: sessions }),
    load: (state) => {
      const { model, calibration } = splitState(options.method, state);
      return make(Chain.fromJSON(model), { calibration });
    },
    merge: (a, b) =>
      make(Chain.merge(chainOf(a), chainOf(b)), {
        calibration: Calibration.merge(calibrationOf(a), calibrationOf(b)),
      }),
  };
}

/** Witten-Bell chain of `order` commands of context over all sessions. */
export function markovDetector(order: number): DetectorFactory {
  return chainDetector({ method: order === 1 ? "markov" : `markov-order${order}`, order, perEntity: false });
}
