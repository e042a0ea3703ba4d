import { UNK_TOKEN } from "./tokens.js";

/** What a {@link StateMatrix} reads from: its keys and an exact lookup (no fallback). */
export interface StateMatrixSource<V> {
  /** Number of keys. */
  readonly size: number;
  /** Every key, in a stable order. */
  keys(): Iterable<string>;
  /** The entry of `key`, or `undefined` when it is not a key. */
  lookup(key: string): V | undefined;
}

/**
 * A read-only table of the reference model (counts or probabilities), keyed by command, parameter
 * or value. Looking up an unseen key returns the `##UNK##` entry, at every level of a nested table.
 */
export class StateMatrix<V> implements Iterable<[string, V]> {
  readonly #source: StateMatrixSource<V>;

  constructor(source: StateMatrixSource<V>) {
    this.#source = source;
  }

  /** A table over a plain `Map` (for tests and tools). */
  static fromMap<T>(map: ReadonlyMap<string, T>): StateMatrix<T> {
    return new StateMatrix({ size: map.size, keys: () => map.keys(), lookup: (k) => map.get(k) });
  }

  /** Number of keys. */
  get size(): number {
    return this.#source.size;
  }

  /** The entry of `key`; an unseen key gets the `##UNK##` entry (undefined only if there is none). */
  get(key: string): V {
    const found = this.#source.lookup(key);
    if (found !== undefined) return found;
    return this.#source.lookup(UNK_TOKEN) as V;
  }

  /** Whether `key` is a key (no fallback). */
  has(key: string): boolean {
    return this.#source.lookup(key) !== undefined;
  }

  /** The keys. */
  keys(): IterableIterator<string> {
    return this.#source.keys()[Symbol.iterator]() as IterableIterator<string>;
  }

  /** The entries. */
  *values(): IterableIterator<V> {
    for (const key of this.#source.keys()) yield this.#source.lookup(key) as V;
  }

  /** Key-entry pairs. */
  *entries(): IterableIterator<[string, V]> {
    for (const key of this.#source.keys()) yield [key, this.#source.lookup(key) as V];
  }

  /** Iterates key-entry pairs, like a Map. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** A plain object (nested tables become nested objects); keys are set as own properties. */
  toJSON(): Record<string, unknown> {
    const entries: [string, unknown][] = [];
    for (const [key, value] of this.entries()) {
      entries.push([key, value instanceof StateMatrix ? value.toJSON() : value]);
    }
    return Object.fromEntries(entries);
  }
}
