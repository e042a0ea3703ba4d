import { PairCounts } from "./pair-counts.js";

/** Largest rows x columns held as a dense array (8 MB of doubles); larger tables hash their entries. */
const DENSE_CELLS = 1 << 20;

/**
 * A read-mostly table of numbers keyed by (row, column) ids, for the scoring loops: a dense array
 * (NaN where absent) when rows x columns is small, one lookup then, else an open-addressing hash.
 */
export class PairTable {
  readonly #dense: Float64Array | null;
  readonly #rows: number;
  readonly #columns: number;
  readonly #entries = new PairCounts();

  /** Rows and columns are the id ranges of the entries; ids looked up may lie beyond them (absent then). */
  constructor(rows: number, columns: number) {
    this.#rows = rows;
    this.#columns = columns;
    this.#dense = rows * columns <= DENSE_CELLS ? new Float64Array(rows * columns).fill(Number.NaN) : null;
  }

  /** The dense array (NaN where absent) and its ranges, for loops that read it in place; null when hashed. */
  get dense(): { readonly cells: Float64Array; readonly rows: number; readonly columns: number } | null {
    return this.#dense === null ? null : { cells: this.#dense, rows: this.#rows, columns: this.#columns };
  }

  /** Sets an entry (once per pair; -0 reads back as 0). */
  set(row: number, col: number, value: number): void {
    this.#entries.add(row, col, value);
    if (this.#dense !== null) this.#dense[row * this.#columns + col] = value;
  }

  /** The entry, or `missing` when it was never set. */
  get(row: number, col: number, missing: number): number {
    if (this.#dense === null) return this.#entries.lookup(row, col, missing);
    // Ids outside the ranges (a vocabulary grown after the table was made, or negative) have no entry;
    // >>> 0 turns a negative id into a huge one, so one comparison per id covers both.
    if (row >>> 0 >= this.#rows || col >>> 0 >= this.#columns) return missing;
    const value = this.#dense[row * this.#columns + col] as number;
    return Number.isNaN(value) ? missing : value;
  }

  /** Calls `fn(row, col, value)` for every entry, grouped by row. */
  forEach(fn: (row: number, col: number, value: number) => void): void {
    this.#entries.forEach(fn);
  }
}
