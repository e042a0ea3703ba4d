// The window expectation's prior chosen from the training windows ("held-out"): the weight of everyone's rate
// of never-seen windows in each command's that best predicts each window, left out, from the others.
import { describe, expect, it } from "vitest";
import { Novelty } from "../../src/detect/novelty.js";
import { heldOutWindowPrior, WINDOW_PRIOR, WindowRates } from "../../src/detect/window-expectation.js";

/** The held-out likelihood worked out window by window: each one left out of its command's windows in turn. */
function naive(rows: readonly (readonly [number, number])[], rate: number, prior: number): number {
  let ll = 0;
  for (const [novel, windows] of rows) {
    if (windows < 2) continue;
    const statuses = Array.from({ length: windows }, (_, i) => i < novel);
    statuses.forEach((isNovel, i) => {
      const rest = statuses.filter((_, j) => j !== i);
      const p = (rest.filter(Boolean).length + prior * rate) / (rest.length + prior);
      ll += Math.log(isNovel ? p : 1 - p);
    });
  }
  return ll;
}

describe("the window prior chosen by held-out likelihood", () => {
  it("maximises each window's held-out likelihood, as worked out window by window", () => {
    const cases: [rows: [number, number][], rate: number][] = [
      [
        [
          [1, 10],
          [5, 12],
          [0, 7],
          [3, 3],
          [2, 40],
        ],
        0.2,
      ],
      [
        [
          [2, 20],
          [3, 20],
          [1, 20],
          [2, 21],
        ],
        0.1,
      ],
      [
        [
          [0, 30],
          [30, 30],
          [1, 2],
        ],
        0.5,
      ],
    ];
    for (const [rows, rate] of cases) {
      const chosen = heldOutWindowPrior(rows, rate);
      const within = (x: number) => Math.min(Math.max(x, 1 / 16), 1024);
      for (const prior of [1 / 16, 0.5, 1, 4, 32, 1024, within(chosen * 1.05), within(chosen / 1.05)])
        expect(naive(rows, rate, chosen)).toBeGreaterThanOrEqual(naive(rows, rate, prior) - 1e-5);
    }
  });

  it("leans on everyone's rate where commands' rates agree, on each command's where they differ", () => {
    expect(
      heldOutWindowPrior(
        [
          [2, 20],
          [2, 20],
          [2, 20],
          [2, 20],
        ],
        0.1,
      ),
    ).toBeGreaterThan(100);
    expect(
      heldOutWindowPrior(
        [
          [0, 30],
          [30, 30],
          [0, 30],
          [30, 30],
        ],
        0.5,
      ),
    ).toBeLessThan(0.5);
    expect(heldOutWindowPrior([[1, 1]], 0.5)).toBe(WINDOW_PRIOR);
  });

  it("gives the expectation's rates by last command at the chosen prior", () => {
    const novelty = Novelty.empty(3);
    const sessions = [
      ["a", "b", "c", "d"],
      ["a", "b", "c", "d"],
      ["x", "y", "c", "q"],
      ["e", "f", "g", "d"],
    ].map((session) => ({ session }));
    for (const s of sessions) novelty.add(s);
    const rates = new WindowRates();
    for (const s of sessions) rates.add(novelty, s);
    const chosen = rates.heldOutPrior();
    expect(rates.expectation("held-out").toJSON()).toEqual(rates.expectation(chosen).toJSON());
    expect(rates.expectation("held-out").toJSON()).not.toEqual(rates.expectation(WINDOW_PRIOR).toJSON());
  });
});
