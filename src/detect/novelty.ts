import { SeqhuntError } from "../errors.js";
import { END_TOKEN, START_TOKEN } from "../model/tokens.js";
import { KEY_SEPARATOR, namesOf, tokenWords, weightOf } from "./base.js";
import { grown } from "./number-table.js";
import type { StepContribution, WeightedSession } from "./types.js";

/** Separates the commands of a window inside one key (a command name never holds it). */
const SEP = KEY_SEPARATOR;

/**
 * Novelty counts as JSON: tokens by name once, windows as token ids, not their names joined,
 * so the file stays small and quick to read (a million events' views hold some 700,000 windows: 76 MB of
 * names against 14 MB of ids).
 */
export interface NoveltyJson {
  /** Commands per window. */
  readonly window: number;
  /** Tokens by id (the core's start and end tokens among them). */
  readonly names: readonly string[];
  /** Every window's token ids, `window` apart, a short window padded with -1, in the order first counted. */
  readonly ids: readonly number[];
  /** How often each window occurred in training (weighted), in the same order. */
  readonly counts: readonly number[];
}

/**
 * A novelty view's counts as held, to send to another thread: tokens by id and the window table's own arrays
 * (each window's ids, `window` apart, a short window padded with `pad`; its count; the hash slots), so the
 * copy is the same table without hashing a window again.
 */
export interface NoveltyParts {
  readonly window: number;
  readonly names: readonly string[];
  readonly table: HeldTable;
}

/** A {@link WindowTable}'s arrays as held (see {@link NoveltyParts}). */
interface HeldTable {
  readonly ids: Uint16Array | Int32Array;
  readonly pad: number;
  readonly counts: Float64Array<ArrayBuffer>;
  readonly size: number;
  readonly slots: Int32Array<ArrayBuffer>;
}

/** A distinct window of a session: where it starts in the session's ids, and how often it occurs there. */
interface SessionWindow {
  readonly at: number;
  n: number;
}

/**
 * A session's windows: its padded token ids, and each distinct window (by its key, see {@link keyUnits}) with
 * where it starts and how often it occurs, apart for windows at an edge (holding the start or end); `unseen`
 * reads the ids of tokens training never met.
 */
interface Windows {
  readonly ids: Int32Array;
  /** Tokens per window (the whole padded session when shorter than the view's window). */
  readonly length: number;
  readonly edge: Map<string, SessionWindow>;
  readonly inner: Map<string, SessionWindow>;
  readonly unseen: readonly string[];
}

/**
 * How often each window occurred in training, windows stored as their token ids in one typed array (no
 * string or object per window: a long hunt counts millions), numbered in the order first counted.
 */
class WindowTable {
  /**
   * Each window's ids, `width` apart, a short window padded with {@link WindowTable.#pad}: in 16 bits while
   * every id fits (a few hundred commands), widened to 32 at the first that does not.
   */
  #ids: Uint16Array | Int32Array;
  #pad = 0xffff;
  #counts = new Float64Array(1024);
  #size = 0;
  /** Open addressing, linear probing: each slot holds a window's number, or -1. */
  #slots = new Int32Array(2048).fill(-1);

  constructor(readonly width: number) {
    this.#ids = new Uint16Array(1024 * width);
  }

  /** How many windows the table holds. */
  get size(): number {
    return this.#size;
  }

  /** Whether every id of the window fits the ids array (one that does not was never stored). */
  #fits(ids: ArrayLike<number>, at: number, length: number): boolean {
    if (this.#pad === -1) return true;
    for (let i = 0; i < length; i++) if ((ids[at + i] as number) >= 0xffff) return false;
    return true;
  }

  #slot(ids: ArrayLike<number>, at: number, length: number): number {
    let h = 0x811c9dc5 ^ length;
    for (let i = 0; i < length; i++) h = Math.imul(h ^ (ids[at + i] as number), 0x01000193);
    h ^= h >>> 15;
    const mask = this.#slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot] as number;
      if (entry < 0 || this.#holds(entry, ids, at, length)) return slot;
    }
  }

  #holds(entry: number, ids: ArrayLike<number>, at: number, length: number): boolean {
    const from = entry * this.width;
    for (let i = 0; i < this.width; i++)
      if (this.#ids[from + i] !== (i < length ? ids[at + i] : this.#pad)) return false;
    return true;
  }

  /** The count of the window of `length` ids at `at` (0 when never counted). */
  count(ids: ArrayLike<number>, at: number, length: number): number {
    if (!this.#fits(ids, at, length)) return 0;
    const entry = this.#slots[this.#slot(ids, at, length)] as number;
    return entry < 0 ? 0 : (this.#counts[entry] as number);
  }

  /** Whether the window was counted. */
  has(ids: ArrayLike<number>, at: number, length: number): boolean {
    if (!this.#fits(ids, at, length)) return false;
    return (this.#slots[this.#slot(ids, at, length)] as number) >= 0;
  }

  /** Adds `n` to the window's count (a new window goes last in the order). */
  add(ids: ArrayLike<number>, at: number, length: number, n: number): void {
    const entry = this.#entry(ids, at, length);
    this.#counts[entry] = (this.#counts[entry] as number) + n;
  }

  /** Sets the window's count to `n` (a new window goes last in the order). */
  set(ids: ArrayLike<number>, at: number, length: number, n: number): void {
    const entry = this.#entry(ids, at, length);
    this.#counts[entry] = n;
  }

  /** The window's number, given it (with a count of 0) when new; the counts array may be replaced. */
  #entry(ids: ArrayLike<number>, at: number, length: number): number {
    if (!this.#fits(ids, at, length)) this.#widen();
    const slot = this.#slot(ids, at, length);
    let entry = this.#slots[slot] as number;
    if (entry < 0) {
      entry = this.#size++;
      if (entry === this.#counts.length) {
        this.#counts = grown(this.#counts, entry + 1);
        this.#ids = grown(this.#ids, this.#counts.length * this.width);
      }
      const from = entry * this.width;
      for (let i = 0; i < this.width; i++)
        this.#ids[from + i] = i < length ? (ids[at + i] as number) : this.#pad;
      this.#slots[slot] = entry;
      if (this.#size * 2 > this.#slots.length) this.#grow();
    }
    return entry;
  }

  #grow(): void {
    this.#slots = new Int32Array(this.#slots.length * 2).fill(-1);
    for (let entry = 0; entry < this.#size; entry++) {
      const from = entry * this.width;
      let length = this.width;
      while (length > 0 && this.#ids[from + length - 1] === this.#pad) length--;
      this.#slots[this.#slot(this.#ids, from, length)] = entry;
    }
  }

  /** Lets go of the room kept for windows not yet counted (a later new window grows it again). */
  trim(): void {
    if (this.#counts.length === this.#size) return;
    this.#counts = this.#counts.slice(0, this.#size);
    this.#ids = this.#ids.slice(0, this.#size * this.width);
  }

  /** The ids in 32 bits, padding -1 (hash slots stay: a window's slot depends on its ids, not their width). */
  #widen(): void {
    const wide = Int32Array.from(this.#ids, (id) => (id === this.#pad ? -1 : id));
    this.#ids = wide;
    this.#pad = -1;
  }

  /** The arrays as held (not copies: a structured clone copies them). */
  held(): HeldTable {
    return { ids: this.#ids, pad: this.#pad, counts: this.#counts, size: this.#size, slots: this.#slots };
  }

  /** The table of `width` that holds these arrays (a copy of {@link WindowTable.held}'s, made elsewhere). */
  static ofHeld(width: number, held: HeldTable): WindowTable {
    const table = new WindowTable(width);
    table.#ids = held.ids;
    table.#pad = held.pad;
    table.#counts = held.counts;
    table.#size = held.size;
    table.#slots = held.slots;
    return table;
  }

  /** Each window's ids and count, in the order first counted. */
  *[Symbol.iterator](): IterableIterator<[Uint16Array | Int32Array, number]> {
    for (let entry = 0; entry < this.#size; entry++) {
      const window = this.#ids.subarray(entry * this.width, (entry + 1) * this.width);
      const length = window.indexOf(this.#pad);
      yield [length < 0 ? window : window.subarray(0, length), this.#counts[entry] as number];
    }
  }
}

/** Never-seen windows and all windows of a session, at its edges and inside: what a length predicts is split so. */
export interface NoveltyCount {
  readonly novel: readonly [edge: number, inner: number];
  readonly windows: readonly [edge: number, inner: number];
}

/**
 * A token id as one UTF-16 unit (two beyond 0x7fff, the first marked by its top bit): a window's key is its
 * ids' units, a few bytes where the commands' names joined took a hundred (millions of windows are kept).
 */
function keyUnits(id: number): string {
  return id < 0x8000 ? String.fromCharCode(id) : String.fromCharCode(0x8000 | (id >>> 15), id & 0x7fff);
}

/** Whether a window counted `count` times in training is never seen once `own` of those are taken out. */
const neverSeen = (count: number, own: number): boolean => count - own <= 0;

/**
 * Novelty mass (STIDE-like): how many of a session's windows of `window` consecutive commands never occurred
 * in training. On long sessions an attack leaves several such windows where an ordinary process with one
 * odd call leaves one or two, so the count tells them apart where the rarest step does not. Counts add, so
 * two novelty views merge exactly.
 */
export class Novelty {
  /** Each session's windows, found once per session object (training sessions are scored again, held out). */
  readonly #windows = new WeakMap<WeightedSession, Windows>();
  /** Token ids by name (the start and end tokens too), in the order the counts first met them. */
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];
  /** How often each window occurred in training (weighted), by its tokens' ids. */
  readonly #counts: WindowTable;

  private constructor(
    readonly window: number,
    counts = new WindowTable(window),
  ) {
    this.#counts = counts;
  }

  /**
   * A novelty view from its counts (what a database that counts in SQL supplies): `counts` must hold, for
   * every window of `window` tokens of a training session padded with the core's start and end tokens (the
   * whole padded session when shorter), its key (the tokens joined by U+0000) and how often it occurred,
   * each occurrence adding its session's weight; only windows that occurred. Later {@link Novelty.add}s
   * count on top; score only after the last.
   */
  static fromCounts(window: number, counts: ReadonlyMap<string, number>): Novelty {
    if (!Number.isInteger(window) || window < 1)
      throw new SeqhuntError(`a novelty window must be a whole number of commands >= 1, not ${window}`);
    const view = new Novelty(window);
    for (const [names, n] of counts) {
      const ids = names.split(SEP).map((name) => view.#idOf(name));
      if (ids.length > window)
        throw new SeqhuntError(
          `not a valid novelty window count: ${ids.length} commands in a window of ${window}`,
        );
      // Set, not added: a key given twice keeps its last count, as a map of counts would.
      view.#counts.set(ids, 0, ids.length, n);
    }
    return view;
  }

  /** The counts as held (see {@link NoveltyParts}). */
  toParts(): NoveltyParts {
    return { window: this.window, names: [...this.#names], table: this.#counts.held() };
  }

  /** The novelty view that holds these counts (a copy of {@link Novelty.toParts}'s): it scores as the one that gave them. */
  static ofParts(parts: NoveltyParts): Novelty {
    const view = new Novelty(parts.window, WindowTable.ofHeld(parts.window, parts.table));
    for (const name of parts.names) view.#idOf(name);
    return view;
  }

  /** A novelty view with nothing counted yet: {@link Novelty.add} each training session, then score. */
  static empty(window: number): Novelty {
    return Novelty.fromCounts(window, new Map());
  }

  /** Counts the windows of one training session, each with the session's weight. */
  add(t: WeightedSession): void {
    const w = weightOf(t);
    const { ids, length, edge, inner } = this.#of(t, true);
    for (const kind of [edge, inner])
      for (const { at, n } of kind.values()) this.#counts.add(ids, at, length, n * w);
  }

  /** Lets go of the room kept for windows not yet counted: for counts that are complete (adding still works). */
  trim(): void {
    this.#counts.trim();
  }

  /** Counts the windows of the training sessions (each session's windows with its weight). */
  static train(train: readonly WeightedSession[], window: number): Novelty {
    const view = Novelty.empty(window);
    for (const t of train) view.add(t);
    return view;
  }

  /** A token's id, given it now when it is new. */
  #idOf(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.length;
      this.#ids.set(name, id);
      this.#names.push(name);
    }
    return id;
  }

  /**
   * The session padded with the core's start and end tokens, cut into windows of `window` tokens (the whole
   * padded session when it is shorter). Tokens never counted get ids past the known ones when not
   * `learning` (such windows match no count, and are not kept: a later `add` would give them other ids).
   */
  #of(s: WeightedSession, learning: boolean): Windows {
    const known = this.#windows.get(s);
    if (known !== undefined) return known;
    const tokens = [START_TOKEN, ...namesOf(s.session), END_TOKEN];
    const unseen: string[] = [];
    const unseenIds = new Map<string, number>();
    // One string of every token's units, each window a slice of it: linear in the session's length.
    const units: string[] = [];
    const ids: number[] = [];
    const starts: number[] = [0];
    let at = 0;
    for (const name of tokens) {
      let id = learning ? this.#idOf(name) : this.#ids.get(name);
      if (id === undefined) {
        id = unseenIds.get(name);
        if (id === undefined) {
          id = this.#names.length + unseen.length;
          unseenIds.set(name, id);
          unseen.push(name);
        }
      }
      ids.push(id);
      const u = keyUnits(id);
      units.push(u);
      at += u.length;
      starts.push(at);
    }
    const joined = units.join("");
    const n = Math.min(this.window, tokens.length);
    const out: Windows = { ids: Int32Array.from(ids), length: n, edge: new Map(), inner: new Map(), unseen };
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = joined.slice(starts[i], starts[i + n]);
      const kind = i === 0 || i + n === tokens.length ? out.edge : out.inner;
      const known = kind.get(key);
      if (known === undefined) kind.set(key, { at: i, n: 1 });
      else known.n++;
    }
    if (unseen.length === 0) this.#windows.set(s, out);
    return out;
  }

  /** A window's tokens joined by U+0000: its key in the JSON form (`unseen` names the ids past the known ones). */
  #namesOf(ids: ArrayLike<number>, unseen: readonly string[] = []): string {
    const names = this.#names;
    return Array.from(
      ids,
      (id) => (id < names.length ? names[id] : unseen[id - names.length]) as string,
    ).join(SEP);
  }

  /**
   * How many of the session's windows never occurred in training, of how many; `leaveOut` scores a training
   * session as if one occurrence of it had not been counted (a window only it holds is then new), "whole" as
   * if none of its occurrences had.
   */
  count(s: WeightedSession, leaveOut: boolean | "whole" = false): NoveltyCount {
    return this.#tally(s, leaveOut, null);
  }

  /**
   * {@link Novelty.count} held out as `leaveOut` says, and the count of never-seen windows as scored (edge,
   * inner), from one look-up of each window: what a training pass that keeps both reads.
   */
  countBoth(
    s: WeightedSession,
    leaveOut: boolean | "whole",
  ): { readonly heldOut: NoveltyCount; readonly scored: readonly [edge: number, inner: number] } {
    const scored: [number, number] = [0, 0];
    return { heldOut: this.#tally(s, leaveOut, scored), scored };
  }

  /** {@link Novelty.count}; with `scored`, also adds there the never-seen windows as scored (edge, inner). */
  #tally(s: WeightedSession, leaveOut: boolean | "whole", scored: [number, number] | null): NoveltyCount {
    const { ids, length, edge, inner } = this.#of(s, false);
    const tally = (windows: Map<string, SessionWindow>, side: 0 | 1): [number, number] => {
      let novel = 0;
      let all = 0;
      for (const { at, n } of windows.values()) {
        all += n;
        const own = leaveOut === "whole" ? n * weightOf(s) : leaveOut ? n : 0;
        const count = this.#counts.count(ids, at, length);
        if (neverSeen(count, own)) novel += n;
        if (scored !== null && neverSeen(count, 0)) scored[side] += n;
      }
      return [novel, all];
    };
    const [edgeNovel, edgeAll] = tally(edge, 0);
    const [innerNovel, innerAll] = tally(inner, 1);
    return { novel: [edgeNovel, innerNovel], windows: [edgeAll, innerAll] };
  }

  /**
   * Visits each distinct window of the session with the name of its last token (the end token's for the
   * last window), how often the session holds it, and whether it never occurred in training (`leaveOut` as
   * in {@link Novelty.count}).
   */
  eachWindow(
    s: WeightedSession,
    leaveOut: boolean | "whole",
    visit: (last: string, n: number, novel: boolean) => void,
  ): void {
    const { ids, length, edge, inner, unseen } = this.#of(s, false);
    const names = this.#names;
    for (const windows of [edge, inner])
      for (const { at, n } of windows.values()) {
        const own = leaveOut === "whole" ? n * weightOf(s) : leaveOut ? n : 0;
        const id = ids[at + length - 1] as number;
        const last = (id < names.length ? names[id] : unseen[id - names.length]) as string;
        visit(last, n, neverSeen(this.#counts.count(ids, at, length), own));
      }
  }

  /** The session's never-seen windows in words (the edge ones first, each once). */
  explain(s: WeightedSession): StepContribution[] {
    const { ids, length, edge, inner, unseen } = this.#of(s, false);
    return [...edge.values(), ...inner.values()]
      .filter(({ at }) => !this.#counts.has(ids, at, length))
      .map(({ at }) => ({
        step: `${this.#namesOf(ids.subarray(at, at + length), unseen)
          .split(SEP)
          .map(tokenWords)
          .join(" -> ")}: never seen in training`,
        surprise: 1,
      }));
  }

  /** How often each window occurred in training (weighted), keyed by its tokens joined by U+0000, in the order first counted. */
  counts(): Map<string, number> {
    return new Map(Array.from(this.#counts, ([ids, n]) => [this.#namesOf(ids), n]));
  }

  /** The counts as JSON. */
  toJSON(): NoveltyJson {
    // Tokens numbered in the order the windows first name them: the same counts save the same, however counted.
    const renumbered = new Int32Array(this.#names.length).fill(-1);
    const names: string[] = [];
    const ids: number[] = [];
    const counts: number[] = [];
    for (const [window, n] of this.#counts) {
      for (let i = 0; i < this.window; i++) {
        const id = window[i];
        if (id === undefined) {
          ids.push(-1);
          continue;
        }
        let k = renumbered[id] as number;
        if (k < 0) {
          k = names.push(this.#names[id] as string) - 1;
          renumbered[id] = k;
        }
        ids.push(k);
      }
      counts.push(n);
    }
    return { window: this.window, names, ids, counts };
  }

  /** A novelty view saved with {@link Novelty.toJSON}; a damaged one throws a SeqhuntError. */
  static fromJSON(json: unknown): Novelty {
    const j = (json ?? {}) as Partial<NoveltyJson>;
    const { window, names, ids, counts } = j;
    const bad = (what: string) => new SeqhuntError(`not a valid saved novelty view: ${what}`);
    if (
      !Number.isInteger(window) ||
      (window as number) < 1 ||
      !Array.isArray(names) ||
      !Array.isArray(ids) ||
      !Array.isArray(counts)
    )
      throw bad(
        "expected a window length, token names, window ids and counts (a file from before windows were saved as ids: train again)",
      );
    const width = window as number;
    if (!names.every((name) => typeof name === "string") || new Set(names).size !== names.length)
      throw bad("token names must be distinct texts");
    if (ids.length !== counts.length * width)
      throw bad(`${ids.length} window ids for ${counts.length} windows of ${width}`);
    for (let entry = 0; entry < counts.length; entry++) {
      const n = counts[entry];
      if (typeof n !== "number" || !(n > 0) || !Number.isFinite(n))
        throw bad(`window count ${JSON.stringify(n)}`);
      // Ids name a token; padding (-1) only after a window's first token.
      for (let i = 0; i < width; i++) {
        const id = ids[entry * width + i];
        const padded = i > 0 && ids[entry * width + i - 1] === -1;
        if (
          !(Number.isInteger(id) && (id as number) >= (i === 0 ? 0 : -1) && (id as number) < names.length) ||
          (padded && id !== -1)
        )
          throw bad(`window ${entry}'s ids ${JSON.stringify(ids.slice(entry * width, (entry + 1) * width))}`);
      }
    }
    const view = Novelty.empty(width);
    const tokens = names.map((name) => view.#idOf(name));
    const entryIds = new Int32Array(width);
    for (let entry = 0; entry < counts.length; entry++) {
      let length = 0;
      for (; length < width && (ids[entry * width + length] as number) >= 0; length++)
        entryIds[length] = tokens[ids[entry * width + length] as number] as number;
      view.#counts.add(entryIds, 0, length, counts[entry] as number);
    }
    view.trim();
    return view;
  }
}
