import { SeqhuntError } from "../errors.js";
import type { SessionizeOptions, SessionRow } from "../types.js";
import { IdentityGroups, sortRows } from "./order.js";
import { type BuiltSession, checkLimits, Sessionizer } from "./sessionizer.js";
import { microsToDate, toMicros } from "./time.js";

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

/** A row's own value of a column; inherited properties (a column named `constructor`, say) are not values. */
function own(row: Readonly<Record<string, unknown>>, key: string): unknown {
  const value = row[key];
  // Only keys that Object.prototype has need the slower own-property check.
  return value !== undefined && INHERITED.has(key) && !Object.hasOwn(row, key) ? undefined : value;
}

/** A reader of one column's own values, with the inherited-name check decided once for the column. */
function columnReader(key: string): (row: Readonly<Record<string, unknown>>) => unknown {
  if (INHERITED.has(key)) return (row) => own(row, key);
  return (row) => row[key];
}

/** Names Object.prototype answers to (`constructor`, `toString`, `__proto__`...). */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Builds the output row of one session, with the reference's column names. */
export function sessionRow(session: BuiltSession<unknown>, options: SessionizeOptions): SessionRow {
  const row: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    // A column named __proto__ must stay an ordinary own key; assignment would set the prototype.
    if (key === "__proto__")
      Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
    else row[key] = value;
  };
  options.userIdentifierCols.forEach((col, i) => {
    put(col, session.identity[i] ?? null);
  });
  put(`${options.timeCol}_min`, microsToDate(session.startMicros));
  put(`${options.timeCol}_max`, microsToDate(session.endMicros));
  put(`${options.eventCol}_list`, session.events);
  put("duration", (session.endMicros - session.startMicros) / 1000);
  put("number_events", session.events.length);
  return row as SessionRow;
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
  const groups = new IdentityGroups<Readonly<Record<string, unknown>>>();
  const groupOf = new Int32Array(n);
  const times = new Float64Array(n);
  // Read in input order once: the sorted walk below then touches only these dense arrays.
  const events: unknown[] = new Array(n);
  const readTime = columnReader(timeCol);
  const readEvent = columnReader(eventCol);
  const readIdentity = userIdentifierCols.map(columnReader);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row === null || typeof row !== "object")
      throw new SeqhuntError(`row ${i} is not an object`, { row: i });
    const time = toMicros(readTime(row));
    if (Number.isNaN(time)) {
      throw new SeqhuntError(
        `row ${i}: column ${JSON.stringify(timeCol)} is not a time: ${JSON.stringify(String(own(row, timeCol)))}`,
        { row: i, field: timeCol },
      );
    }
    const event = readEvent(row);
    if (event === undefined && !Object.hasOwn(row, eventCol)) {
      throw new SeqhuntError(`row ${i} has no column ${JSON.stringify(eventCol)}`, {
        row: i,
        field: eventCol,
      });
    }
    events[i] = event;
    times[i] = time;
    groupOf[i] = groups.idOf(row, readIdentity);
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
  const order = sortRows(groupOf, rank, times);
  const out: SessionRow[] = [];
  const sessionizer = new Sessionizer<unknown>(options, (s) => out.push(sessionRow(s, options)));
  for (const i of order) {
    sessionizer.push(tuples[groupOf[i] as number] as unknown[], times[i] as number, events[i]);
  }
  sessionizer.finish();
  return out;
}
