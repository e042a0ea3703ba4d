// Loading a model file takes what it saved as saved: a reference detector's model, the same as the file's
// reference model, is compared rather than checked and interned again; calibrations and tails saved
// ascending are taken as they are. Each loads to the same numbers as the slow way.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Calibration } from "../../src/detect/calibration.js";
import { loadDetector, trainDetector } from "../../src/detect/detector.js";
import { modelFileOf, readModelFile } from "../../src/detect/model-file.js";
import { Tail } from "../../src/detect/tail.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { Model } from "../../src/model/model.js";

afterEach(() => {
  vi.restoreAllMocks();
});

const train: WeightedSession[] = [
  { session: ["a", "b", "c"] },
  { session: ["a", "b"], weight: 2 },
  { session: ["b", "c", "a", "a"] },
  { session: ["c"] },
];
const probes: WeightedSession[] = [...train, { session: ["a", "z"] }, { session: ["c", "c", "b"] }];

/** A version 2 file of a reference detector, as JSON text parses it. */
function referenceFile(): { json: Record<string, unknown>; trained: ReturnType<typeof trainDetector> } {
  const trained = trainDetector("reference", train);
  const state = trained.toJSON().state as { model: { model: unknown } };
  const reference = Model.fromJSON(state.model.model);
  const file = modelFileOf({ reference, detector: trained, entity: null, trainingFingerprint: null });
  return { json: JSON.parse(JSON.stringify(file)), trained };
}

describe("reading a model file", () => {
  it("loads a reference detector's model once when it is the file's reference model", () => {
    const { json, trained } = referenceFile();
    const fromJSON = vi.spyOn(Model, "fromJSON");
    const loaded = readModelFile(json);
    expect(loaded.detector.score(probes)).toEqual(trained.score(probes));
    expect(fromJSON).toHaveBeenCalledTimes(1);
  });

  it("loads a reference detector's own model when it differs from the file's reference model", () => {
    const { json } = referenceFile();
    const detector = json.detector as { state: { model: { model: { seq1: number[] } } } };
    detector.state.model.model.seq1[3] = 7;
    const fromJSON = vi.spyOn(Model, "fromJSON");
    const loaded = readModelFile(json);
    expect(fromJSON).toHaveBeenCalledTimes(2);
    const alone = loadDetector(json.detector as Parameters<typeof loadDetector>[0]);
    expect(loaded.detector.score(probes)).toEqual(alone.score(probes));
    expect(loaded.detector.score(probes)).not.toEqual(referenceFile().trained.score(probes));
  });
});

describe("calibrations and tails saved ascending", () => {
  const scores = [0.5, -1, 3, 0.5, 2, -1, 7];
  const weights = [1, 2, 1, 3, 1, 1, 2];
  const xs = [-2, -1, 0, 0.5, 1, 2.5, 3, 7, 9];

  it("load as they are, to the calibration of the training scores", () => {
    const saved = JSON.parse(JSON.stringify(Calibration.of(scores, weights).toJSON()));
    const of = vi.spyOn(Calibration, "of");
    const loaded = Calibration.fromJSON(saved);
    expect(of).not.toHaveBeenCalled();
    const expected = Calibration.of(scores, weights);
    expect(xs.map((x) => loaded.percentile(x))).toEqual(xs.map((x) => expected.percentile(x)));
    // Not ascending (written by hand): sorted and grouped.
    expect(Calibration.fromJSON({ scores, weights }).toJSON()).toEqual(saved);
  });

  it("load as they are, to the tail of the training scores", () => {
    const saved = JSON.parse(JSON.stringify(Tail.of(scores, weights, 0.3).toJSON()));
    const of = vi.spyOn(Tail, "of");
    const loaded = Tail.fromJSON(saved);
    expect(of).not.toHaveBeenCalled();
    const expected = Tail.of(scores, weights, 0.3);
    expect(xs.map((x) => loaded.rarity(x))).toEqual(xs.map((x) => expected.rarity(x)));
    expect(Tail.fromJSON({ scores, weights, share: 0.3 }).toJSON()).toEqual(saved);
  });
});
