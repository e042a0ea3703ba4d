/**
 * A hash map from whole-number keys below 2^53 to numbers, in typed arrays, iterated in insertion order:
 * the chain counts' keys (a context node times 2^21 plus a token) are beyond V8's small integers, so a `Map`
 * boxes each one it is asked about; here a lookup allocates nothing.
 */
export class NumberTable {
  #keys = new Float64Array(1024);
  #values = new Float64Array(1024);
  #size = 0;
  /** Open addressing, linear probing: each slot holds an entry's index, or -1. */
  #slots = new Int32Array(2048).fill(-1);

  /** How many keys the table holds. */
  get size(): number {
    return this.#size;
  }

  #slot(key: number): number {
    const lo = key >>> 0;
    const hi = (key - lo) / 4294967296;
    let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
    h ^= h >>> 15;
    const mask = this.#slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const entry = this.#slots[slot] as number;
      if (entry < 0 || this.#keys[entry] === key) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** The number under `key`, or undefined. */
  get(key: number): number | undefined {
    const entry = this.#slots[this.#slot(key)] as number;
    return entry < 0 ? undefined : this.#values[entry];
  }

  /** Puts `value` under `key` (a new key goes last in the order). */
  set(key: number, value: number): void {
    const slot = this.#slot(key);
    const entry = this.#slots[slot] as number;
    if (entry >= 0) {
      this.#values[entry] = value;
      return;
    }
    if (this.#size === this.#keys.length) {
      const keys = new Float64Array(this.#keys.length * 2);
      keys.set(this.#keys);
      this.#keys = keys;
      const values = new Float64Array(this.#values.length * 2);
      values.set(this.#values);
      this.#values = values;
    }
    this.#keys[this.#size] = key;
    this.#values[this.#size] = value;
    this.#slots[slot] = this.#size++;
    if (this.#size * 2 > this.#slots.length) this.#grow();
  }

  /** Makes room for `count` keys in all, so that adding that many grows nothing on the way. */
  reserve(count: number): void {
    if (count <= this.#keys.length) return;
    const keys = new Float64Array(count);
    keys.set(this.#keys.subarray(0, this.#size));
    this.#keys = keys;
    const values = new Float64Array(count);
    values.set(this.#values.subarray(0, this.#size));
    this.#values = values;
    let slots = this.#slots.length;
    while (count * 2 > slots) slots *= 2;
    this.#grow(slots);
  }

  #grow(slots = this.#slots.length * 2): void {
    this.#slots = new Int32Array(slots).fill(-1);
    for (let entry = 0; entry < this.#size; entry++)
      this.#slots[this.#slot(this.#keys[entry] as number)] = entry;
  }

  /** The keys and their numbers in insertion order, as two arrays (copies: they may cross threads). */
  arrays(): { readonly keys: Float64Array; readonly values: Float64Array } {
    return { keys: this.#keys.slice(0, this.#size), values: this.#values.slice(0, this.#size) };
  }

  /** The keys with their numbers, in insertion order. */
  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (let entry = 0; entry < this.#size; entry++)
      yield [this.#keys[entry] as number, this.#values[entry] as number];
  }
}
