/** Interns strings to dense integer ids, once; lookups never grow it. */
export class Vocabulary {
  private readonly idOf = new Map<string, number>();
  private readonly names: string[] = [];

  constructor(reserved: readonly string[] = []) {
    for (const name of reserved) this.intern(name);
  }

  /** Number of distinct strings. */
  get size(): number {
    return this.names.length;
  }

  /** The id of `name`, adding it when new. */
  intern(name: string): number {
    let id = this.idOf.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.idOf.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  /** Interns `name` when new (one hash lookup, for loading long lists); false, changing nothing, when it was not. */
  internNew(name: string): boolean {
    const size = this.idOf.size;
    this.idOf.set(name, this.names.length);
    if (this.idOf.size === size) {
      // Seen before: its first id back (rare, and the caller refuses the list).
      this.idOf.set(name, this.names.indexOf(name));
      return false;
    }
    this.names.push(name);
    return true;
  }

  /** The id of `name`, or `missing` when it was never interned. */
  lookup(name: string, missing: number): number {
    return this.idOf.get(name) ?? missing;
  }

  /** The string behind an id. */
  name(id: number): string {
    const name = this.names[id];
    if (name === undefined) throw new RangeError(`no string has id ${id}`);
    return name;
  }

  /** All strings, in id order. */
  list(): readonly string[] {
    return this.names;
  }

  /** A copy that can grow independently. */
  clone(): Vocabulary {
    return new Vocabulary(this.names);
  }
}
