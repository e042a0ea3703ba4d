import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/metrics.js";

describe("evaluate", () => {
  it("gives AUC 1 and F1 1 when every anomaly scores above every normal", () => {
    const m = evaluate([0.9, 0.8, 0.1, 0.2, 0.3], [1, 1, 0, 0, 0]);
    expect(m.auc).toBe(1);
    expect(m.prAuc).toBe(1);
    expect(m.bestF1).toBe(1);
    expect(m.hitRateAtFalseAlarm).toEqual({ "0.01": 1, "0.05": 1 });
  });

  it("gives AUC 0 when reversed and 0.5 when all scores tie", () => {
    expect(evaluate([0.1, 0.9], [1, 0]).auc).toBe(0);
    expect(evaluate([1, 1, 1, 1], [1, 0, 1, 0]).auc).toBe(0.5);
  });

  it("matches a hand-worked example", () => {
    // ranked: 0.9 (1), 0.7 (0), 0.6 (1), 0.3 (0): pairs (anomaly above normal) = 3 of 4
    const m = evaluate([0.9, 0.7, 0.6, 0.3], [1, 0, 1, 0]);
    expect(m.auc).toBe(0.75);
    expect(m.prAuc).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 12);
    expect(m.bestF1).toBeCloseTo(0.8, 12); // threshold 0.6: precision 2/3, recall 1
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.hitRateAtFalseAlarm["0.05"]).toBe(0.5);
  });

  it("counts weights as repeated sessions", () => {
    const weighted = evaluate([0.9, 0.5, 0.1], [1, 0, 1], [1, 3, 2]);
    const expanded = evaluate([0.9, 0.5, 0.5, 0.5, 0.1, 0.1], [1, 0, 0, 0, 1, 1]);
    expect(weighted.auc).toBeCloseTo(expanded.auc, 12);
    expect(weighted.bestF1).toBeCloseTo(expanded.bestF1, 12);
  });

  it("AUC equals the share of (anomaly, normal) pairs ranked correctly, ties one half", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 2,
          maxLength: 40,
        }),
        (rows) => {
          const pos = rows.filter(([, l]) => l === 1);
          const neg = rows.filter(([, l]) => l === 0);
          if (pos.length === 0 || neg.length === 0) return;
          let pairs = 0;
          for (const [p] of pos) for (const [n] of neg) pairs += p > n ? 1 : p === n ? 0.5 : 0;
          const m = evaluate(
            rows.map(([s]) => s),
            rows.map(([, l]) => l),
          );
          expect(m.auc).toBeCloseTo(pairs / (pos.length * neg.length), 12);
        },
      ),
    );
  });

  it("needs both classes", () => expect(() => evaluate([1, 2], [0, 0])).toThrow(/both anomalous and normal/));
});
