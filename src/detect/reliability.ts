// How far a view's score of a training session is the session's own and not which other sessions training
// happened to hold: the agreement of two scores of each session by different trainings that left it out.
import { firstAtOrAbove } from "./calibration.js";

/** Each value's weighted mid-rank: the middle of the weight its ties span, as if a session of weight k were k sessions. */
function midRanks(values: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
  // NaN (no score) ranks lowest, with its like. A typed array's own sort, then each value's place in it by
  // bisection: ties share the place of their first, where their weights add up. Plain loops: typed arrays'
  // `from` with a function took several times as long.
  const n = values.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    keys[i] = Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x;
  }
  const sorted = keys.slice().sort();
  const places = new Uint32Array(n);
  const tied = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = firstAtOrAbove(sorted, keys[i] as number);
    places[i] = p;
    tied[p] = (tied[p] as number) + (weights[i] as number);
  }
  const below = new Float64Array(n);
  for (let p = 1; p < n; p++) below[p] = (below[p - 1] as number) + (tied[p - 1] as number);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = places[i] as number;
    ranks[i] = (below[p] as number) + ((tied[p] as number) + 1) / 2;
  }
  return ranks;
}

/**
 * The weighted rank correlation (Spearman's) of two scores of the same sessions: 1 when they order the
 * sessions alike, 0 when unrelated; NaN when either gives every session the same score.
 */
export function rankAgreement(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  const [ra, rb] = [midRanks(a, weights), midRanks(b, weights)];
  let total = 0;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < ra.length; i++) {
    const w = weights[i] as number;
    total += w;
    meanA += w * (ra[i] as number);
    meanB += w * (rb[i] as number);
  }
  meanA /= total;
  meanB /= total;
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < ra.length; i++) {
    const w = weights[i] as number;
    const x = (ra[i] as number) - meanA;
    const y = (rb[i] as number) - meanB;
    both += w * x * y;
    onlyA += w * x * x;
    onlyB += w * y * y;
  }
  return onlyA > 0 && onlyB > 0 ? both / Math.sqrt(onlyA * onlyB) : Number.NaN;
}

/**
 * The share of its weight each view keeps, from the agreement of its two scores of each of `sessions` training
 * sessions ({@link rankAgreement}): its signal-to-noise ratio, agreement / (1 - agreement), against the most
 * reliable view's (which keeps all of its weight). A rank agreement of n sessions that agree by chance alone
 * varies by 1 / (n - 1) (its variance): that much of the disagreement is the measure's own noise, so no
 * ratio is infinite; and unless every view agrees beyond chance (by more than that standard deviation), the
 * agreements tell nothing apart and every view keeps its weight (few sessions; two scores that differ by
 * design, as markov-set's on a few distinct sessions of great weight; or an unknown agreement, NaN).
 */
export function reliabilityShares(agreements: readonly number[], sessions: number): number[] {
  const chance = 1 / Math.max(sessions - 1, 1);
  if (!agreements.every((r) => r > Math.sqrt(chance))) return agreements.map(() => 1);
  const ratio = (r: number) => r / (1 - r + chance);
  const most = Math.max(...agreements.map(ratio));
  return agreements.map((r) => ratio(r) / most);
}
