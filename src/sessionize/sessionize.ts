import { SeqhuntError } from "../errors.js";
import type { SessionizeOptions, SessionRow } from "../types.js";
import { type BuiltSession, checkLimits, Sessionizer } from "./sessionizer.js";
import { microsToDate, toMicros } from "./time.js";

/** Missing identity values (null, undefined, NaN) are one shared value: null. */
export function normalizeIdentity(value: unknown): unknown {
  return value === undefined || value === null || (typeof value === "number" && Number.isNaN(value))
    ? null
    : value;
}

/** Orders identity values as pandas sorts them: missing last, numbers by value, text by code unit. */
export function compareIdentityValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function own(row: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(row, key) ? row[key] : undefined;
}

/** Interns identity tuples to group ids with nested Maps (no string building, `__proto__`-safe). */
class IdentityGroups {
  readonly tuples: unknown[][] = [];
  readonly #root = new Map<unknown, unknown>();

  idOf(tuple: unknown[]): number {
    let level = this.#root;
    for (let i = 0; i < tuple.length - 1; i++) {
      let next = level.get(tuple[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(tuple[i], next);
      }
      level = next;
    }
    const lastKey = tuple.length === 0 ? null : tuple[tuple.length - 1];
    let id = level.get(lastKey) as number | undefined;
    if (id === undefined) {
      id = this.tuples.length;
      this.tuples.push(tuple);
      level.set(lastKey, id);
    }
    return id;
  }
}

/** Builds the output row of one session, with the reference's column names. */
export function sessionRow(session: BuiltSession<unknown>, options: SessionizeOptions): SessionRow {
  const entries: [string, unknown][] = options.userIdentifierCols.map((col, i) => [
    col,
    session.identity[i] ?? null,
  ]);
  entries.push(
    [`${options.timeCol}_min`, microsToDate(session.startMicros)],
    [`${options.timeCol}_max`, microsToDate(session.endMicros)],
    [`${options.eventCol}_list`, session.events],
    ["duration", (session.endMicros - session.startMicros) / 1000],
    ["number_events", session.events.length],
  );
  return Object.fromEntries(entries);
}

/**
 * Splits event rows into sessions, as the reference's `sessionize_data`: rows are sorted by the identity
 * columns then time (stable: equal times keep input order), and a session ends when the identity changes,
 * the gap between two events is greater than `maxEventSeparationMins`, or the session would last longer
 * than `maxSessionTimeMins`. Returns one row per session: identity columns, `<timeCol>_min`,
 * `<timeCol>_max` (Dates), `<eventCol>_list`, `duration` (milliseconds) and `number_events`.
 */
export function sessionize(
  rows: readonly Readonly<Record<string, unknown>>[],
  options: SessionizeOptions,
): SessionRow[] {
  if (!Array.isArray(rows)) throw new SeqhuntError("rows must be an array of objects");
  const { userIdentifierCols, timeCol, eventCol } = options;
  if (!Array.isArray(userIdentifierCols) || userIdentifierCols.some((c) => typeof c !== "string")) {
    throw new SeqhuntError("userIdentifierCols must be a list of column names", {
      field: "userIdentifierCols",
    });
  }
  checkLimits(options);
  const n = rows.length;
  const groups = new IdentityGroups();
  const groupOf = new Int32Array(n);
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row === null || typeof row !== "object")
      throw new SeqhuntError(`row ${i} is not an object`, { row: i });
    const time = toMicros(own(row, timeCol));
    if (Number.isNaN(time)) {
      throw new SeqhuntError(
        `row ${i}: column ${JSON.stringify(timeCol)} is not a time: ${JSON.stringify(String(own(row, timeCol)))}`,
        { row: i, field: timeCol },
      );
    }
    if (!Object.hasOwn(row, eventCol)) {
      throw new SeqhuntError(`row ${i} has no column ${JSON.stringify(eventCol)}`, {
        row: i,
        field: eventCol,
      });
    }
    times[i] = time;
    groupOf[i] = groups.idOf(userIdentifierCols.map((col) => normalizeIdentity(own(row, col))));
  }
  const tuples = groups.tuples;
  const byIdentity = tuples.map((_, g) => g);
  byIdentity.sort((a, b) => {
    const x = tuples[a] as unknown[];
    const y = tuples[b] as unknown[];
    for (let c = 0; c < x.length; c++) {
      const d = compareIdentityValues(x[c], y[c]);
      if (d !== 0) return d;
    }
    return 0;
  });
  const rank = new Int32Array(tuples.length);
  byIdentity.forEach((g, r) => {
    rank[g] = r;
  });
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(
    (a, b) =>
      (rank[groupOf[a] as number] as number) - (rank[groupOf[b] as number] as number) ||
      (times[a] as number) - (times[b] as number) ||
      a - b,
  );
  const out: SessionRow[] = [];
  const sessionizer = new Sessionizer<unknown>(options, (s) => out.push(sessionRow(s, options)));
  for (const i of order) {
    sessionizer.push(
      tuples[groupOf[i] as number] as unknown[],
      times[i] as number,
      (rows[i] as Record<string, unknown>)[eventCol],
    );
  }
  sessionizer.finish();
  return out;
}
