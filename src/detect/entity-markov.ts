import { chainDetector } from "./markov.js";
import type { DetectorFactory } from "./types.js";

/** First-order Witten-Bell chain per entity, backed off to the global chain and scored against it. */
export function entityMarkovDetector(): DetectorFactory {
  return chainDetector({ method: "entity-markov", order: 1, perEntity: true });
}
