import { END_ID, START_ID } from "./counts.js";
import type { EncodedSessions } from "./encode.js";
import type { LogProbabilities, SessionScratch } from "./likelihood.js";

/** Windows whose log-likelihoods differ by less than this are tied; the first one wins. */
export const TIE_TOLERANCE = 1e-12;

/** The rarest window of one session: where it starts and its log-likelihood. */
export interface WindowResult {
  /** Start index in the session, or -1 when no window fits. */
  start: number;
  /** Natural log of the window's likelihood (over the window length when geo-mean); NaN when none fits. */
  logLikelihood: number;
}

/**
 * Finds the rarest window of length k in session s, after {@link fillEmissions}, in O(session length)
 * whatever k: window sums are differences of compensated prefix sums of per-step log terms.
 * With tokens, END is appended (its parameter term is 1) and only the window at 0 starts from START.
 */
export function rarestWindow(
  logs: LogProbabilities,
  encoded: EncodedSessions,
  s: number,
  scratch: SessionScratch,
  windowLength: number,
  useStartEndTokens: boolean,
  useGeoMean: boolean,
  result: WindowResult = { start: -1, logLikelihood: Number.NaN },
): WindowResult {
  // Long because it is the hot O(n) window scan with compensated prefix sums; kept in one loop nest for speed (see bench).
  const from = encoded.sessionStart[s] as number;
  const length = (encoded.sessionStart[s + 1] as number) - from;
  const padded = length + (useStartEndTokens ? 1 : 0);
  result.start = -1;
  result.logLikelihood = Number.NaN;
  if (padded < windowLength) return result;
  const cmds = encoded.commands;
  const { emission, prefixHigh, prefixLow } = scratch;
  const logPrior = logs.logPrior;
  // The dense transition table read in place (else the sparse cache behind logTrans).
  const dense = logs.dense;
  const n = logs.commandCount;

  // One pass: the prefix sums grow with j, and the window ending at j (starting at j - last) is scored as
  // soon as they reach it, first window first (ties keep the first).
  const last = windowLength - 1;
  let best = Number.POSITIVE_INFINITY;
  let bestStart = -1;
  // Prefix sums with a running error term (TwoSum), so long sessions keep ties exact to ~1 ulp.
  prefixHigh[0] = 0;
  prefixLow[0] = 0;
  let high = 0;
  let low = 0;
  let prev = cmds[from] as number;
  for (let j = 0; j < padded; j++) {
    if (j > 0) {
      const c = j < length ? (cmds[from + j] as number) : END_ID;
      const x =
        (dense !== null ? (dense[prev * n + c] as number) : logs.logTrans(prev, c)) + (emission[j] as number);
      const t = high + x;
      const back = t - high;
      low += high - (t - back) + (x - back);
      high = t;
      prefixHigh[j] = high;
      prefixLow[j] = low;
      prev = c;
    }
    if (j < last) continue;
    const i = j - last;
    // The window's first step: the start transition at 0 with tokens, else the prior; then its emission.
    const c = i < length ? (cmds[from + i] as number) : END_ID;
    const first = i === 0 && useStartEndTokens ? logs.logTrans(START_ID, c) : (logPrior[c] as number);
    const head = first + (emission[i] as number);
    let w =
      head +
      ((prefixHigh[j] as number) -
        (prefixHigh[i] as number) +
        ((prefixLow[j] as number) - (prefixLow[i] as number)));
    if (useGeoMean) w /= windowLength;
    if (bestStart < 0 || w < best - TIE_TOLERANCE) {
      best = w;
      bestStart = i;
    }
  }
  result.start = bestStart;
  result.logLikelihood = best;
  return result;
}
