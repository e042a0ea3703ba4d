import { SeqhuntError } from "./errors.js";
import { Model } from "./model/model.js";
import type { ScoreSessionsOptions, Session } from "./types.js";

/**
 * Trains a model on the sessions in `rows[sessionColumn]`, finds each session's rarest window
 * (tokens on, no geometric mean) and returns copies of the rows with `rarest_window<k>_likelihood`
 * and `rarest_window<k>` added, as the reference's `score_sessions`.
 */
export function scoreSessions<R extends Readonly<Record<string, unknown>>>(
  rows: readonly R[],
  options: ScoreSessionsOptions,
): (R & Record<string, unknown>)[] {
  const { sessionColumn, windowLength } = options;
  const sessions = rows.map((row, i) => {
    if (row === null || typeof row !== "object" || !Object.hasOwn(row, sessionColumn)) {
      throw new SeqhuntError(`row ${i} has no column ${JSON.stringify(sessionColumn)}`, {
        row: i,
        field: sessionColumn,
      });
    }
    return row[sessionColumn] as Session;
  });
  const model = new Model(sessions);
  model.train();
  model.computeRarestWindows(windowLength, { useStartEndTokens: true, useGeoMean: false });
  const likelihoods = model.rareWindowLikelihoods.get(windowLength) as number[];
  const windows = model.rareWindows.get(windowLength) as unknown[][];
  return rows.map((row, i) => ({
    ...row,
    [`rarest_window${windowLength}_likelihood`]: likelihoods[i],
    [`rarest_window${windowLength}`]: windows[i],
  }));
}
