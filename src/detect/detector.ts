import { SeqhuntError } from "../errors.js";
import { DEFAULT_METHOD, DETECTORS, detectorEntry } from "./registry.js";
import type { Detector, DetectorOptions, SavedDetector, WeightedSession } from "./types.js";

/** The detectors' descriptions, by name: a plain-object view of the registry ({@link DETECTORS}). */
export const METHODS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries([...DETECTORS].map(([name, entry]) => [name, entry.description])),
);

export { DEFAULT_METHOD };

/**
 * Trains the detector `method` (see {@link DETECTORS}) on (normal) weighted sessions; `options` are the
 * reference's window settings (the other detectors ignore them).
 */
export function trainDetector(
  method: string,
  train: readonly WeightedSession[],
  options: DetectorOptions = {},
): Detector {
  const entry = detectorEntry(method);
  if (train.length === 0) throw new SeqhuntError("no training sessions");
  return entry.factory(options).train(train);
}

/** A detector saved with {@link Detector.toJSON}; an unknown method or a damaged state throws a SeqhuntError. */
export function loadDetector(saved: SavedDetector): Detector {
  return detectorEntry(savedMethod(saved)).factory().load(saved.state);
}

/** The method of a saved detector, a registered one, without loading it; a damaged object throws a SeqhuntError. */
export function savedMethod(saved: SavedDetector): string {
  if (saved === null || typeof saved !== "object" || typeof saved.method !== "string")
    throw new SeqhuntError('not a valid saved detector: expected {"method", "state"}');
  detectorEntry(saved.method);
  return saved.method;
}

/**
 * The detector of both training sets (exact: it scores as one trained on the union of their sessions).
 * Throws a SeqhuntError when the two are of different methods or the method's statistics do not merge.
 */
export function mergeDetectors(a: Detector, b: Detector): Detector {
  if (a.method !== b.method)
    throw new SeqhuntError(`cannot merge a ${a.method} detector with a ${b.method} detector`);
  const merge = detectorEntry(a.method).factory().merge;
  if (merge === undefined) {
    const mergeable = [...DETECTORS].filter(([, e]) => e.mergeable).map(([name]) => name);
    throw new SeqhuntError(
      `the ${a.method} detector cannot be updated with new data: its statistics do not add up exactly (it standardises by all training sessions together); retrain on all the data, or use a method that merges (${mergeable.join(", ")})`,
    );
  }
  return merge(a, b);
}
