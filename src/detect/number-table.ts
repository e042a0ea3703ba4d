/**
 * Whole-number keys below 2^53 numbered 0, 1, 2... in the order first put, in typed arrays: a lookup
 * allocates nothing, and an entry costs its key and a few bytes of hash slots (no object per entry).
 */
export class KeyIndex {
  #keys = new Float64Array(1024);
  #size = 0;
  /** Open addressing, linear probing: each slot holds an entry's index, or -1. */
  #slots = new Int32Array(2048).fill(-1);

  /** How many keys the index holds. */
  get size(): number {
    return this.#size;
  }

  /** The key numbered `index`. */
  keyAt(index: number): number {
    return this.#keys[index] as number;
  }

  static #hash(key: number): number {
    const lo = key >>> 0;
    const hi = (key - lo) / 4294967296;
    const h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
    return h ^ (h >>> 15);
  }

  #slot(key: number): number {
    const mask = this.#slots.length - 1;
    let slot = KeyIndex.#hash(key) & mask;
    for (;;) {
      const entry = this.#slots[slot] as number;
      if (entry < 0 || this.#keys[entry] === key) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** The number of `key`, or -1. */
  indexOf(key: number): number {
    return this.#slots[this.#slot(key)] as number;
  }

  /** The number of `key`, numbering it next when new. */
  put(key: number): number {
    const slot = this.#slot(key);
    const entry = this.#slots[slot] as number;
    if (entry >= 0) return entry;
    if (this.#size === this.#keys.length) this.#keys = grown(this.#keys, this.#size + 1);
    this.#keys[this.#size] = key;
    this.#slots[slot] = this.#size++;
    if (this.#size * 2 > this.#slots.length) this.#grow();
    return this.#size - 1;
  }

  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    // Keys are distinct: each goes to the first free slot from its hash, no key compared.
    for (let entry = 0; entry < this.#size; entry++) {
      let slot = KeyIndex.#hash(this.#keys[entry] as number) & mask;
      while ((slots[slot] as number) >= 0) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.#slots = slots;
  }

  /** Lets go of the room kept for keys not yet put (a later put grows it again). */
  trim(): void {
    if (this.#keys.length > this.#size) this.#keys = this.#keys.slice(0, this.#size);
  }
}

/**
 * A copy of `array` with room for at least `needed` entries, half as large again: doubling left up to half
 * of the largest arrays (tens of millions of context nodes) empty.
 */
export function grown<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(
  array: T,
  needed: number,
): T {
  const out = new (array.constructor as new (n: number) => T)(
    Math.max(needed, Math.ceil(array.length * 1.5), 1024),
  );
  out.set(array);
  return out;
}

/**
 * A hash map from whole-number keys below 2^53 to numbers, in typed arrays, iterated in insertion order:
 * the chain counts' keys (a context node times 2^21 plus a token) are beyond V8's small integers, so a `Map`
 * boxes each one it is asked about; here a lookup allocates nothing.
 */
export class NumberTable {
  readonly #index = new KeyIndex();
  #values = new Float64Array(1024);

  /** How many keys the table holds. */
  get size(): number {
    return this.#index.size;
  }

  /** The number under `key`, or undefined. */
  get(key: number): number | undefined {
    const entry = this.#index.indexOf(key);
    return entry < 0 ? undefined : this.#values[entry];
  }

  /** Puts `value` under `key` (a new key goes last in the order). */
  set(key: number, value: number): void {
    const entry = this.#index.put(key);
    if (entry >= this.#values.length) this.#values = grown(this.#values, entry + 1);
    this.#values[entry] = value;
  }

  /** The keys with their numbers, in insertion order. */
  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (let entry = 0; entry < this.#index.size; entry++)
      yield [this.#index.keyAt(entry), this.#values[entry] as number];
  }
}
