/**
 * SQL text that counts the default detector's statistics (markov-novelty: chain steps, presence sets,
 * novelty windows) from a sessions work table, on whichever server holds it (each shard its own). Each
 * statement writes its count rows into a work table, so shards count at once and the initiator then reads
 * them one shard after the other (the order names arrive in is then the same on every run). The tokens and
 * separators are the core's, imported; what is counted is checked against in-process training by the tests.
 */
import { CATEGORICAL, KEY_SEPARATOR } from "../../detect/base.js";
import { END_TOKEN, START_TOKEN } from "../../model/engine-access.js";
import { int, stringLiteral } from "./sql.js";

const SEP = stringLiteral(KEY_SEPARATOR);

/** The entity columns of the count tables: whether a session has one, and its text ("" when not). */
function entityColumns(entity: string | null): string {
  return entity === null
    ? "toUInt8(0) AS has, '' AS ent"
    : `toUInt8(isNotNull(${entity})) AS has, ifNull(${entity}, '') AS ent`;
}

/**
 * Each parameter's number of distinct values and, when there are at most {@link CATEGORICAL} of them, the
 * values (what decides which parameters are categorical once every shard's are added).
 */
export function parameterValuesQuery(sessions: string): string {
  return `SELECT p, uniqExact(v) AS nv, if(nv <= ${int(CATEGORICAL)}, groupUniqArray(v), emptyArrayString()) AS vs
  FROM (SELECT ns, vs0 FROM ${sessions} ARRAY JOIN names AS ns, vals AS vs0) ARRAY JOIN ns AS p, vs0 AS v
  GROUP BY p`;
}

/** What each session's presence tokens are made of, by the session type's parameter columns. */
export interface PresenceShape {
  readonly withParams: boolean;
  readonly withValues: boolean;
  /** `db`.`table` of the categorical parameters' names (column `p`), when values are read. */
  readonly categorical: string | null;
}

/** The name the categorical parameters' names go by in a query that starts with {@link categoricalNames}. */
const CATEGORICAL_NAMES = "__categorical";

/**
 * `WITH` the categorical parameters' names as one constant array (a scalar subquery, run once), when values
 * are read. Not `p IN table` inside the lambdas: current releases' analyzer mishandles sets built for `IN`
 * inside lambdas (ClickHouse issue 114581: always 0 in a derived table, when the lambda's arrays are constant).
 */
function categoricalNames(shape: PresenceShape): string {
  return shape.withValues && shape.categorical !== null
    ? `WITH (SELECT groupArray(p) FROM ${shape.categorical}) AS ${CATEGORICAL_NAMES} `
    : "";
}

/**
 * Each session's distinct presence tokens, sorted: its commands, `command SEP parameter` for each
 * parameter, and `command SEP parameter SEP value` for each categorical one. No lambda captures an array
 * but the categorical names (a constant: see {@link categoricalNames}) and a command's name (a scalar).
 */
function presenceTokensExpression(shape: PresenceShape): string {
  const parts = ["arrayMap(c -> [c], cmds)"];
  if (shape.withParams)
    parts.push(`arrayMap((c, ns) -> arrayMap(p -> concat(c, ${SEP}, p), ns), cmds, names)`);
  if (shape.withValues && shape.categorical !== null) {
    parts.push(`arrayMap((c, ns, vs) -> arrayMap((p, v) -> concat(c, ${SEP}, p, ${SEP}, v),
        arrayFilter((p, v) -> has(${CATEGORICAL_NAMES}, p), ns, vs), arrayFilter((v, p) -> has(${CATEGORICAL_NAMES}, p), vs, ns)), cmds, names, vals)`);
  }
  return `arraySort(arrayReduce('groupUniqArrayArray', arrayConcat(${parts.join(", ")})))`;
}

/** A JavaScript array index (`0` to 2^32 - 2, no leading zero): an object lists these keys first, in numeric order. */
const isArrayIndex = (p: string) =>
  `(match(${p}, '^(0|[1-9][0-9]{0,9})$') AND toUInt64OrZero(${p}) <= 4294967294)`;

/** The columns of {@link presenceFirstQuery}'s table, for `identityCount` identity columns. */
export function presenceFirstColumns(identityCount: number): string {
  const identity = Array.from({ length: identityCount }, () => "UInt8, String");
  return `tok String, first Tuple(${[...identity, "Int64, UInt32, UInt32"].join(", ")})`;
}

/**
 * Where each presence token first occurs, as a key that sorts as the sessions stream back (identity with
 * missing last, start) and then as in-process training meets a session's tokens: event by event, the
 * command, then each parameter and its categorical value in the order a JavaScript object lists them
 * (array-index names first). Ordering tokens by it gives them the ids in-process training gives them.
 */
export function presenceFirstQuery(sessions: string, identityCount: number, shape: PresenceShape): string {
  const identity = Array.from({ length: identityCount }, (_, i) => `isNull(i${i}), ifNull(i${i}, '')`);
  const key = `(${[...identity, "start_us", "toUInt32(e)", "toUInt32(sub)"].join(", ")})`;
  const tokens = ["[c]"];
  const subs = ["[toUInt32(0)]"];
  if (shape.withParams) {
    // A record of values lists array-index names first; a set of names keeps their order.
    const order = shape.withValues
      ? `(p, j) -> (NOT ${isArrayIndex("p")}, toUInt64OrZero(p), j)`
      : "(p, j) -> j";
    const ps = `arraySort(${order}, ns, arrayEnumerate(ns))`;
    const vs = `arraySort((v, p, j) -> (NOT ${isArrayIndex("p")}, toUInt64OrZero(p), j), vs0, ns, arrayEnumerate(ns))`;
    tokens.push(`arrayMap(p -> concat(c, ${SEP}, p), ${ps})`);
    subs.push(`arrayMap(r -> toUInt32(2 * r - 1), arrayEnumerate(${ps}))`);
    if (shape.withValues && shape.categorical !== null) {
      tokens.push(
        `arrayMap((p, v) -> concat(c, ${SEP}, p, ${SEP}, v), arrayFilter(p -> has(${CATEGORICAL_NAMES}, p), ${ps}), arrayFilter((v, p) -> has(${CATEGORICAL_NAMES}, p), ${vs}, ${ps}))`,
      );
      subs.push(
        `arrayMap(r -> toUInt32(2 * r), arrayFilter((r, p) -> has(${CATEGORICAL_NAMES}, p), arrayEnumerate(${ps}), ${ps}))`,
      );
    }
  }
  const keys = Array.from({ length: identityCount }, (_, i) => `i${i}`).join(", ");
  return `SELECT tok, min(${key}) AS first
  FROM (${categoricalNames(shape)}SELECT ${keys}, start_us, e, tok, sub
    FROM (SELECT ${keys}, start_us, c, e, ns, vs0 FROM ${sessions}
      ARRAY JOIN cmds AS c, ${shape.withParams ? "names" : "arrayMap(x -> emptyArrayString(), cmds)"} AS ns,
        ${shape.withValues ? "vals" : "arrayMap(x -> emptyArrayString(), cmds)"} AS vs0, arrayEnumerate(cmds) AS e)
    ARRAY JOIN arrayConcat(${tokens.join(", ")}) AS tok, arrayConcat(${subs.join(", ")}) AS sub)
  GROUP BY tok`;
}

/** How many sessions (per entity) hold each distinct set of presence tokens, into `into`. */
export function presenceSetsQuery(sessions: string, entity: string | null, shape: PresenceShape): string {
  return `SELECT has, ent, toks, count() AS n
  FROM (${categoricalNames(shape)}SELECT ${entityColumns(entity)}, ${presenceTokensExpression(shape)} AS toks FROM ${sessions})
  GROUP BY has, ent, toks`;
}

/** How often each step (previous token, next token) occurs per entity, sessions padded with START and END. */
export function chainStepsQuery(sessions: string, entity: string | null): string {
  return `SELECT has, ent, a, b, count() AS n
  FROM (SELECT ${entityColumns(entity)}, a, b FROM ${sessions}
    ARRAY JOIN arrayConcat([${stringLiteral(START_TOKEN)}], cmds) AS a, arrayConcat(cmds, [${stringLiteral(END_TOKEN)}]) AS b)
  GROUP BY has, ent, a, b`;
}

/**
 * How often each window of `window` padded tokens occurs (the whole padded session when shorter), keyed
 * by its tokens joined with the separator. The windows are `window` shifted slices zipped: no lambda
 * captures the session's array.
 */
export function noveltyWindowsQuery(sessions: string, window: number): string {
  const k = int(window);
  const slices = Array.from(
    { length: window },
    (_, i) => `arraySlice(p, ${i + 1}, greatest(length(p) - ${k} + 1, 0))`,
  );
  const args = Array.from({ length: window }, (_, i) => `t${i}`);
  // concat takes two arguments or more: a window of one command is the slice itself.
  const zipped =
    window === 1
      ? (slices[0] as string)
      : `arrayMap((${args.join(", ")}) -> concat(${args.join(`, ${SEP}, `)}), ${slices.join(", ")})`;
  const whole = `arrayStringConcat(p, ${SEP})`;
  return `SELECT w, count() AS n
  FROM (SELECT arrayJoin(if(length(p) < ${k}, [${whole}], ${zipped})) AS w
    FROM (SELECT arrayConcat([${stringLiteral(START_TOKEN)}], cmds, [${stringLiteral(END_TOKEN)}]) AS p FROM ${sessions}))
  GROUP BY w`;
}

/** The columns of the tables of first occurrences ({@link commandFirstQuery}, {@link contextStepsQuery}). */
function firstColumn(identityCount: number): string {
  const identity = Array.from({ length: identityCount }, () => "UInt8, String");
  return `first Tuple(${[...identity, "Int64, UInt32"].join(", ")})`;
}

/** The key of an occurrence at `step` of a session, sorting as the sessions stream back, then by step. */
function occurrenceKey(identityCount: number, step: string): string {
  const identity = Array.from({ length: identityCount }, (_, i) => `isNull(i${i}), ifNull(i${i}, '')`);
  return `(${[...identity, "start_us", `toUInt32(${step})`].join(", ")})`;
}

/** The columns of {@link commandFirstQuery}'s table, for `identityCount` identity columns. */
export function commandFirstColumns(identityCount: number): string {
  return `c String, ${firstColumn(identityCount)}`;
}

/**
 * Where each command first occurs, as a key that sorts as the sessions stream back (identity with missing
 * last, start), then by place: ordering commands by it gives them the ids in-process counting gives them.
 */
export function commandFirstQuery(sessions: string, identityCount: number): string {
  const keys = Array.from({ length: identityCount }, (_, i) => `i${i}`);
  return `SELECT c, min(${occurrenceKey(identityCount, "e")}) AS first
  FROM (SELECT ${[...keys, "start_us"].join(", ")}, c, e FROM ${sessions} ARRAY JOIN cmds AS c, arrayEnumerate(cmds) AS e)
  GROUP BY c`;
}

/** The columns of {@link contextStepsQuery}'s table, for `identityCount` identity columns. */
export function contextStepsColumns(identityCount: number): string {
  return `g Array(UInt32), n UInt64, ${firstColumn(identityCount)}`;
}

/**
 * The context chain's steps: for each step of each padded session, its token with the (up to) `maxOrder + 1`
 * tokens before it (at least 2), as ids (`vocabulary`: `db`.`table` of columns `name` and `id`, the padding tokens'
 * included), how often each such n-gram occurs and where it first occurs (see {@link commandFirstQuery}),
 * by step. Every count of the chain is a sum of these, and each of its contexts is first met where one of
 * them first occurs. The n-grams are shifted slices of the session behind pads, zipped: no lambda captures
 * an array but the vocabulary's two (constants, from scalar subqueries).
 */
export function contextStepsQuery(
  sessions: string,
  identityCount: number,
  options: { readonly maxOrder: number; readonly vocabulary: string },
): string {
  // Each step with the maxOrder + 1 tokens before it (at least 2): see ContextCountsBuilder.addStep.
  const before = Math.max(1, options.maxOrder) + 1;
  const k = int(before);
  const keys = Array.from({ length: identityCount }, (_, i) => `i${i}`);
  const pads = `[${Array.from({ length: before }, () => "toUInt32(0)").join(", ")}]`;
  const names = `arrayConcat([${stringLiteral(START_TOKEN)}], cmds, [${stringLiteral(END_TOKEN)}])`;
  const ids = `arrayMap(c -> transform(c, __names, __ids, toUInt32(0)), ${names})`;
  // Step i (1 ... commands + 1) with the tokens before it is q[i + 1 ... i + before + 1] of the pads and it.
  const slices = Array.from({ length: before + 1 }, (_, t) => `arraySlice(q, ${t + 2}, length(cmds) + 1)`);
  const args = Array.from({ length: before + 1 }, (_, t) => `t${t}`);
  const steps = `arrayMap((${args.join(", ")}, i) -> arraySlice([${args.join(", ")}], -1 - least(i, ${k})), ${slices.join(", ")}, arrayEnumerate(${slices[0]}))`;
  const vocabulary = `WITH (SELECT groupArray(name) FROM ${options.vocabulary}) AS __names,
      (SELECT groupArray(id) FROM ${options.vocabulary}) AS __ids `;
  return `SELECT g, count() AS n, min(${occurrenceKey(identityCount, "i")}) AS first
  FROM (SELECT ${keys.join(", ")}, start_us, g, i
    FROM (SELECT ${keys.join(", ")}, start_us, ${steps} AS gs
      FROM (${vocabulary}SELECT ${keys.join(", ")}, start_us, cmds, arrayConcat(${pads}, ${ids}) AS q FROM ${sessions}))
    ARRAY JOIN gs AS g, arrayEnumerate(gs) AS i)
  GROUP BY g`;
}
