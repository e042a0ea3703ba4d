import { SeqhuntError } from "../errors.js";
import type { SessionizeOptions, SessionRow } from "../types.js";
import { IdentityGroups, rankTuples, sortEvents } from "./order.js";
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

/** Names Object.prototype answers to (`constructor`, `toString`, `__proto__`...). */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Builds sessions' output rows with the reference's column names, all of one shape. */
function rowMaker(options: SessionizeOptions): (session: BuiltSession<unknown>) => SessionRow {
  const { userIdentifierCols, timeCol, eventCol } = options;
  const ids = userIdentifierCols.length;
  const keys = [
    ...userIdentifierCols,
    `${timeCol}_min`,
    `${timeCol}_max`,
    `${eventCol}_list`,
    "duration",
    "number_events",
  ];
  const key = (i: number) => keys[i] as string;
  // Defined, not assigned: a column named __proto__ must be an ordinary own key, not set the prototype.
  const template: Record<string, unknown> = {};
  for (const k of keys)
    Object.defineProperty(template, k, { value: null, enumerable: true, writable: true, configurable: true });
  return (session) => {
    // Spreading copies the keys as own data properties, so the assignments below only update them.
    const row: Record<string, unknown> = { ...template };
    for (let i = 0; i < ids; i++) row[key(i)] = session.identity[i] ?? null;
    row[key(ids)] = microsToDate(session.startMicros);
    row[key(ids + 1)] = microsToDate(session.endMicros);
    row[key(ids + 2)] = session.events;
    row[key(ids + 3)] = (session.endMicros - session.startMicros) / 1000;
    row[key(ids + 4)] = session.events.length;
    return row as SessionRow;
  };
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
  // Long because column reads stay at their own sites for monomorphic property loads (see the comment below), a measured speed-up.
  if (!Array.isArray(rows)) throw new SeqhuntError("rows must be an array of objects");
  const { userIdentifierCols, timeCol, eventCol } = options;
  if (!Array.isArray(userIdentifierCols) || userIdentifierCols.some((c) => typeof c !== "string")) {
    throw new SeqhuntError("userIdentifierCols must be a list of column names", {
      field: "userIdentifierCols",
    });
  }
  checkLimits(options);
  const n = rows.length;
  const groupOf = new Int32Array(n);
  const times = new Float64Array(n);
  // Read in input order once: the sorted walk below then touches only these dense arrays.
  const events: unknown[] = new Array(n);
  // Each column is read at its own site (not through a shared reader), so each property load stays monomorphic.
  const timeInherited = INHERITED.has(timeCol);
  const eventInherited = INHERITED.has(eventCol);
  const identityColumns = userIdentifierCols.map(() => new Array<unknown>(n));
  const firstIdentity = userIdentifierCols[0] ?? "";
  const firstInherited = INHERITED.has(firstIdentity);
  const firstColumn = identityColumns[0] ?? [];
  const identities = userIdentifierCols.length;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row === null || typeof row !== "object")
      throw new SeqhuntError(`row ${i} is not an object`, { row: i });
    const rawTime = timeInherited ? own(row, timeCol) : row[timeCol];
    const time = toMicros(rawTime);
    if (Number.isNaN(time)) {
      throw new SeqhuntError(
        `row ${i}: column ${JSON.stringify(timeCol)} is not a time: ${JSON.stringify(String(rawTime))}`,
        { row: i, field: timeCol },
      );
    }
    const event = eventInherited ? own(row, eventCol) : row[eventCol];
    if (event === undefined && !Object.hasOwn(row, eventCol)) {
      throw new SeqhuntError(`row ${i} has no column ${JSON.stringify(eventCol)}`, {
        row: i,
        field: eventCol,
      });
    }
    events[i] = event;
    times[i] = time;
    if (identities === 0) continue;
    firstColumn[i] = firstInherited ? own(row, firstIdentity) : row[firstIdentity];
    for (let c = 1; c < identities; c++) {
      const col = userIdentifierCols[c] as string;
      (identityColumns[c] as unknown[])[i] = own(row, col);
    }
  }
  // Grouping in a pass of its own keeps the loop over scattered rows short, so the CPU overlaps their cache misses.
  const groups = new IdentityGroups<number>();
  if (identities === 1) for (let i = 0; i < n; i++) groupOf[i] = groups.idOfValue(firstColumn[i]);
  else {
    const readColumn = identityColumns.map((column) => (i: number) => column[i]);
    for (let i = 0; i < n; i++) groupOf[i] = groups.idOf(i, readColumn);
  }
  const tuples = groups.tuples;
  const rank = rankTuples(tuples, compareIdentityValues);
  const out: SessionRow[] = [];
  const makeRow = rowMaker(options);
  const sessionizer = new Sessionizer<unknown>(options, (s) => out.push(makeRow(s)));
  sessionizer.pushSorted(tuples, sortEvents(groupOf, rank, times, events));
  sessionizer.finish();
  return out;
}
