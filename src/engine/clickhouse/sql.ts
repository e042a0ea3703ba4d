/**
 * SQL text for the ClickHouse pushdown. Only identifiers checked against the server's own column list and
 * numbers seqhunt computed ever enter SQL text; user data (names, values, model tables) travels as rows.
 * Every query runs on ClickHouse 18.16 (Debian's): array functions, no window functions, no lambdas that
 * capture arrays (ClickHouse copies a captured array once per element: quadratic).
 */
import { END_TOKEN, START_TOKEN, TIE_TOLERANCE, UNK_ID } from "../../model/engine-access.js";

/** A Float64 seqhunt computed, as a literal that reads back to the same number (inf and nan included). */
export function float(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  return `toFloat64(${String(x)})`;
}

/** A string literal of text seqhunt controls (the model's tokens, a cluster name the server reported), escaped. */
export function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\0/g, "\\0")}'`;
}

const START = stringLiteral(START_TOKEN);
const END = stringLiteral(END_TOKEN);

/** A ClickHouse identifier, backquoted. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}

/** `db`.`table`, both quoted. */
export function qualified(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/** A whole number written into SQL text (always one seqhunt computed, never user text). */
export function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not a whole number: ${n}`);
  return String(n);
}

/** How a time column becomes epoch microseconds (Int64), by its ClickHouse type; null when unsupported. */
export function microsExpression(column: string, type: string): string | null {
  const bare = type.replace(/^Nullable\((.*)\)$/, "$1");
  // Rows with a NULL time are rejected before this is evaluated.
  const c = bare === type ? quoteIdentifier(column) : `assumeNotNull(${quoteIdentifier(column)})`;
  if (/^DateTime(\(.*\))?$/.test(bare)) return `toInt64(toUInt32(${c})) * 1000000`;
  if (/^DateTime64\(/.test(bare)) return `toUnixTimestamp64Micro(${c})`;
  if (/^Date$/.test(bare)) return `toInt64(toUInt32(toDateTime(${c}))) * 1000000`;
  // Numbers as the file readers take them: epoch milliseconds from 1e11 up, else epoch seconds.
  if (/^(U?Int(8|16|32|64)|Float(32|64))$/.test(bare))
    return `toInt64(round(if(abs(${c}) >= 100000000000, ${c} * 1000, ${c} * 1000000)))`;
  return null;
}

/** Text of a column (identity or event) as the file readers see it: strings as they are, NULL kept. */
export function textExpression(column: string, type: string): string {
  const bare = type.replace(/^Nullable\((.*)\)$/, "$1").replace(/^LowCardinality\((.*)\)$/, "$1");
  const c = quoteIdentifier(column);
  return bare === "String" ? c : `toString(${c})`;
}

/** A condition that makes a row unusable, with the reason counted for it and the column at fault. */
export interface Reject {
  readonly reason: string;
  readonly condition: string;
  readonly field: string;
}

/** The columns of the events table, resolved and checked against the server. */
export interface EventSource {
  /** `db`.`table`. */
  readonly table: string;
  /** Identity expressions (text, NULL for missing). */
  readonly identity: readonly string[];
  /** Epoch microseconds. */
  readonly micros: string;
  /** Conditions that make a row unusable. */
  readonly rejects: readonly Reject[];
  /** Event name. */
  readonly event: string;
  /** Tie breaker within equal times (a sequence column), or null. */
  readonly sequence: string | null;
  /** Parameter names (Array(String)), or null for plain commands. */
  readonly paramNames: string | null;
  /** Parameter values (Array(String)) aligned with the names, or null (names only). */
  readonly paramValues: string | null;
}

/** The session limits, in microseconds. */
export interface LimitsMicros {
  readonly maxGap: number;
  readonly maxDuration: number;
}

/** Rows with no reject condition. */
export function usableRows(source: EventSource): string {
  return source.rejects.length === 0 ? "1" : `NOT (${source.rejects.map((r) => r.condition).join(" OR ")})`;
}

/** Counts rows read and rows rejected per reason (first matching reason wins, as in the file readers). */
export function rejectCountsQuery(source: EventSource): string {
  const reasons = source.rejects.map((r, i) => {
    const earlier = source.rejects.slice(0, i).map((e) => `NOT (${e.condition})`);
    return `countIf(${[...earlier, `(${r.condition})`].join(" AND ")}) AS r${i}`;
  });
  return `SELECT count() AS total${reasons.map((r) => `, ${r}`).join("")} FROM ${source.table}`;
}

/**
 * Per identity: its events sorted by time then sequence, and how many doubling levels its sessionizing
 * needs (0 when no gap segment lasts longer than the max duration: then only the gap rule splits).
 */
export function identityEventsQuery(source: EventSource, limits: LimitsMicros): string {
  const ids = source.identity.map((expr, i) => `${expr} AS i${i}`);
  const names = source.paramNames ?? "emptyArrayString()";
  const values = source.paramValues ?? `arrayMap(x -> '', ${names})`;
  // One entry per parameter name, as in a JSON object or a Python dict: at its first place, with its last value
  // (the order reaches the in-process detectors' sums and fingerprints). The lambda captures only an event's names.
  const last = "arrayReverse(arrayMap(u -> u = 1, arrayEnumerateUniq(arrayReverse(__names))))";
  const firstNames = "arrayFilter((n, u) -> u = 1, __names, arrayEnumerateUniq(__names))";
  const lastValues = `arraySort((v, n) -> indexOf(__names, n), arrayFilter((v, k) -> k, __values, ${last}),
      arrayFilter((n, k) -> k, __names, ${last}))`;
  const row = [
    ...ids,
    `${source.micros} AS __t`,
    `${source.sequence ?? "0"} AS __seq`,
    `${source.event} AS __cmd`,
    `${names} AS __names`,
    `${values} AS __values`,
  ];
  const groupKeys = source.identity.map((_, i) => `i${i}`).join(", ");
  const G = int(limits.maxGap);
  const D = int(limits.maxDuration);
  // The duration rule can split only a gap segment longer than the max duration, at most
  // floor(length / max duration) + 1 times (and never into more sessions than events).
  const longest = `arrayReduce('max', arrayMap((a, b) -> b - a,
      arrayFilter((x, d, i) -> i = 1 OR d > ${G}, t, arrayDifference(t), arrayEnumerate(t)),
      arrayFilter((x, d) -> d > ${G}, t, arrayConcat(arrayPopFront(arrayDifference(t)), [toInt64(${G}) + 1]))))`;
  const bound = limits.maxDuration > 0 ? `least(length(t), intDiv(longest, ${D}) + 1)` : "length(t)";
  return `SELECT ${groupKeys}, ev, if(longest <= ${D}, 0, toUInt32(ceil(log2(${bound})))) AS levels
FROM (SELECT ${groupKeys}, ev, arrayMap(e -> e.1, ev) AS t, ${longest} AS longest
  FROM (SELECT ${groupKeys},
    arraySort(e -> (e.1, e.2, e.3, e.4, e.5), groupArray((__t, toInt64(__seq), __cmd,
      ${firstNames}, ${lastValues}))) AS ev
  FROM (SELECT ${row.join(", ")} FROM ${source.table} WHERE ${usableRows(source)})
  GROUP BY ${groupKeys}))`;
}

/**
 * `A[P[q]]` for every q, without capturing A in a lambda: merge value entries (position, delta of A) with
 * queries (position, q), sort, carry A forward as a running sum, and put the answers back in query order.
 */
function gather(a: string, p: string, alias: string): string {
  const merged = `(arraySort(arrayConcat(
    arrayMap((d, k) -> (toInt64(k), 0, d, toInt64(0)), arrayPopFront(arrayDifference(arrayConcat([toInt64(0)], ${a}))), arrayEnumerate(${a})),
    arrayMap((x, q) -> (toInt64(x), 1, toInt64(0), toInt64(q)), ${p}, arrayEnumerate(${p})))) AS ${alias}_m)`;
  return `arraySort((v, e) -> e.4,
    arrayFilter((v, e) -> e.2 = 1, arrayCumSum(arrayMap(e -> e.3, ${merged})), ${alias}_m),
    arrayFilter(e -> e.2 = 1, ${alias}_m))`;
}

/**
 * Sessions of identities with a given number of doubling levels. The gap rule is one arrayDifference. The
 * duration rule is sequential (a session starts at the first event more than the max duration after the
 * previous start), so: next[i] = the first event not in a session starting at i (a sorted merge), then the
 * session starts are the chain head, next[head], next[next[head]], ... from every gap-segment head,
 * followed `levels` doublings deep (2^levels >= sessions per segment).
 */
export function sessionsOfLevelQuery(
  identityTable: string,
  identityCount: number,
  limits: LimitsMicros,
  levels: number,
): string {
  const G = int(limits.maxGap);
  const D = int(limits.maxDuration);
  const keys = Array.from({ length: identityCount }, (_, i) => `i${i}`).join(", ");
  // Each doubling level is its own subquery: ClickHouse expands aliases textually, so reusing one
  // level's arrays by alias in the next would grow the query exponentially.
  let query = `SELECT ${keys}, ev,
    arrayMap(e -> e.1, ev) AS t,
    toInt64(length(ev)) AS n,
    arrayMap(i -> toInt64(i), arrayFilter((i, d) -> i = 1 OR d > ${G}, arrayEnumerate(t), arrayDifference(t))) AS p0,
    arrayCumSum(arrayMap(d -> toInt64(d > ${G}), arrayDifference(t))) AS seg,
    arraySort(arrayConcat(arrayMap((s, x) -> (s, x, 0), seg, t), arrayMap((s, x) -> (s, x + ${D}, 1), seg, t))) AS nm,
    arrayConcat(arrayMap(c -> c + 1, arrayFilter((c, m) -> m.3 = 1, arrayCumSum(arrayMap(m -> toInt64(1 - m.3), nm)), nm)), [n + 1]) AS j0
  FROM ${identityTable} WHERE levels = ${int(levels)}`;
  for (let k = 0; k < levels; k++) {
    query = `SELECT ${keys}, ev, t, n,
    arrayDistinct(arrayConcat(p${k}, ${gather(`j${k}`, `p${k}`, "g")})) AS p${k + 1},
    ${k + 1 < levels ? gather(`j${k}`, `j${k}`, "h") : "[]"} AS j${k + 1}
  FROM (${query})`;
  }
  // Session ordinal of each event = number of starts at or before it (a sorted merge, no lookups);
  // the chain's end marker n + 1 is after every event, so it counts for none.
  const ordinal = `SELECT ${keys}, ev,
    arraySort(arrayConcat(arrayMap(s -> (s, 0), p${levels}), arrayMap(i -> (toInt64(i), 1), arrayEnumerate(t)))) AS om,
    arrayFilter((c, m) -> m.2 = 1, arrayCumSum(arrayMap(m -> toInt64(1 - m.2), om)), om) AS ordinal
  FROM (${query})`;
  return `SELECT ${keys},
  min(e.1) AS start_us, max(e.1) AS end_us,
  arraySort((x, i) -> i, groupArray(e.3), groupArray(pos)) AS cmds,
  arraySort((x, i) -> i, groupArray(e.4), groupArray(pos)) AS names,
  arraySort((x, i) -> i, groupArray(e.5), groupArray(pos)) AS vals
FROM (${ordinal})
ARRAY JOIN ev AS e, ordinal AS o, arrayEnumerate(ev) AS pos
GROUP BY ${keys}, o`;
}

/** The sessions table's columns after its identity columns. */
export const SESSION_COLUMNS =
  "start_us Int64, end_us Int64, cmds Array(String), names Array(Array(String)), vals Array(Array(String))";

/** Names of the tables one pushdown run creates (and drops), all in the target database. */
export interface WorkTables {
  readonly identities: string;
  readonly rawSessions: string;
  readonly sessions: string;
  readonly vocab: string;
  readonly trans: string;
  readonly cmdParam: string;
  readonly paramValue: string;
  readonly scores: string;
  /** Scores joined to their sessions (for --out-table). */
  readonly scored: string;
  readonly picked: string;
  /** The default detector's counts: categorical parameters, presence sets, chain steps, novelty windows. */
  readonly categorical: string;
  readonly presenceSets: string;
  readonly presenceFirst: string;
  readonly chainSteps: string;
  readonly noveltyWindows: string;
  /** The default detector's context chain: where each command first occurs, the ids they get, each step's n-gram. */
  readonly commandFirst: string;
  readonly tokenIds: string;
  readonly contextSteps: string;
}

/** Work table names with a fresh random prefix, so concurrent runs never collide. */
export function workTables(prefix: string): WorkTables {
  const name = (what: string) => `${prefix}_${what}`;
  return {
    identities: name("identities"),
    rawSessions: name("raw_sessions"),
    sessions: name("sessions"),
    vocab: name("vocab"),
    trans: name("trans"),
    cmdParam: name("cmd_param"),
    paramValue: name("param_value"),
    scores: name("scores"),
    scored: name("scored"),
    picked: name("picked"),
    categorical: name("categorical"),
    presenceSets: name("presence_sets"),
    presenceFirst: name("presence_first"),
    chainSteps: name("chain_steps"),
    noveltyWindows: name("novelty_windows"),
    commandFirst: name("command_first"),
    tokenIds: name("token_ids"),
    contextSteps: name("context_steps"),
  };
}

/** The identity columns of the work tables: i0, i1, ... */
export function identityKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `i${i}`);
}

/**
 * Sessions numbered in the order the file readers emit them: identity (missing last), then start. With
 * shards, session ids interleave: `position on its shard * shards + shard`, unique over the cluster.
 */
export function numberedSessionsQuery(
  rawSessions: string,
  identityCount: number,
  site: { readonly index: number; readonly count: number },
): string {
  const order = [...identityKeys(identityCount), "start_us"].join(", ");
  const sid =
    site.count === 1
      ? "toUInt64(rowNumberInAllBlocks())"
      : `toUInt64(rowNumberInAllBlocks()) * ${int(site.count)} + ${int(site.index)}`;
  return `SELECT ${sid} AS sid, * FROM (SELECT * FROM ${rawSessions} ORDER BY ${order})`;
}

/** Columns of the uploaded model tables. */
export const MODEL_TABLE_COLUMNS = {
  vocab: "name String, id UInt32, prior Float64, base Float64, rowsize UInt32, dlp Float64",
  trans: "a UInt32, b UInt32, lp Float64",
  cmdParam: "b UInt32, pname String, corr Float64, modelled UInt8, unk Float64",
  paramValue: "pname String, pval String, lv Float64",
} as const;

/** What the scoring query needs to know. */
export interface ScoringShape {
  /** `##UNK##`'s vocab row (prior, base, rowsize, dlp): what an unseen command gets. */
  readonly unknown: readonly number[];
  readonly withParams: boolean;
  readonly withValues: boolean;
  readonly window: number;
  readonly tokens: boolean;
  readonly geoMean: boolean;
}

/** Where the scoring query reads: the sessions and the uploaded model tables, each `db`.`table`. */
export interface ScoringTables {
  readonly sessions: string;
  readonly vocab: string;
  readonly trans: string;
  readonly cmdParam: string;
  readonly paramValue: string;
}

/**
 * One row per step (START -> first ... last -> END) with its commands' ids, the transition's log
 * probability and the next command's prior and parameter-row numbers (unseen commands are `##UNK##`).
 */
function stepsQuery(t: ScoringTables, shape: ScoringShape): string {
  const paramColumns = shape.withParams ? ["pn", "pv"] : [];
  let steps = `SELECT sid, toUInt32(length(cmds)) AS n, prev, cmd, pos${shape.withParams ? ", pn, pv" : ""}
    FROM ${t.sessions}
    ARRAY JOIN arrayConcat([${START}], cmds) AS prev, arrayConcat(cmds, [${END}]) AS cmd,
      arrayEnumerate(arrayConcat(cmds, [${END}])) AS pos${
        shape.withParams
          ? ", arrayConcat(names, [emptyArrayString()]) AS pn, arrayConcat(vals, [emptyArrayString()]) AS pv"
          : ""
      }`;
  const carry = (extra: string[]) => ["sid", "n", "pos", ...extra, ...paramColumns].join(", ");
  // An unseen command is ##UNK##: its row's numbers are written in as literals (numbers seqhunt computed).
  // Joined subqueries carry an alias: current ClickHouse releases require one (joined_subquery_requires_alias).
  const [prior = 0, base = 0, rowsize = 0, dlp = 0] = shape.unknown;
  const unk = int(UNK_ID);
  steps = `SELECT ${carry(["prev"])}, toUInt32(if(ck = 1, cid, ${unk})) AS b, if(ck = 1, cprior, ${float(prior)}) AS prior,
      if(ck = 1, cbase, ${float(base)}) AS base, if(ck = 1, crowsize, ${int(rowsize)}) AS rowsize FROM (${steps})
    ANY LEFT JOIN (SELECT name AS cmd, id AS cid, prior AS cprior, base AS cbase, rowsize AS crowsize, toUInt8(1) AS ck
      FROM ${t.vocab}) AS known USING cmd`;
  steps = `SELECT ${carry(["b", "prior", "base", "rowsize"])}, toUInt32(if(ak = 1, aid, ${unk})) AS a,
      if(ak = 1, adlp, ${float(dlp)}) AS dlp FROM (${steps})
    ANY LEFT JOIN (SELECT name AS prev, id AS aid, dlp AS adlp, toUInt8(1) AS ak FROM ${t.vocab}) AS known USING prev`;
  return `SELECT ${carry(["a", "b", "prior", "base", "rowsize"])}, if(tf = 1, lp, dlp) AS tr FROM (${steps})
    ANY LEFT JOIN (SELECT a, b, lp, toUInt8(1) AS tf FROM ${t.trans}) AS known USING (a, b)`;
}

/**
 * Each step's log term with its parameter term added (as the in-process emission: the row's base, plus the
 * corrections of the parameters present, plus the values' log-probabilities, over the row size).
 */
function stepsWithParamsQuery(steps: string, t: ScoringTables, shape: ScoringShape): string {
  let params = `SELECT sid, n, pos, a, b, tr, prior, base, rowsize, length(pn) AS listed, pname, pval
      FROM (${steps}) LEFT ARRAY JOIN pn AS pname, pv AS pval`;
  const cols = "sid, n, pos, a, b, tr, prior, base, rowsize, listed, pname, pval";
  params = `SELECT ${cols}, corr, modelled, unk, pf FROM (${params})
      ANY LEFT JOIN (SELECT b, pname, corr, modelled, unk, toUInt8(1) AS pf FROM ${t.cmdParam}) AS known USING (b, pname)`;
  const value = shape.withValues
    ? "if(pf = 1 AND modelled = 1, if(pval != '' AND vf = 1, lv, unk), 0)"
    : "toFloat64(0)";
  if (shape.withValues) {
    params = `SELECT ${cols}, corr, modelled, unk, pf, lv, vf FROM (${params})
        ANY LEFT JOIN (SELECT pname, pval, lv, toUInt8(1) AS vf FROM ${t.paramValue}) AS known USING (pname, pval)`;
  }
  const emission = `if(any(listed) > 0, (any(base) + (sum(if(pf = 1, corr, 0)) + sum(${value}))) / (any(rowsize) + sum(${shape.withValues ? "pf = 1 AND modelled = 1" : "0"})), 0)`;
  return `SELECT sid, any(n) AS n, pos, any(tr) + ${emission} AS step, any(prior) + ${emission} AS head
      FROM (${params}) GROUP BY sid, pos`;
}

/**
 * Each session's log-likelihood and rarest window, from the uploaded model tables: the steps' terms in
 * order, then the window sums as differences of a running sum, ties within the tie tolerance keeping the
 * first window.
 */
export function scoringQuery(t: ScoringTables, shape: ScoringShape): string {
  const k = int(shape.window);
  const steps = shape.withParams
    ? stepsWithParamsQuery(stepsQuery(t, shape), t, shape)
    : `SELECT sid, n, pos, tr AS step, prior AS head FROM (${stepsQuery(t, shape)})`;
  const perSession = `SELECT sid, any(n) AS n,
        arraySort((x, p) -> p, groupArray(step), groupArray(pos)) AS steps,
        arraySort((x, p) -> p, groupArray(head), groupArray(pos)) AS heads
      FROM (${steps}) GROUP BY sid`;
  const padding = shape.tokens ? 1 : 0;
  const windows = `SELECT sid, n, arrayCumSum(steps) AS cs,
      ${shape.tokens ? "arrayConcat([steps[1]], arrayPopFront(heads))" : "heads"} AS h,
      toInt64(n) + ${padding} - ${k} + 1 AS w,
      arrayMap((x, hi, lo) -> (x + (hi - lo)) / ${shape.geoMean ? k : "1"},
        arraySlice(h, 1, greatest(w, 0)), arraySlice(cs, ${k}, greatest(w, 0)), arraySlice(cs, 1, greatest(w, 0))) AS wins,
      ${shape.tokens ? "cs[n + 1]" : "heads[1] + (cs[n] - cs[1])"} AS ll
    FROM (${perSession})`;
  const best = `SELECT sid, n, ll, wins, w, if(w > 0, arrayReduce('min', wins), nan) AS wll FROM (${windows})`;
  return `SELECT sid, n, ll, wll, if(w > 0, toInt64(arrayFirstIndex(x -> x <= wll + ${float(TIE_TOLERANCE)}, wins)) - 1, -1) AS wstart
    FROM (${best})`;
}

/** Columns of the scores work table. */
export const SCORE_COLUMNS = "sid UInt64, n UInt32, ll Float64, wll Float64, wstart Int64";

/**
 * Rarest first, as the in-process reference detector ranks (referenceRarity): by the rarest window's
 * log-likelihood, or the whole session's when no window fits; then whole-session log-likelihood, session id.
 */
export const RANK_ORDER = "if(isNaN(wll), ll, wll), ll, sid";

/** Every session's scores joined to its identity, times and commands (the rows of --out-table). */
export function scoredSessionsQuery(scores: string, sessions: string, identityCount: number): string {
  const keys = identityKeys(identityCount).join(", ");
  return `SELECT * FROM ${scores} ANY INNER JOIN (SELECT sid, ${keys}, start_us, end_us, cmds FROM ${sessions}) AS known USING sid`;
}

/** Count rows of the sessions table, in name order so the vocabularies are the same on every run. */
export interface CountQueries {
  readonly sessions: string;
  readonly commands: string;
  readonly first: string;
  readonly last: string;
  /** Transitions inside sessions (START and END are the counts builder's). */
  readonly transitions: string;
  readonly cmdParam: string;
  readonly paramValue: string;
}

/**
 * Raw counts from the sessions table (or a Distributed table over every shard's): one GROUP BY each, each a
 * single query level, so that over shards the GROUP BY runs on each and only the counts travel.
 */
export function countQueries(sessions: string): CountQueries {
  return {
    sessions: `SELECT count() FROM ${sessions}`,
    commands: `SELECT c, count() FROM ${sessions} ARRAY JOIN cmds AS c GROUP BY c ORDER BY c`,
    first: `SELECT cmds[1] AS c, count() FROM ${sessions} GROUP BY c ORDER BY c`,
    last: `SELECT cmds[length(cmds)] AS c, count() FROM ${sessions} GROUP BY c ORDER BY c`,
    transitions: `SELECT a, b, count() FROM ${sessions}
      ARRAY JOIN arrayPopBack(cmds) AS a, arrayPopFront(cmds) AS b GROUP BY a, b ORDER BY a, b`,
    cmdParam: `SELECT c, arrayJoin(ns) AS p, count() FROM ${sessions} ARRAY JOIN cmds AS c, names AS ns
      GROUP BY c, p ORDER BY c, p`,
    paramValue: `SELECT (arrayJoin(arrayFilter((x, y) -> y != '', arrayMap((x, y) -> (x, y), ns, vs), vs)) AS pv).1 AS p,
        pv.2 AS v, count() FROM ${sessions} ARRAY JOIN names AS ns, vals AS vs GROUP BY p, v ORDER BY p, v`,
  };
}
