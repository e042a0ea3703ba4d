import { SeqhuntError } from "../errors.js";

/** The first position in ascending `sorted` whose value is not below `x` (its length when every one is). */
export function firstAtOrAbove(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A calibration as JSON: distinct training scores, ascending, and the weight of the sessions with each. */
export interface CalibrationJson {
  /** Distinct held-out scores of the training sessions, ascending. */
  readonly scores: readonly number[];
  /** The weight of the training sessions with each score. */
  readonly weights: readonly number[];
}

/**
 * The held-out scores of a detector's training sessions, weighted: what a percentile is measured against.
 * Kept as distinct scores with their weights, so sessions that repeat (log keys) cost one entry.
 */
export class Calibration {
  readonly #scores: number[];
  readonly #weights: number[];
  /** Weight of every training session scoring at or below each distinct score. */
  readonly #cumulative: number[];

  private constructor(scores: number[], weights: number[]) {
    this.#scores = scores;
    this.#weights = weights;
    let total = 0;
    this.#cumulative = weights.map((w) => {
      total += w;
      return total;
    });
  }

  /** The calibration of training sessions' held-out scores and weights (in any order). */
  static of(scores: ArrayLike<number>, weights: ArrayLike<number>): Calibration {
    const plain = plainGrouped(scores, weights);
    if (plain !== undefined) return new Calibration(plain.scores, plain.weights);
    const order = Array.from({ length: scores.length }, (_, i) => i).sort(
      (a, b) => (scores[a] as number) - (scores[b] as number),
    );
    const distinct: number[] = [];
    const grouped: number[] = [];
    for (const i of order) {
      const score = scores[i] as number;
      const w = weights[i] as number;
      if (distinct.length > 0 && distinct.at(-1) === score)
        grouped[grouped.length - 1] = (grouped.at(-1) as number) + w;
      else {
        distinct.push(score);
        grouped.push(w);
      }
    }
    return new Calibration(distinct, grouped);
  }

  /** No training scores to measure against: every percentile is NaN (a reference model from a version 1 file). */
  static readonly none = new Calibration([], []);

  /** The share of training weight strictly below `score` (NaN without training scores). */
  percentile(score: number): number {
    if (this.#scores.length === 0) return Number.NaN;
    const lo = firstAtOrAbove(this.#scores, score);
    return lo === 0 ? 0 : (this.#cumulative[lo - 1] as number) / (this.#cumulative.at(-1) as number);
  }

  /**
   * Both calibrations' sessions together. Each keeps the score its own detector gave it: after a merge the
   * percentile is measured against training sessions scored when they were trained, not rescored.
   */
  static merge(a: Calibration, b: Calibration): Calibration {
    return Calibration.of([...a.#scores, ...b.#scores], [...a.#weights, ...b.#weights]);
  }

  /** The calibration as JSON. */
  toJSON(): CalibrationJson {
    return { scores: [...this.#scores], weights: [...this.#weights] };
  }

  /** A calibration saved with {@link Calibration.toJSON}. */
  static fromJSON(json: unknown): Calibration {
    const { scores, weights } = (json ?? {}) as Partial<CalibrationJson>;
    const numbers = (xs: unknown): xs is number[] =>
      Array.isArray(xs) && xs.every((x) => typeof x === "number");
    if (!numbers(scores) || !numbers(weights) || scores.length !== weights.length || scores.length === 0)
      throw new SeqhuntError("not a valid detector calibration: scores and weights must be lists of numbers");
    // As saved (distinct scores, ascending): taken as they are, not sorted and grouped again.
    return ascending(scores)
      ? new Calibration(scores.slice(), weights.slice())
      : Calibration.of(scores, weights);
  }
}

/** Whether every number is above the one before (a saved calibration or tail: distinct, ascending). */
export function ascending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (!((xs[i] as number) > (xs[i - 1] as number))) return false;
  return true;
}

/** The most weight {@link plainGrouped} adds up: any sum of integers to here is exact, whatever their order. */
const EXACT_SUM = 2 ** 53;

/**
 * Distinct scores, ascending, with the weight of each, by a typed-array sort (a tenth of sorting indices by a
 * comparator, and no Map of doubles): when the scores hold no NaN and no -0 (where sorting by comparator,
 * or keying a Map, orders or merges them in its own way) and every weight is an integer other than -0,
 * summing to at most 2^53 (so each score's weight is exact in any order of adding); undefined otherwise.
 * What {@link Calibration.of} and `Tail.of` find for such numbers, to the last bit.
 */
export function plainGrouped(
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
): { readonly scores: number[]; readonly weights: number[] } | undefined {
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const x = scores[i] as number;
    const w = weights[i] as number;
    if (Number.isNaN(x) || Object.is(x, -0) || !Number.isInteger(w) || Object.is(w, -0)) return undefined;
    total += Math.abs(w);
  }
  if (total > EXACT_SUM) return undefined;
  const sorted = Float64Array.from(scores).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i] as number);
  const sums = new Float64Array(distinct.length);
  for (let i = 0; i < scores.length; i++) {
    // The distinct score equal to x: the first at or above it.
    const lo = firstAtOrAbove(distinct, scores[i] as number);
    sums[lo] = (sums[lo] as number) + (weights[i] as number);
  }
  return { scores: distinct, weights: Array.from(sums) };
}
