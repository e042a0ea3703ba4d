/**
 * Orders rows by identity then time, ties in input order, on dense arrays: what both the in-memory
 * `sessionize` and the file reader (when it sorts in memory) hand to the one Sessionizer.
 */

/** Missing identity values (null, undefined, NaN) are one shared value: null. */
function normalizeIdentity(value: unknown): unknown {
  return value === undefined || value === null || (typeof value === "number" && Number.isNaN(value))
    ? null
    : value;
}

/** Compares two strings by Unicode code point (UTF-8 byte order, as DuckDB sorts text), not UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (supplementary code points) rank above U+E000..U+FFFF, not below.
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Each group's rank when the identity tuples are ordered column by column with `compare`. */
export function rankTuples(
  tuples: readonly (readonly unknown[])[],
  compare: (a: unknown, b: unknown) => number,
): Int32Array {
  const byIdentity = tuples.map((_, g) => g);
  byIdentity.sort((a, b) => {
    const x = tuples[a] as readonly unknown[];
    const y = tuples[b] as readonly unknown[];
    for (let c = 0; c < x.length; c++) {
      const d = compare(x[c], y[c]);
      if (d !== 0) return d;
    }
    return 0;
  });
  const rank = new Int32Array(tuples.length);
  byIdentity.forEach((g, r) => {
    rank[g] = r;
  });
  return rank;
}

/** Events ordered by identity (group rank), then time, then input order, as dense columns. */
export interface SortedEvents<E> {
  /** Group of each event. */
  readonly groups: Int32Array;
  /** Time of each event. */
  readonly times: Float64Array;
  /** The events. */
  readonly events: E[];
}

/**
 * Orders events by group rank, then time, then input order: a counting sort by group (stable) that moves
 * the times and events along with it (reading in input order, writing to one run per group, so memory is
 * touched in order), then a sort by time only inside groups that are not already in time order.
 */
export function sortEvents<E>(
  groupOf: Int32Array,
  rank: Int32Array,
  times: Float64Array,
  events: readonly E[],
): SortedEvents<E> {
  const groups = rank.length;
  const n = groupOf.length;
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) {
    const slot = (rank[groupOf[i] as number] as number) + 1;
    start[slot] = (start[slot] as number) + 1;
  }
  for (let r = 0; r < groups; r++) start[r + 1] = (start[r + 1] as number) + (start[r] as number);
  const fill = start.slice(0, groups);
  const sorted = { groups: new Int32Array(n), times: new Float64Array(n), events: new Array<E>(n) };
  for (let i = 0; i < n; i++) {
    const at = (fill[rank[groupOf[i] as number] as number] as number)++;
    sorted.times[at] = times[i] as number;
    sorted.events[at] = events[i] as E;
  }
  const byRank = new Int32Array(groups);
  for (let g = 0; g < groups; g++) byRank[rank[g] as number] = g;
  let largest = 0;
  for (let r = 0; r < groups; r++) {
    const from = start[r] as number;
    const to = start[r + 1] as number;
    sorted.groups.fill(byRank[r] as number, from, to);
    largest = Math.max(largest, to - from);
  }
  // Scratch shared by every group's sort, as long as the largest group.
  const scratch: GroupScratch<E> = {
    keys: new Float64Array(largest),
    times: new Float64Array(largest),
    events: new Array<E>(largest),
  };
  for (let r = 0; r < groups; r++) {
    const from = start[r] as number;
    const to = start[r + 1] as number;
    let inOrder = true;
    for (let k = from + 1; k < to && inOrder; k++)
      inOrder = (sorted.times[k] as number) >= (sorted.times[k - 1] as number);
    if (!inOrder) sortGroupByTime(sorted, from, to, scratch);
  }
  return sorted;
}

interface GroupScratch<E> {
  readonly keys: Float64Array;
  readonly times: Float64Array;
  readonly events: E[];
}

/**
 * Sorts `sorted.times[from..to)` (one group, in input order) and its events by time, ties in input order.
 * When the times are whole numbers and the group's time span times its size fits in a double's 53 bits,
 * each event becomes one exact number (time offset x size + position) and a native numeric sort does it;
 * otherwise a comparator sorts the positions.
 */
function sortGroupByTime<E>(
  sorted: SortedEvents<E>,
  from: number,
  to: number,
  scratch: GroupScratch<E>,
): void {
  const n = to - from;
  const { keys } = scratch;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (let k = 0; k < n; k++) {
    const t = sorted.times[from + k] as number;
    scratch.times[k] = t;
    scratch.events[k] = sorted.events[from + k] as E;
    if (t < min) min = t;
    if (t > max) max = t;
    if (t !== Math.floor(t)) integral = false;
  }
  // keys[k] ends as the group position of the event that goes k-th.
  if (integral && (max - min + 1) * n < Number.MAX_SAFE_INTEGER) {
    for (let k = 0; k < n; k++) keys[k] = ((scratch.times[k] as number) - min) * n + k;
    keys.subarray(0, n).sort();
    for (let k = 0; k < n; k++) {
      const key = keys[k] as number;
      // key mod n, cheaper than % on doubles, and exact: below 2^53 the rounded quotient never reaches the next whole number.
      keys[k] = key - Math.floor(key / n) * n;
    }
  } else {
    const byTime = Array.from({ length: n }, (_, k) => k).sort(
      (a, b) => (scratch.times[a] as number) - (scratch.times[b] as number) || a - b,
    );
    for (let k = 0; k < n; k++) keys[k] = byTime[k] as number;
  }
  for (let k = 0; k < n; k++) {
    const at = keys[k] as number;
    sorted.times[from + k] = scratch.times[at] as number;
    sorted.events[from + k] = scratch.events[at] as E;
  }
}

/** Interns identity tuples to group ids with nested Maps (no string building, `__proto__`-safe). */
export class IdentityGroups<R> {
  readonly tuples: unknown[][] = [];
  readonly #root = new Map<unknown, unknown>();

  /** The group of a one-column identity value: {@link idOf} without the per-column readers. */
  idOfValue(value: unknown): number {
    const key = normalizeIdentity(value);
    let id = this.#root.get(key) as number | undefined;
    if (id === undefined) {
      id = this.tuples.length;
      this.tuples.push([key]);
      this.#root.set(key, id);
    }
    return id;
  }

  /** The group of a row; walks one Map level per identity column and allocates only for a new group. */
  idOf(row: R, cols: readonly ((row: R) => unknown)[]): number {
    let level = this.#root;
    const last = cols.length - 1;
    for (let i = 0; i < last; i++) {
      const key = normalizeIdentity((cols[i] as (r: R) => unknown)(row));
      let next = level.get(key) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(key, next);
      }
      level = next;
    }
    const lastKey = last < 0 ? null : normalizeIdentity((cols[last] as (r: R) => unknown)(row));
    let id = level.get(lastKey) as number | undefined;
    if (id === undefined) {
      id = this.tuples.length;
      this.tuples.push(cols.map((read) => normalizeIdentity(read(row))));
      level.set(lastKey, id);
    }
    return id;
  }
}
