// A view's tail: the rarity of its highest held-out training score (`top`), where markov-novelty stops
// discounting markov-set's rarity (wholeBeyondTop).
import { describe, expect, it } from "vitest";
import { wholeBeyondTop } from "../../src/detect/markov-novelty.js";
import { Tail } from "../../src/detect/tail.js";

describe("a tail's top", () => {
  const scores = [0.5, -1, 3, 0.5, 2, -1, 7];
  const weights = [1, 2, 1, 3, 1, 1, 2];

  it("is -ln of the highest score's share of the training weight, the rarity at that score, kept when saved", () => {
    const tail = Tail.of(scores, weights, 0.3);
    expect(tail.top).toBeCloseTo(-Math.log(2 / 11), 12);
    expect(tail.rarity(7)).toBe(tail.top);
    expect(tail.rarity(6.9)).toBeLessThan(tail.top);
    expect(tail.rarity(7.1)).toBeGreaterThan(tail.top);
    expect(Tail.fromJSON(JSON.parse(JSON.stringify(tail.toJSON()))).top).toBe(tail.top);
  });
});

describe("markov-set's rarity, whole beyond its top", () => {
  it("is weighted up to the top and counts whole beyond it: continuous, increasing", () => {
    expect(wholeBeyondTop(2, 5, 0.25)).toBe(0.5);
    expect(wholeBeyondTop(5, 5, 0.25)).toBe(1.25);
    expect(wholeBeyondTop(9, 5, 0.25)).toBe(1.25 + 4);
    // At the top from either side, and never lower for a rarer score.
    expect(wholeBeyondTop(5 + 1e-9, 5, 0.25)).toBeCloseTo(1.25, 8);
    const rarities = [-1, 0, 1, 4.9, 5, 5.1, 20];
    const weighted = rarities.map((r) => wholeBeyondTop(r, 5, 0.1));
    for (let i = 1; i < weighted.length; i++)
      expect(weighted[i] as number).toBeGreaterThan(weighted[i - 1] as number);
    // A full weight changes nothing.
    expect(rarities.map((r) => wholeBeyondTop(r, 5, 1))).toEqual(rarities);
  });
});
