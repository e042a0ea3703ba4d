// Calibrations and tails of plain numbers (no NaN or -0 scores, integer weights) grouped by a typed-array sort:
// the very numbers their definitions (a comparator sort of indices, a Map of doubles) give, to the last bit.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Calibration, plainGrouped } from "../../src/detect/calibration.js";
import { Tail } from "../../src/detect/tail.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Calibration.of by its definition: indices sorted by score (stable), each run of equal scores one entry. */
function calibrationByDefinition(scores: readonly number[], weights: readonly number[]) {
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const distinct: number[] = [];
  const grouped: number[] = [];
  for (const i of order) {
    if (distinct.length > 0 && distinct.at(-1) === scores[i])
      grouped[grouped.length - 1] = (grouped.at(-1) as number) + (weights[i] as number);
    else {
      distinct.push(scores[i] as number);
      grouped.push(weights[i] as number);
    }
  }
  return { scores: distinct, weights: grouped };
}

/** Tail.of's grouping by its definition: weights added per score in a Map, its keys sorted by a comparator. */
function tailByDefinition(scores: readonly number[], weights: readonly number[]) {
  const byScore = new Map<number, number>();
  scores.forEach((x, i) => {
    byScore.set(x, (byScore.get(x) ?? 0) + (weights[i] as number));
  });
  const distinct = [...byScore.keys()].sort((a, b) => a - b);
  return { scores: distinct, weights: distinct.map((x) => byScore.get(x) as number) };
}

/** Whether two lists hold the same numbers, bit for bit (Object.is: -0 is not 0). */
const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/** Scores with ties (a few distinct values, some infinite) and integer weights (0 and negative ones too). */
const plain = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.integer({ min: -3, max: 3 }).map((k) => k / 4),
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      ),
      fc.integer({ min: -2, max: 5 }),
    ),
    { minLength: 1, maxLength: 60 },
  )
  .map((pairs) => ({
    // +0 for -0: a plain score is never -0.
    scores: pairs.map(([x]) => (x === 0 ? 0 : x)),
    weights: pairs.map(([, w]) => (w === 0 ? 0 : w)),
  }));

describe("plainGrouped", () => {
  it("groups plain numbers as both definitions do", () => {
    fc.assert(
      fc.property(plain, ({ scores, weights }) => {
        const fast = plainGrouped(scores, weights);
        expect(fast).toBeDefined();
        const { scores: s, weights: w } = fast as NonNullable<typeof fast>;
        for (const expected of [
          calibrationByDefinition(scores, weights),
          tailByDefinition(scores, weights),
        ]) {
          expect(same(s, expected.scores)).toBe(true);
          expect(same(w, expected.weights)).toBe(true);
        }
      }),
    );
  });

  it.each([
    ["a NaN score", [1, Number.NaN, 2], [1, 1, 1]],
    ["a -0 score", [1, -0, 0], [1, 1, 1]],
    ["a fractional weight", [1, 2, 2], [1, 0.1, 0.2]],
    ["a -0 weight", [1, 2], [-0, 1]],
    ["weights past 2^53", [1, 1], [2 ** 53, 2]],
  ])("leaves %s to the definitions", (_, scores, weights) => {
    expect(plainGrouped(scores, weights)).toBeUndefined();
    expect(Calibration.of(scores, weights).toJSON()).toEqual(calibrationByDefinition(scores, weights));
  });

  it("is how Calibration.of and Tail.of group plain numbers (one typed-array sort each)", () => {
    const sort = vi.spyOn(Float64Array.prototype, "sort");
    const scores = [0.5, -1, 3, 0.5, 2, -1, 7];
    const weights = [1, 2, 1, 3, 1, 1, 2];
    expect(Calibration.of(scores, weights).toJSON()).toEqual(calibrationByDefinition(scores, weights));
    const tail = Tail.of(scores, weights, 0.3).toJSON();
    expect(sort).toHaveBeenCalledTimes(2);
    expect({ scores: tail.scores, weights: tail.weights }).toEqual(tailByDefinition(scores, weights));
  });
});
