import { compareCodePoints, IdentityGroups, rankTuples, sortEvents } from "../sessionize/order.js";
import type { Command } from "../types.js";

type Row = readonly unknown[];
type Sink = (identity: readonly (string | null)[], timeMicros: number, command: Command) => void;

/** Orders identity values as DuckDB's `ORDER BY ... NULLS LAST` does: text by code point, missing last. */
export function compareIdentityValue(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareCodePoints(String(a), String(b));
}

/**
 * Events held as they are read (file order), then handed over by identity, time and input order: the
 * order DuckDB's sort gives, without DuckDB numbering and sorting every row.
 */
export class HeldEvents {
  readonly #groups = new IdentityGroups<Row>();
  readonly #readers: ((row: Row) => unknown)[];
  readonly #offset: number;
  #groupOf = new Int32Array(4096);
  #times = new Float64Array(4096);
  readonly #commands: Command[] = [];

  /** `identityColumns` identity values sit in each row from index `offset` on. */
  constructor(identityColumns: number, offset: number) {
    this.#readers = Array.from({ length: identityColumns }, (_, i) => (row: Row) => row[offset + i]);
    this.#offset = offset;
  }

  /** Holds one event. */
  add(row: Row, timeMicros: number, command: Command): void {
    const n = this.#commands.length;
    if (n === this.#times.length) {
      const groupOf = new Int32Array(n * 2);
      groupOf.set(this.#groupOf);
      this.#groupOf = groupOf;
      const times = new Float64Array(n * 2);
      times.set(this.#times);
      this.#times = times;
    }
    // One identity column (the usual case) needs no per-column readers.
    this.#groupOf[n] =
      this.#readers.length === 1
        ? this.#groups.idOfValue(row[this.#offset])
        : this.#groups.idOf(row, this.#readers);
    this.#times[n] = timeMicros;
    this.#commands.push(command);
  }

  /** Hands every held event to `sink` in identity, time, input order; the same identity is the same array. */
  replay(sink: Sink): void {
    const n = this.#commands.length;
    const tuples = this.#groups.tuples as (string | null)[][];
    const rank = rankTuples(tuples, compareIdentityValue);
    const groupOf = this.#groupOf.subarray(0, n);
    const times = this.#times.subarray(0, n);
    const sorted = sortEvents(groupOf, rank, times, this.#commands);
    for (let k = 0; k < n; k++) {
      sink(
        tuples[sorted.groups[k] as number] as (string | null)[],
        sorted.times[k] as number,
        sorted.events[k] as Command,
      );
    }
  }
}
