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

/**
 * Row indices ordered by group rank, then time, then input order: a counting sort by group (stable),
 * then a sort by time only inside groups whose rows are not already in time order.
 */
export function sortRows(groupOf: Int32Array, rank: Int32Array, times: Float64Array): Uint32Array {
  const groups = rank.length;
  const n = groupOf.length;
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) {
    const slot = (rank[groupOf[i] as number] as number) + 1;
    start[slot] = (start[slot] as number) + 1;
  }
  for (let r = 0; r < groups; r++) start[r + 1] = (start[r + 1] as number) + (start[r] as number);
  const fill = start.slice(0, groups);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[(fill[rank[groupOf[i] as number] as number] as number)++] = i;
  // Scratch shared by every group's sort (keys, and the group's indices before sorting), as long as the largest group.
  let largest = 0;
  for (let r = 0; r < groups; r++)
    largest = Math.max(largest, (start[r + 1] as number) - (start[r] as number));
  const keys = new Float64Array(largest);
  const before = new Uint32Array(largest);
  for (let r = 0; r < groups; r++) {
    const from = start[r] as number;
    const to = start[r + 1] as number;
    let sorted = true;
    for (let k = from + 1; k < to && sorted; k++)
      sorted = (times[order[k] as number] as number) >= (times[order[k - 1] as number] as number);
    if (!sorted) sortGroupByTime(order, from, to, times, keys, before);
  }
  return order;
}

/**
 * Sorts `order[from..to)` (row indices in input order) by time, ties in input order. When the times are
 * whole numbers and the group's time span times its size fits in a double's 53 bits, each row becomes one exact number
 * (time offset x size + position) and a native numeric sort does it; otherwise a comparator sort.
 */
function sortGroupByTime(
  order: Uint32Array,
  from: number,
  to: number,
  times: Float64Array,
  keys: Float64Array,
  before: Uint32Array,
): void {
  const n = to - from;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (let k = from; k < to; k++) {
    const t = times[order[k] as number] as number;
    if (t < min) min = t;
    if (t > max) max = t;
    if (t !== Math.floor(t)) integral = false;
  }
  if (integral && (max - min + 1) * n < Number.MAX_SAFE_INTEGER) {
    for (let k = 0; k < n; k++) {
      const row = order[from + k] as number;
      keys[k] = ((times[row] as number) - min) * n + k;
      before[k] = row;
    }
    keys.subarray(0, n).sort();
    for (let k = 0; k < n; k++) {
      const key = keys[k] as number;
      // key mod n, cheaper than % on doubles, and exact: below 2^53 the rounded quotient never reaches the next whole number.
      order[from + k] = before[key - Math.floor(key / n) * n] as number;
    }
    return;
  }
  order.subarray(from, to).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
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
