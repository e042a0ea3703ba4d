// Never-seen windows measured against what each window's last command predicts: traces of a noisy program
// and of a predictable one pooled (as a host's many programs are), the novelty excess ranks a predictable
// trace with a foreign run above every new ordinary noisy trace, where everyone's one rate ranks them the
// other way.
import { describe, expect, it } from "vitest";
import {
  NOVELTY_FLOOR,
  NOVELTY_WINDOW,
  noveltyExcess,
  windowExpectationOf,
} from "../../src/detect/markov-novelty.js";
import { Novelty } from "../../src/detect/novelty.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { WINDOW_PRIOR, WindowExpectation, WindowRates } from "../../src/detect/window-expectation.js";
import { SeqhuntError } from "../../src/errors.js";
import { programs, savedMarkovNovelty } from "./programs.js";

const { rand, predictable, noisy, spliced } = programs(5);

const train: WeightedSession[] = [
  ...Array.from({ length: 60 }, () => ({ session: predictable(150 + Math.floor(rand() * 100)) })),
  ...Array.from({ length: 60 }, () => ({ session: noisy(150 + Math.floor(rand() * 100)) })),
];

describe("WindowExpectation", () => {
  const view = Novelty.train(train, NOVELTY_WINDOW);
  const byLast = windowExpectationOf(view, train);
  const normal = Array.from({ length: 20 }, () => ({ session: noisy(200) }));
  const attacks = Array.from({ length: 20 }, () => ({ session: spliced() }));

  it("ranks a foreign run in a predictable trace above new ordinary noisy traces, which one rate for all does not", () => {
    const excess = (e: WindowExpectation) => (s: WeightedSession) =>
      noveltyExcess(view, e, NOVELTY_FLOOR, s, false);
    const withLast = excess(byLast);
    expect(Math.min(...attacks.map(withLast))).toBeGreaterThan(Math.max(...normal.map(withLast)));
    // Everyone's rate alone (the expectation without its commands): the noisy traces outrank the attacks.
    const everyone = excess(new WindowExpectation(byLast.rate, new Map()));
    expect(Math.max(...normal.map(everyone))).toBeGreaterThan(Math.min(...attacks.map(everyone)));
  });

  it("learns a high rate after the noisy program's commands and a low one after the loop's", () => {
    expect(byLast.byLast.get("cmd1")).toBeGreaterThan(0.5);
    expect(byLast.byLast.get("read")).toBeLessThan(0.05);
  });

  it("saves and loads, and refuses a damaged file", () => {
    const again = WindowExpectation.fromJSON(JSON.parse(JSON.stringify(byLast)));
    expect(again.expected(view, attacks[0] as WeightedSession)).toBe(
      byLast.expected(view, attacks[0] as WeightedSession),
    );
    expect(() => WindowExpectation.fromJSON({ rate: 2, byLast: [] })).toThrow(SeqhuntError);
  });

  it("takes the default's windowPrior: a huge prior leaves every command at everyone's rate", () => {
    const saved = (prior?: number) =>
      WindowExpectation.fromJSON(savedMarkovNovelty(train, { windowPrior: prior }).windowRates);
    const flat = saved(1e12);
    for (const x of flat.byLast.values()) expect(x).toBeCloseTo(flat.rate, 6);
    const own = saved(0.001);
    expect([...saved().byLast.values()]).not.toEqual([...own.byLast.values()]);
  });

  it("chooses the default's window prior from the training windows by held-out likelihood", () => {
    const rates = new WindowRates();
    for (const t of train) rates.add(view, t);
    const chosen = rates.heldOutPrior();
    expect(chosen).not.toBeCloseTo(WINDOW_PRIOR, 1);
    expect(savedMarkovNovelty(train, {}).windowRates).toEqual(rates.expectation(chosen).toJSON());
  });
});
