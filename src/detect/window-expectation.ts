import { SeqhuntError } from "../errors.js";
import type { Novelty } from "./novelty.js";
import { maximiseOnLogScale, PRIOR_RANGE, shrunkRate } from "./presence.js";
import type { WeightedSession } from "./types.js";

/**
 * Windows of weight that everyone's rate carries in one command's where the training windows cannot choose one
 * (no command ends two windows); the fixed weight before it was chosen (sensitivity in the README).
 */
export const WINDOW_PRIOR = 1;

/**
 * The weight of everyone's rate of never-seen windows in one command's: fixed (in windows), or "held-out":
 * chosen from the training windows by held-out likelihood ({@link WindowRates.heldOutPrior}).
 */
export type WindowPrior = number | "held-out";

/** A window expectation as JSON: everyone's rate of never-seen windows, and the rate by a window's last command. */
export interface WindowExpectationJson {
  readonly rate: number;
  readonly byLast: readonly (readonly [command: string, rate: number])[];
}

/**
 * The prior that best predicts whether each training window is never seen elsewhere from the other windows
 * ending in its command (each left out in turn) leaning on everyone's `rate`: the held-out likelihood, summed
 * over each command's `[novel, windows]`, maximised within {@link PRIOR_RANGE}; {@link WINDOW_PRIOR} where no
 * command ends two windows. Windows of one session are not independent, so it leans on each command's own
 * rate more than a likelihood of whole sessions would.
 */
export function heldOutWindowPrior(
  byLast: Iterable<readonly [novel: number, windows: number]>,
  rate: number,
): number {
  const rows = [...byLast].filter(([, windows]) => windows > 1);
  if (rows.length === 0) return WINDOW_PRIOR;
  return maximiseOnLogScale(
    (prior) => {
      let ll = 0;
      for (const [novel, windows] of rows) {
        if (novel > 0) ll += novel * Math.log(shrunkRate(novel - 1, windows - 1, rate, prior));
        if (windows > novel)
          ll += (windows - novel) * Math.log1p(-shrunkRate(novel, windows - 1, rate, prior));
      }
      return ll;
    },
    ...PRIOR_RANGE,
  );
}

/**
 * The share of training windows never seen elsewhere, by the window's last command: add each training
 * session (each distinct one left out whole, so repeats do not make new sessions look newer than they are),
 * then {@link WindowRates.expectation}. Everyone's rate is smoothed by one of each, so never 0.
 */
export class WindowRates {
  readonly #byLast = new Map<string, [novel: number, windows: number]>();
  #novel = 1;
  #windows = 1;

  /** Adds one training session's windows, left out whole. */
  add(novelty: Novelty, s: WeightedSession): void {
    novelty.eachWindow(s, "whole", (last, n, novel) => {
      let row = this.#byLast.get(last);
      if (row === undefined) {
        row = [0, 0];
        this.#byLast.set(last, row);
      }
      if (novel) row[0] += n;
      row[1] += n;
      if (novel) this.#novel += n;
      this.#windows += n;
    });
  }

  /** The rates so far: each command's shrunk toward everyone's with `prior` windows of weight (chosen by default). */
  expectation(prior: WindowPrior = "held-out"): WindowExpectation {
    const rate = this.#novel / this.#windows;
    const weight = prior === "held-out" ? this.heldOutPrior() : prior;
    const byLast = new Map<string, number>();
    for (const [last, [novel, windows]] of this.#byLast)
      byLast.set(last, shrunkRate(novel, windows, rate, weight));
    return new WindowExpectation(rate, byLast);
  }

  /** The prior chosen by held-out likelihood from the windows so far ({@link heldOutWindowPrior}). */
  heldOutPrior(): number {
    return heldOutWindowPrior(this.#byLast.values(), this.#novel / this.#windows);
  }
}

/**
 * How many never-seen windows a session's length and commands predict: each window counts the training rate
 * of never-seen windows among windows ending in the same command (everyone's rate for a command training
 * never met). A noisy program's windows are often new in its ordinary traces, a predictable one's rarely, so
 * a foreign run inside a predictable trace exceeds its expectation where an ordinary noisy trace does not.
 */
export class WindowExpectation {
  constructor(
    /** Everyone's rate of never-seen windows per window. */
    readonly rate: number,
    /** The rate among windows ending in each command. */
    readonly byLast: ReadonlyMap<string, number>,
  ) {}

  /** The session's expected count of never-seen windows. */
  expected(novelty: Novelty, s: WeightedSession): number {
    let sum = 0;
    novelty.eachWindow(s, false, (last, n) => {
      sum += n * (this.byLast.get(last) ?? this.rate);
    });
    return sum;
  }

  /** The expectation as JSON. */
  toJSON(): WindowExpectationJson {
    return { rate: this.rate, byLast: [...this.byLast] };
  }

  /** An expectation saved with {@link WindowExpectation.toJSON}. */
  static fromJSON(json: unknown): WindowExpectation {
    const { rate, byLast } = (json ?? {}) as Partial<WindowExpectationJson>;
    const isRate = (x: unknown): x is number => typeof x === "number" && x > 0 && x <= 1;
    if (
      !isRate(rate) ||
      !Array.isArray(byLast) ||
      !byLast.every((e) => Array.isArray(e) && typeof e[0] === "string" && isRate(e[1]))
    )
      throw new SeqhuntError(
        "not a valid saved window expectation: expected a rate in (0, 1] and [command, rate] pairs",
      );
    return new WindowExpectation(rate, new Map(byLast));
  }
}
