import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markovNoveltyDetector } from "../../src/detect/markov-novelty.js";
import { rankAgreement, reliabilityShares } from "../../src/detect/reliability.js";
import type { WeightedSession } from "../../src/detect/types.js";

const ones = (n: number) => Array.from({ length: n }, () => 1);

describe("rankAgreement", () => {
  it("is 1 for scores in the same order, -1 for the reverse, whatever the scale", () => {
    const a = [0.5, 3, 1, 7, 2];
    expect(
      rankAgreement(
        a,
        a.map((x) => Math.exp(x)),
        ones(5),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      rankAgreement(
        a,
        a.map((x) => -x),
        ones(5),
      ),
    ).toBeCloseTo(-1, 12);
  });

  it("is Spearman's correlation with tied ranks at their middle", () => {
    // Ranks (1, 2.5, 2.5, 4) and (1, 2, 3, 4): Pearson's correlation of the two.
    const r = rankAgreement([1, 2, 2, 3], [10, 20, 30, 40], ones(4));
    const [x, y] = [
      [-1.5, 0, 0, 1.5],
      [-1.5, -0.5, 0.5, 1.5],
    ];
    const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * (v[i] as number), 0);
    expect(r).toBeCloseTo(
      dot(x as number[], y as number[]) /
        Math.sqrt(dot(x as number[], x as number[]) * dot(y as number[], y as number[])),
      12,
    );
  });

  it("counts a session of weight k as k sessions", () => {
    const scores = fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
      ),
      {
        minLength: 2,
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(scores, (rows) => {
        const expanded = rows.flatMap(([a, b, k]) => Array.from({ length: k }, () => [a, b] as const));
        const weighted = rankAgreement(
          rows.map((r) => r[0]),
          rows.map((r) => r[1]),
          rows.map((r) => r[2]),
        );
        const plain = rankAgreement(
          expanded.map((r) => r[0]),
          expanded.map((r) => r[1]),
          ones(expanded.length),
        );
        if (Number.isNaN(plain)) expect(weighted).toBeNaN();
        else expect(weighted).toBeCloseTo(plain, 9);
      }),
    );
  });

  it("is NaN when a score gives every session the same value, and ranks NaN scores lowest", () => {
    expect(rankAgreement([2, 2, 2], [1, 2, 3], ones(3))).toBeNaN();
    expect(rankAgreement([Number.NaN, 1, 2], [0, 1, 2], ones(3))).toBeCloseTo(1, 12);
  });
});

describe("reliabilityShares", () => {
  it("keeps the most reliable view's weight whole and the other's by the ratio of signal to noise", () => {
    // Of 101 sessions, chance agreement varies by 1/100: 0.8 agreement is 0.8 parts signal to 0.21 of
    // noise, 0.5 is 0.5 to 0.51.
    const [a, b] = reliabilityShares([0.8, 0.5], 101);
    expect(a).toBe(1);
    expect(b).toBeCloseTo(0.5 / 0.51 / (0.8 / 0.21), 12);
    expect(reliabilityShares([0.5, 0.8], 101)).toEqual([b, 1]);
    // Many sessions: the ratio of the two signal-to-noise ratios alone (4 to 1).
    expect(reliabilityShares([0.8, 0.5], 1e9)[1]).toBeCloseTo(0.25, 6);
  });

  it("never divides by no noise: a perfect agreement's ratio is bounded by the measure's own noise", () => {
    const [perfect, good] = reliabilityShares([1, 0.99], 101);
    expect(perfect).toBe(1);
    expect(good).toBeCloseTo(0.99 / 0.02 / 100, 12);
    expect(reliabilityShares([1, 1], 101)).toEqual([1, 1]);
  });

  it("keeps every weight unless every view agrees beyond chance (a standard deviation of 1 / sqrt(n - 1))", () => {
    // 101 sessions: chance agreement's standard deviation is 0.1.
    expect(reliabilityShares([0.9, 0.09], 101)).toEqual([1, 1]);
    expect(reliabilityShares([0.9, 0.11], 101)[1]).toBeLessThan(0.02);
    // A view that disagrees with itself says its two scores differ by design, not that it is noise.
    expect(reliabilityShares([0.9, -0.2], 101)).toEqual([1, 1]);
    // Few sessions tell little: of 5, chance agreement varies by 0.5, which 0.4 does not pass.
    expect(reliabilityShares([0.4, 0.95], 5)).toEqual([1, 1]);
    expect(reliabilityShares([0.6, 0.95], 5)[0]).toBeLessThan(1);
    expect(reliabilityShares([Number.NaN, 0.7], 101)).toEqual([1, 1]);
    expect(reliabilityShares([0.9, 0.9], 2)).toEqual([1, 1]);
  });
});

describe("the default's saved reliability shares", () => {
  const train: WeightedSession[] = Array.from({ length: 30 }, (_, i) => ({
    session: Array.from({ length: 20 }, (_, k) => `c${(i * k) % 7}`),
  }));

  it("are saved and loaded with the detector", () => {
    const detector = markovNoveltyDetector().train(train);
    const again = markovNoveltyDetector().load(JSON.parse(JSON.stringify(detector.toJSON().state)));
    expect(again.score(train)).toEqual(detector.score(train));
  });

  it("are checked when loaded: two numbers between 0 and 1", () => {
    const { state } = markovNoveltyDetector().train(train).toJSON() as {
      state: { model: Record<string, unknown> };
    };
    for (const reliability of [undefined, [1], [1, 2], [0.5, "1"], [Number.NaN, 1]])
      expect(() =>
        markovNoveltyDetector().load({ ...state, model: { ...state.model, reliability } }),
      ).toThrow(/two reliability shares between 0 and 1/);
  });
});
