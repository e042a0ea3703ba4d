import { SeqhuntError } from "../errors.js";
import { adaptiveDetector } from "./adaptive.js";
import { entityMarkovDetector } from "./entity-markov.js";
import { markovDetector } from "./markov.js";
import { markovNoveltyDetector } from "./markov-novelty.js";
import { markovSetDetector } from "./markov-set.js";
import { referenceDetector } from "./reference.js";
import type { DetectorEntry } from "./types.js";

/**
 * Every detector, by name: what CLI help, `eval`, the bench and the tests list. A new detector is one file
 * in src/detect and one entry here.
 */
export const DETECTORS: ReadonlyMap<string, DetectorEntry> = new Map<string, DetectorEntry>([
  [
    "markov-novelty",
    {
      description:
        "views, each a rarity against its own held-out training scores: markov-set (first-order order and which commands occur), novelty mass (how many runs of 6 commands in a row the session holds that training never had, beyond what its windows predict) and, where sessions have no entity, a context chain's mean surprise per step (its context length chosen by held-out likelihood); novelty weighs, against markov-set, the share of first-order surprise that the chain's context removes times how far new runs are evidence in the training data (share of training sessions with none x share of windows away from the edges), the chain the rest of that evidence, and markov-set and the chain each keep the share of their weight that their reliability on the training sessions gives; the highest weighted rarity ranks: typed commands rank as in markov-set, long system-call or log-key sessions by their never-seen runs or, where every trace meets some, by the chain, not by their rarest step",
      mergeable: false,
      factory: () => markovNoveltyDetector(),
    },
  ],
  [
    "adaptive",
    {
      description:
        "a Witten-Bell chain whose context length is chosen from the training data (held-out likelihood; with entities, how well an entity's chain tells its own held-out sessions from everyone's), entity chains backed off to it; a session's total surprise standardised for its length plus which commands, parameters and categorical values it holds (whole sets remembered); each view standardised by held-out training scores",
      mergeable: true,
      factory: () => adaptiveDetector(),
    },
  ],
  [
    "markov-set",
    {
      description:
        "two views of a session, each scored against its entity (backed off to everyone) when sessions carry one: the order of commands (entity-markov) and which commands occur (whole sets seen in training remembered, backed off to a Bernoulli per command); each view is standardised by its scores on the training sessions held out, and the two are added",
      mergeable: false,
      factory: () => markovSetDetector({ method: "markov-set", combine: "sum" }),
    },
  ],
  [
    "markov-max",
    {
      description:
        "as markov-set, but the occurrence view scores a session by its single most surprising command (present when it is rare, absent when it is usual), not by all of them together: a bundle of rare commands that always come together counts once",
      mergeable: false,
      factory: () => markovSetDetector({ method: "markov-max", combine: "max" }),
    },
  ],
  [
    "entity-markov",
    {
      description:
        "first-order Witten-Bell chain per entity, backed off to the global chain and scored against it (mean + max/2 of per-step log-likelihood ratios); the global chain alone when sessions carry no entity",
      mergeable: true,
      factory: entityMarkovDetector,
    },
  ],
  [
    "markov",
    {
      description: "first-order Witten-Bell chain over all sessions; mean + max/2 of per-step surprise",
      mergeable: true,
      factory: () => markovDetector(1),
    },
  ],
  [
    "markov-order3",
    {
      description:
        "Witten-Bell chain with up to three commands of context; mean + max/2 of per-step surprise",
      mergeable: true,
      factory: () => markovDetector(3),
    },
  ],
  [
    "markov-order5",
    {
      description: "Witten-Bell chain with up to five commands of context; mean + max/2 of per-step surprise",
      mergeable: true,
      factory: () => markovDetector(5),
    },
  ],
  [
    "reference",
    {
      description:
        "the reference model's rarest window of 3 (whole-session likelihood for sessions too short)",
      mergeable: true,
      factory: (window) => referenceDetector({ method: "reference", aggregate: "rarest-window", window }),
    },
  ],
  [
    "reference-geomean",
    {
      description: "the reference model's per-step geometric mean of the session likelihood",
      mergeable: true,
      factory: (window) => referenceDetector({ method: "reference-geomean", aggregate: "geomean", window }),
    },
  ],
  [
    "reference-total",
    {
      description: "the reference model's whole-session likelihood",
      mergeable: true,
      factory: (window) => referenceDetector({ method: "reference-total", aggregate: "total", window }),
    },
  ],
]);

/** The detector `hunt`, `score`, `train`, `eval` and the library use unless told otherwise. */
export const DEFAULT_METHOD = "markov-novelty";

/** The names of the registered detectors, in registry order. */
export const methodNames = (): string[] => [...DETECTORS.keys()];

/** The registry entry of `method`; an unknown name throws a SeqhuntError listing the known ones. */
export function detectorEntry(method: string): DetectorEntry {
  const entry = DETECTORS.get(method);
  if (entry === undefined) {
    throw new SeqhuntError(
      `unknown method ${JSON.stringify(method)}; the methods are: ${methodNames().join(", ")}`,
    );
  }
  return entry;
}
