import { SeqhuntError } from "../errors.js";
import { meanAndSpread } from "./base.js";
import { ascending, plainGrouped } from "./calibration.js";

/** Top share of the held-out training scores whose slope sets the exponential tail beyond them (sensitivity in the README). */
export const TAIL_SHARE = 0.1;

/** A tail as JSON: the distinct held-out training scores, ascending, with the weight of each, and its share. */
export interface TailJson {
  readonly scores: readonly number[];
  readonly weights: readonly number[];
  readonly share: number;
}

/**
 * A view's held-out training scores as a rarity in nats: -ln of the share of training sessions that score at
 * least as high (interpolated between distinct scores, so scores between two training sessions do not tie),
 * and beyond the highest training score an exponential tail whose scale is the slope of that rarity from the
 * top {@link TAIL_SHARE} of the scores to the highest. Views in these units are comparable as false-alarm
 * rates whatever their own scale, and a score beyond every training session ranks by how far beyond it is.
 */
export class Tail {
  readonly #scores: number[];
  readonly #weights: number[];
  /** -ln of the share of training weight at or above each distinct score. */
  readonly #rarities: number[];
  /** Score units per nat of rarity, beyond the highest score (and below the lowest). */
  readonly #scale: number;
  readonly #share: number;

  private constructor(scores: number[], weights: number[], share: number) {
    this.#scores = scores;
    this.#weights = weights;
    this.#share = share;
    const total = weights.reduce((a, b) => a + b, 0);
    this.#rarities = new Array<number>(scores.length);
    let above = 0;
    let qi = scores.length - 1;
    for (let i = scores.length - 1; i >= 0; i--) {
      above += weights[i] as number;
      this.#rarities[i] = -Math.log(above / total);
      if (above < share * total) qi = i - 1;
    }
    qi = Math.max(qi, 0);
    const top = scores.length - 1;
    const rise = (this.#rarities[top] as number) - (this.#rarities[qi] as number);
    this.#scale =
      rise > 0
        ? ((scores[top] as number) - (scores[qi] as number)) / rise
        : meanAndSpread(scores, weights).spread;
  }

  /** The tail of held-out training scores with their weights (in any order), its scale set by the top `share`. */
  static of(scores: ArrayLike<number>, weights: ArrayLike<number>, share = TAIL_SHARE): Tail {
    if (scores.length === 0) throw new SeqhuntError("no training sessions to calibrate a view with");
    const grouped = plainGrouped(scores, weights);
    if (grouped !== undefined) return new Tail(grouped.scores, grouped.weights, share);
    const byScore = new Map<number, number>();
    for (let i = 0; i < scores.length; i++) {
      const x = scores[i] as number;
      byScore.set(x, (byScore.get(x) ?? 0) + (weights[i] as number));
    }
    const distinct = [...byScore.keys()].sort((a, b) => a - b);
    return new Tail(
      distinct,
      distinct.map((x) => byScore.get(x) as number),
      share,
    );
  }

  /** The rarity of the highest held-out training score in nats: -ln of its share of the training weight. */
  get top(): number {
    return this.#rarities[this.#rarities.length - 1] as number;
  }

  /** The rarity of score `x` in nats (see the class); increasing in `x`. */
  rarity(x: number): number {
    const scores = this.#scores;
    const top = scores.length - 1;
    if (x >= (scores[top] as number))
      return (this.#rarities[top] as number) + (x - (scores[top] as number)) / this.#scale;
    if (x <= (scores[0] as number)) return (x - (scores[0] as number)) / this.#scale;
    // The first distinct score above x: x lies between it and the one before.
    let lo = 1;
    let hi = top;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((scores[mid] as number) <= x) lo = mid + 1;
      else hi = mid;
    }
    const [s0, s1] = [scores[lo - 1] as number, scores[lo] as number];
    const [r0, r1] = [this.#rarities[lo - 1] as number, this.#rarities[lo] as number];
    return r0 + ((r1 - r0) * (x - s0)) / (s1 - s0);
  }

  /** The tail as JSON. */
  toJSON(): TailJson {
    return { scores: [...this.#scores], weights: [...this.#weights], share: this.#share };
  }

  /** A tail saved with {@link Tail.toJSON}. */
  static fromJSON(json: unknown): Tail {
    const { scores, weights, share } = (json ?? {}) as Partial<TailJson>;
    const numbers = (xs: unknown): xs is number[] =>
      Array.isArray(xs) && xs.every((x) => typeof x === "number" && Number.isFinite(x));
    if (
      !numbers(scores) ||
      !numbers(weights) ||
      scores.length !== weights.length ||
      scores.length === 0 ||
      typeof share !== "number" ||
      !(share > 0 && share <= 1)
    )
      throw new SeqhuntError(
        "not a valid saved view tail: scores and weights must be lists of numbers, share a number in (0, 1]",
      );
    // As saved (distinct scores, ascending): taken as they are, not grouped and sorted again.
    if (ascending(scores))
      return new Tail(
        scores.slice(),
        weights.map((w) => 0 + w),
        share,
      );
    return Tail.of(scores, weights, share);
  }
}
