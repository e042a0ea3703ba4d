// Loading a model file takes what it saved as saved: calibrations and tails saved ascending are taken as they
// are, to the same numbers as sorting and grouping them again.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Calibration } from "../../src/detect/calibration.js";
import { Tail } from "../../src/detect/tail.js";

afterEach(() => {
  vi.restoreAllMocks();
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
