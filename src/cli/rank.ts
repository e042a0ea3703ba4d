import { referenceReason } from "../detect/reference.js";
import type { DetectorExplanation, StepContribution } from "../detect/types.js";
import { type OutputRecord, PREPARED } from "../io/write.js";
import type { Model } from "../model/model.js";
import type { Analysis, Command, Explanation, SessionScore } from "../types.js";
import type { CliSession } from "./sessions.js";

/** How sessions are scored. */
export interface ScoringOptions {
  readonly window: number;
  readonly tokens: boolean;
  readonly geoMean: boolean;
}

/** A scored session with its rank (1 = rarest). */
export interface RankedSession {
  readonly session: CliSession;
  readonly score: SessionScore;
  readonly rank: number;
  /** Position in the input, for explaining it. */
  readonly index: number;
  /** The ranking detector: its name, score (higher = more anomalous) and percentile among training sessions. */
  readonly method?: { readonly name: string; readonly score: number; readonly percentile: number };
}

/** What a ranking detector gives the CLI: one score per session, percentiles, and explanations in words. */
export interface MethodScores {
  /** The detector's registry name. */
  readonly name: string;
  /** One score per session, in input order (higher = rarer). */
  readonly scores: readonly number[];
  readonly percentile: (score: number) => number;
  /** The detector's explanation of session `index`; absent for the reference, whose own explanation says why. */
  readonly explain?: ((index: number) => DetectorExplanation) | undefined;
  /**
   * Session `index`'s reason (`explain(index).reason`) for less work: worked out already (in worker threads,
   * or while waiting for them).
   */
  readonly reason?: ((index: number) => string) | undefined;
}

/** Ranked sessions, their explanations on demand (each computed once), and one-line reasons. */
export interface Ranking {
  readonly ranked: RankedSession[];
  readonly explain: (r: RankedSession) => Explanation;
  /** The reason of a session: the ranking detector's, or the reference's (its full explanation, else its rarest window). */
  readonly reason: (r: RankedSession) => string;
  /** Each step's contribution to the ranking detector's score (one per command first), when it is not the reference. */
  readonly methodSteps: (r: RankedSession) => readonly StepContribution[] | null;
}

/** Sort key: the rarest-window log-likelihood, sessions too short for a window last. */
export function rarity(s: SessionScore): number {
  return Number.isNaN(s.rarestWindowLogLikelihood) ? Number.POSITIVE_INFINITY : s.rarestWindowLogLikelihood;
}

const lists = new WeakMap<readonly CliSession[], Command[][]>();
/** The sessions' command lists, as one array per input (the model reuses its training work for the same array). */
export function commandLists(sessions: readonly CliSession[]): Command[][] {
  let list = lists.get(sessions);
  if (list === undefined) {
    list = sessions.map((s) => s.commands);
    lists.set(sessions, list);
  }
  return list;
}

/** The reference's window settings (--window, --no-tokens, --geo-mean) as the model and a detector take them. */
export function windowOf(scoring: ScoringOptions) {
  return { windowLength: scoring.window, useStartEndTokens: scoring.tokens, useGeoMean: scoring.geoMean };
}

/** The model's analysis of the sessions under the scoring options (what {@link scoreAndRank} ranks by). */
export function analyze(model: Model, sessions: readonly CliSession[], options: ScoringOptions) {
  return model.analyze(commandLists(sessions), windowOf(options));
}

/** What sessions rank by, one number per session in input order. */
export interface RankKeys {
  /** The ranking detector's score (higher = rarer; NaN, no score at all, last); absent: the reference alone ranks. */
  readonly method?: ArrayLike<number> | undefined;
  /** The reference's rarest-window log-likelihood (lower = rarer; sessions too short for a window +Infinity). */
  readonly rarity: ArrayLike<number>;
  /** The reference's whole-session log-likelihood (lower = rarer). */
  readonly logLikelihood: ArrayLike<number>;
}

/** Session indices rarest first: the detector's score, then the rarest window, the whole session, input order. */
export function rankOrder(keys: RankKeys): number[] {
  const { method, rarity: windows, logLikelihood } = keys;
  const key = (i: number) => {
    const x = method === undefined ? 0 : (method[i] as number);
    return Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x;
  };
  return Array.from({ length: windows.length }, (_, i) => i).sort(
    (a, b) =>
      key(b) - key(a) ||
      0 ||
      (windows[a] as number) - (windows[b] as number) ||
      (logLikelihood[a] as number) - (logLikelihood[b] as number) ||
      a - b,
  );
}

/**
 * Scores every session and ranks them rarest first (ties: lower whole-session likelihood, then input order);
 * `analysis` is the model's of the sessions ({@link analyze}) when worked out already.
 */
export function scoreAndRank(
  model: Model,
  sessions: readonly CliSession[],
  options: ScoringOptions,
  method?: MethodScores,
  analysis: Analysis = analyze(model, sessions, options),
): Ranking {
  const scores = analysis.scores;
  const order = rankOrder({
    method: method?.scores,
    rarity: scores.map(rarity),
    logLikelihood: scores.map((x) => x.logLikelihood),
  });
  const ranked = order.map((i, r) => {
    const base = {
      session: sessions[i] as CliSession,
      score: scores[i] as SessionScore,
      rank: r + 1,
      index: i,
    };
    return withMethod(base, method, i);
  });
  return withExplanations(ranked, analysis, method);
}

/** Sessions already ranked elsewhere (ClickHouse, a spilled hunt), in that order: scored and explained in process. */
export function rankInOrder(
  model: Model,
  sessions: readonly CliSession[],
  options: ScoringOptions,
  method?: MethodScores,
): Ranking {
  const analysis = analyze(model, sessions, options);
  const ranked = sessions.map((session, i) => {
    const base = { session, score: analysis.scores[i] as SessionScore, rank: i + 1, index: i };
    return withMethod(base, method, i);
  });
  return withExplanations(ranked, analysis, method);
}

/** A ranked session with the ranking detector's score and percentile of session `index`, when one ranks. */
function withMethod(base: RankedSession, method: MethodScores | undefined, index: number): RankedSession {
  if (!method) return base;
  const score = method.scores[index] as number;
  return { ...base, method: { name: method.name, score, percentile: method.percentile(score) } };
}

function withExplanations(ranked: RankedSession[], analysis: Analysis, method?: MethodScores): Ranking {
  const methodExplain = method?.explain;
  const methodReason = method?.reason;
  const cache = new Map<number, Explanation>();
  const explain = (r: RankedSession) => {
    let e = cache.get(r.index);
    if (e === undefined) {
      e = analysis.explain(r.index);
      cache.set(r.index, e);
    }
    return e;
  };
  const byMethod = new Map<number, DetectorExplanation>();
  const explainByMethod = (r: RankedSession, explainer: (index: number) => DetectorExplanation) => {
    let e = byMethod.get(r.index);
    if (e === undefined) {
      e = explainer(r.index);
      byMethod.set(r.index, e);
    }
    return e;
  };
  // A reason alone is not kept: --out asks for every session's once, and keeping every explanation's steps
  // held them all in memory until the hunt ended.
  const reason = (r: RankedSession) =>
    methodExplain
      ? (byMethod.get(r.index)?.reason ?? methodReason?.(r.index) ?? methodExplain(r.index).reason)
      : referenceReason(cache.get(r.index) ?? analysis.explain(r.index, { windowOnly: true }));
  const methodSteps = (r: RankedSession) => (methodExplain ? explainByMethod(r, methodExplain).steps : null);
  return { ranked, explain, reason, methodSteps };
}

/** A command as output writes it: a name, or `{name, params}` with params as a list or an object. */
export function commandJson(
  c: Command,
): string | { name: string; params: string[] | Record<string, string | null> } {
  if (typeof c === "string") return c;
  return {
    name: c.name,
    params: c.params instanceof Set ? [...c.params] : { ...(c.params as Record<string, string | null>) },
  };
}

const nameOf = (c: Command) => (typeof c === "string" ? c : c.name);

/** Sets `key` as an own data property in place, `__proto__` too (assigning that one would set the prototype). */
function put(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

const iso = (micros: number | null) =>
  micros === null ? null : new Date(Math.floor(micros / 1000)).toISOString();

/**
 * The output record of a ranked session (field names fixed by the CLI contract): identity columns first,
 * then the scores; a later key of the same name takes the earlier one's place, and the session's other
 * fields fill in names not taken. Built in place: one object per session, no list of entries. `sessionJson`: the
 * session's commands as JSON text, made beforehand ({@link PREPARED}).
 */
export function outputRecord(
  ranked: RankedSession,
  identityColumns: readonly string[],
  reason: string | null,
  sessionJson?: string,
): OutputRecord {
  const { session, score } = ranked;
  const noWindow = score.rarestWindowStart === null;
  const record: OutputRecord = {};
  for (let i = 0; i < identityColumns.length; i++)
    put(record, identityColumns[i] as string, session.identity[i] ?? null);
  put(record, "start", iso(session.start));
  put(record, "end", iso(session.end));
  put(record, "length", session.commands.length);
  // Identity values are text, so the keys before this one hold no object, as PREPARED asks.
  if (sessionJson === undefined) put(record, "session", session.commands);
  else {
    put(record, "session", 0);
    record[PREPARED] = { key: "session", json: sessionJson };
  }
  put(record, "rarestWindow", score.rarestWindow);
  put(record, "rarestWindowStart", score.rarestWindowStart);
  put(record, "rarestWindowLikelihood", noWindow ? null : score.rarestWindowLikelihood);
  put(record, "rarestWindowLogLikelihood", noWindow ? null : score.rarestWindowLogLikelihood);
  put(record, "likelihood", score.likelihood);
  put(record, "logLikelihood", score.logLikelihood);
  put(record, "rank", ranked.rank);
  if (ranked.method) {
    const { name, score: methodScore, percentile } = ranked.method;
    // JSON has no NaN: a score or percentile that does not exist is null.
    const number = (x: number) => (Number.isNaN(x) ? null : x);
    put(record, "score", number(methodScore));
    put(record, "percentile", number(percentile));
    put(record, "method", name);
  }
  if (reason !== null) put(record, "reason", reason);
  for (const [k, v] of Object.entries(session.fields)) if (!Object.hasOwn(record, k)) put(record, k, v);
  return record;
}

export { nameOf };
