import { SeqhuntError } from "../errors.js";
import { PairCounts } from "./pair-counts.js";
import { END_TOKEN, START_TOKEN } from "./tokens.js";
import { Vocabulary } from "./vocabulary.js";

/** Counts of one context: how often each next token followed it. */
interface ContextCounts {
  total: number;
  readonly next: Map<number, number>;
}

/** N-gram counts as JSON: the vocabulary, and each context's key, total and flat (next id, count) pairs. */
export interface NGramCountsJson {
  /** Longest context counted. */
  readonly order: number;
  /** Sessions counted (weighted). */
  readonly sessions: number;
  /** Tokens by id; ids 0 and 1 are `##START##` and `##END##`. */
  readonly tokens: readonly string[];
  /** `[key, total, [next id, count, next id, count, ...]]` per context; a key is `k:` then the k context ids. */
  readonly contexts: readonly (readonly [string, number, readonly number[]])[];
}

function invalid(problem: string): never {
  throw new SeqhuntError(`not valid n-gram counts: ${problem}`);
}

/**
 * N-gram counts of every order from 0 (no context) to `order` previous tokens, keyed by interned ids,
 * each session padded with `##START##` and `##END##` as the reference pads it. Counts are additive
 * (weighted sessions add their weight), so two count sets merge exactly.
 */
export class NGramCounts {
  /** Tokens; ids 0 and 1 are `##START##` and `##END##`. */
  readonly tokens = new Vocabulary([START_TOKEN, END_TOKEN]);
  /** Counts per context, keyed `k:` then the ids of the k tokens before. */
  readonly contexts = new Map<string, ContextCounts>();
  /** Sessions counted (weighted). */
  sessions = 0;
  #version = 0;
  /**
   * The context of no token (slot 0) and of each one token (slot id + 1), once found: the two orders every
   * step counts, met without building and hashing a key text per step.
   */
  readonly #short: (ContextCounts | undefined)[] = [];

  /** Changes with every change of the counts made through this class (what an index of them is checked against). */
  get version(): number {
    return this.#version;
  }

  /** @param order - the longest context counted (0: token frequencies alone) */
  constructor(readonly order: number) {}

  #context(key: string): ContextCounts {
    let c = this.contexts.get(key);
    if (c === undefined) {
      c = { total: 0, next: new Map() };
      this.contexts.set(key, c);
    }
    return c;
  }

  /** Counts one session of tokens with weight `weight` (a session seen `weight` times). */
  add(session: readonly string[], weight = 1): void {
    const ids = [0, ...session.map((t) => this.tokens.intern(t)), 1];
    this.sessions += weight;
    this.#version++;
    for (let i = 1; i < ids.length; i++) this.#addAt(ids, i, weight);
  }

  /** Counts `ids[i]` after each of its contexts of 0 to `order` tokens (as far back as `ids` goes). */
  #addAt(ids: readonly number[], i: number, weight: number): void {
    const w = ids[i] as number;
    let key = "";
    for (let k = 0; k <= this.order && i - k >= 0; k++) {
      // Key texts only past one token: the shorter contexts are kept by slot.
      if (k >= 2) key = k === 2 ? `${ids[i - 2]},${ids[i - 1]}` : `${ids[i - k]},${key}`;
      const c =
        k <= 1 ? this.#shortContext(k === 0 ? 0 : (ids[i - 1] as number) + 1) : this.#context(`${k}:${key}`);
      c.total += weight;
      c.next.set(w, (c.next.get(w) ?? 0) + weight);
    }
  }

  /** The context of {@link NGramCounts.#short}'s `slot`, found by its key the first time. */
  #shortContext(slot: number): ContextCounts {
    const short = this.#short;
    let c = short[slot];
    if (c === undefined) {
      c = this.#context(slot === 0 ? "0:" : `1:${slot - 1}`);
      // Filled up to the slot: writing far past the end of an array makes it a dictionary.
      while (short.length < slot) short.push(undefined);
      short[slot] = c;
    }
    return c;
  }

  /**
   * Counts `next` after `history` (its padded tokens before it, most recent last) `weight` times, as
   * {@link NGramCounts.add} counts each step of a session: for steps an engine counted elsewhere. Sessions
   * are added apart ({@link NGramCounts.addSessions}).
   */
  addFollowing(history: readonly string[], next: string, weight: number): void {
    const ids = [...history, next].map((t) => this.tokens.intern(t));
    this.#version++;
    this.#addAt(ids, ids.length - 1, weight);
  }

  /** Counts `weight` more sessions (their steps added with {@link NGramCounts.addFollowing}). */
  addSessions(weight: number): void {
    this.sessions += weight;
    this.#version++;
  }

  /** Adds another count set (any vocabulary, same order) into this one. */
  merge(other: NGramCounts): void {
    if (other.order !== this.order)
      throw new SeqhuntError(`cannot merge order ${other.order} n-gram counts into order ${this.order}`);
    const map = other.tokens.list().map((t) => this.tokens.intern(t));
    for (const [key, c] of other.contexts) {
      const [k, ids] = key.split(":") as [string, string];
      const mapped =
        ids === ""
          ? ""
          : ids
              .split(",")
              .map((id) => map[Number(id)])
              .join(",");
      const mine = this.#context(`${k}:${mapped}`);
      mine.total += c.total;
      for (const [w, n] of c.next) {
        const id = map[w] as number;
        mine.next.set(id, (mine.next.get(id) ?? 0) + n);
      }
    }
    this.sessions += other.sessions;
    this.#version++;
  }

  /** The counts as plain JSON (see {@link NGramCounts.fromJSON}). */
  toJSON(): NGramCountsJson {
    return {
      order: this.order,
      sessions: this.sessions,
      tokens: [...this.tokens.list()],
      contexts: [...this.contexts].map(([key, c]) => [key, c.total, [...c.next].flat()]),
    };
  }

  /** Counts saved with {@link NGramCounts.toJSON}; a damaged object throws a SeqhuntError. */
  static fromJSON(json: NGramCountsJson): NGramCounts {
    if (json === null || typeof json !== "object") invalid("expected an object");
    const { order, sessions, tokens, contexts } = json;
    if (!Number.isInteger(order) || order < 0) invalid(`order ${JSON.stringify(order)}`);
    if (typeof sessions !== "number" || !(sessions >= 0)) invalid(`sessions ${JSON.stringify(sessions)}`);
    if (!Array.isArray(tokens) || tokens[0] !== START_TOKEN || tokens[1] !== END_TOKEN)
      invalid(`tokens must start with ${START_TOKEN}, ${END_TOKEN}`);
    if (!Array.isArray(contexts)) invalid("contexts must be a list");
    const counts = new NGramCounts(order);
    for (const t of tokens) {
      if (typeof t !== "string") invalid("a token is not text");
      counts.tokens.intern(t);
    }
    if (counts.tokens.size !== tokens.length) invalid("a token is listed twice");
    for (const entry of contexts) {
      const [key, total, next] = Array.isArray(entry) ? entry : [];
      if (typeof key !== "string" || typeof total !== "number" || !Array.isArray(next) || next.length % 2)
        invalid(`context ${JSON.stringify(key)}`);
      const c = counts.#context(key);
      c.total = total;
      for (let i = 0; i < next.length; i += 2) {
        const id = next[i] as number;
        if (!Number.isInteger(id) || id < 0 || id >= tokens.length)
          invalid(`context ${key} refers to token ${id}`);
        c.next.set(id, next[i + 1] as number);
      }
    }
    counts.sessions = sessions;
    counts.#version++;
    return counts;
  }
}

/**
 * The contexts of n-gram counts as WittenBell reads them: each context a node (0: no context), a node's
 * one-token-longer contexts and its next-token counts in open-addressing tables of typed arrays. One or
 * two probes per lookup where a Map per context cost several cache misses.
 */
class ContextIndex {
  /** (node, token before the context) -> the longer context's node. */
  readonly longer: PairCounts;
  /** (node, next token) -> count. */
  readonly next: PairCounts;
  /** Per node: 1 when the context was counted (a node may exist only as the tail of longer ones). */
  readonly counted: Uint8Array;
  readonly total: Float64Array;
  readonly distinct: Int32Array;

  constructor(contexts: ReadonlyMap<string, ContextCounts>) {
    // Keys no lookup could ever make are left out.
    const listed: [number[], ContextCounts][] = [];
    let pairs = 0;
    // Each context makes at most one node per token of it.
    let nodes = 1;
    for (const [key, c] of contexts) {
      const ids = contextIds(key);
      if (ids === null) continue;
      listed.push([ids, c]);
      pairs += c.next.size;
      nodes += ids.length;
    }
    this.longer = new PairCounts(nodes);
    this.next = new PairCounts(pairs);
    const counted = new Uint8Array(nodes);
    const total = new Float64Array(nodes);
    const distinct = new Int32Array(nodes);
    let made = 1;
    for (const [ids, c] of listed) {
      let node = 0;
      for (let j = ids.length - 1; j >= 0; j--) {
        const id = ids[j] as number;
        let longer = this.longer.lookup(node, id, -1);
        if (longer < 0) {
          longer = made++;
          this.longer.add(node, id, longer);
        }
        node = longer;
      }
      counted[node] = 1;
      total[node] = c.total;
      distinct[node] = c.next.size;
      for (const [w, n] of c.next) this.next.add(node, w, n);
    }
    this.counted = counted.subarray(0, made);
    this.total = total.subarray(0, made);
    this.distinct = distinct.subarray(0, made);
  }
}

/**
 * The context ids of a key as {@link NGramCounts.add} writes it (`k:` then k token ids), or null for any
 * other key (a saved file may hold anything).
 */
function contextIds(key: string): number[] | null {
  const text = key.slice(key.indexOf(":") + 1);
  const ids = text === "" ? [] : text.split(",").map(Number);
  const tokenIds = ids.every((id) => Number.isInteger(id) && id >= 0 && id < 2 ** 31 - 1);
  return tokenIds && key === `${ids.length}:${ids.join(",")}` ? ids : null;
}

/** What {@link WittenBell.surprisesWithout} keeps per counts it takes away (see `WittenBell.#exclusiveOf`). */
interface Exclusive {
  readonly toMine: Int32Array;
  readonly vocabulary: number;
  readonly exclusive: Int32Array;
}

/** One order's Witten-Bell estimate: its counts mixed with the lower orders' `lower` by its distinct next tokens. */
const interpolate = (seen: number, distinct: number, total: number, lower: number): number =>
  (seen + distinct * lower) / (total + distinct);

/**
 * Interpolated Witten-Bell probabilities over n-gram counts: each order mixes its own estimate with the
 * next lower order, weighted by how many distinct tokens the context has seen. Below order 0 it falls
 * back to `base` (uniform over the vocabulary plus one unseen token, or another model's prediction).
 */
export class WittenBell {
  /**
   * @param counts - the n-gram counts
   * @param base - P(token | history) below order 0 (default: uniform over the vocabulary and one unseen token)
   */
  constructor(
    readonly counts: NGramCounts,
    private readonly base: (token: string, history: readonly string[]) => number = () =>
      1 / (counts.tokens.size + 1),
  ) {}

  #index: ContextIndex | null = null;
  /** The counts' version the index was made from. */
  #indexed = -1;

  /** The contexts as an index walked from the most recent token back, remade when the counts changed. */
  #contexts(): ContextIndex {
    if (this.#index === null || this.#indexed !== this.counts.version) {
      this.#index = new ContextIndex(this.counts.contexts);
      this.#indexed = this.counts.version;
    }
    return this.#index;
  }

  /** P(token | history), history being the tokens before it (`##START##` first), most recent last. */
  probability(token: string, history: readonly string[]): number {
    return this.#above(token, history, this.base(token, history));
  }

  /** P(token | history) with `p` the prediction below order 0. */
  #above(token: string, history: readonly string[], p: number): number {
    const tokens = this.counts.tokens;
    const w = tokens.lookup(token, -1);
    // From order 0 up: unknown history tokens end the context (no longer context can match).
    const index = this.#contexts();
    let node = 0;
    for (let k = 0; k <= this.counts.order && k <= history.length; k++) {
      if (k > 0) {
        const id = tokens.lookup(history[history.length - k] as string, -1);
        if (id < 0) break;
        node = index.longer.lookup(node, id, -1);
        if (node < 0) break;
      }
      if (index.counted[node] !== 1) break;
      const distinct = index.distinct[node] as number;
      const seen = w < 0 ? 0 : index.next.lookup(node, w, 0);
      p = interpolate(seen, distinct, index.total[node] as number, p);
    }
    return p;
  }

  /**
   * -ln P of each step of a session, `##END##` included (`##START##` is the history of the first step); with
   * `background`, below order 0 the prediction whose surprise is `background[i]` for step i.
   */
  surprises(session: readonly string[], background?: readonly number[]): number[] {
    const history = [START_TOKEN];
    const out: number[] = [];
    for (const token of [...session, END_TOKEN]) {
      const context = history.slice(-this.counts.order);
      const below = background?.[out.length];
      out.push(
        -Math.log(
          below === undefined
            ? this.probability(token, context)
            : this.#above(token, context, Math.exp(-below)),
        ),
      );
      history.push(token);
    }
    return out;
  }

  /**
   * -ln P of each step of a session (as {@link WittenBell.surprises}) under Witten-Bell over these counts less
   * `less`'s, which counted some of the same sessions (one entity's, say): exactly the model of the other
   * sessions, uniform below order 0 over the tokens they hold and one unseen token.
   */
  surprisesWithout(less: WittenBell, session: readonly string[]): number[] {
    const index = this.#contexts();
    const lessIndex = less.#contexts();
    const found = this.#exclusiveOf(less);
    const tokens = this.counts.tokens;
    const lessTokens = less.counts.tokens;
    const history = [START_TOKEN];
    const out: number[] = [];
    for (const token of [...session, END_TOKEN]) {
      const w = tokens.lookup(token, -1);
      const lw = lessTokens.lookup(token, -1);
      let p = 1 / (found.vocabulary + 1);
      let node = 0;
      let lessNode = 0;
      // As probability walks, each context's counts less `less`'s: a context left with none ends the walk.
      for (let k = 0; k <= this.counts.order && k <= history.length; k++) {
        if (k > 0) {
          const before = history[history.length - k] as string;
          const id = tokens.lookup(before, -1);
          if (id < 0) break;
          node = index.longer.lookup(node, id, -1);
          if (node < 0) break;
          const lessId = lessNode < 0 ? -1 : lessTokens.lookup(before, -1);
          lessNode = lessId < 0 ? -1 : lessIndex.longer.lookup(lessNode, lessId, -1);
        }
        if (index.counted[node] !== 1) break;
        const counted = lessNode >= 0 && lessIndex.counted[lessNode] === 1;
        const total = (index.total[node] as number) - (counted ? (lessIndex.total[lessNode] as number) : 0);
        if (total <= 0) break;
        const distinct =
          (index.distinct[node] as number) - (counted ? this.#exclusiveAt(less, found, node, lessNode) : 0);
        const seen =
          (w < 0 ? 0 : index.next.lookup(node, w, 0)) -
          (counted && lw >= 0 ? lessIndex.next.lookup(lessNode, lw, 0) : 0);
        p = interpolate(Math.max(seen, 0), distinct, total, p);
      }
      out.push(-Math.log(p));
      history.push(token);
    }
    return out;
  }

  /** Per `less` (with the versions of both counts it was found at): see {@link WittenBell.#exclusiveOf}. */
  readonly #exclusive = new WeakMap<WittenBell, Exclusive & { readonly versions: string }>();

  /**
   * What {@link WittenBell.surprisesWithout} reads of `less` beside its index: its token ids as these counts
   * number them, the vocabulary of these counts less `less`'s (`##START##`, `##END##` and every token left a
   * count), and per node of `less`, once asked for, how many of its next tokens only `less` counted there.
   */
  #exclusiveOf(less: WittenBell): Exclusive {
    const versions = `${this.counts.version},${less.counts.version}`;
    const kept = this.#exclusive.get(less);
    if (kept?.versions === versions) return kept;
    const toMine = Int32Array.from(less.counts.tokens.list(), (t) => this.counts.tokens.lookup(t, -1));
    const lessIndex = less.#contexts();
    const exclusive = new Int32Array(lessIndex.total.length).fill(-1);
    const mine = this.#contexts().next;
    let gone = 0;
    // A token no other session holds leaves the vocabulary (##END## ends every session: it stays).
    lessIndex.next.forEachInRow(0, (next, n) => {
      if (next !== 1 && mine.lookup(0, toMine[next] as number, 0) - n <= 0) gone++;
    });
    const found = { versions, toMine, exclusive, vocabulary: this.counts.tokens.size - gone };
    this.#exclusive.set(less, found);
    return found;
  }

  /** How many of the next tokens of `less`'s context `lessNode` (this index's `node`) only `less` counted. */
  #exclusiveAt(less: WittenBell, found: Exclusive, node: number, lessNode: number): number {
    let only = found.exclusive[lessNode] as number;
    if (only < 0) {
      only = 0;
      const mine = this.#contexts().next;
      less.#contexts().next.forEachInRow(lessNode, (next, n) => {
        if (mine.lookup(node, found.toMine[next] as number, 0) - n <= 0) only++;
      });
      found.exclusive[lessNode] = only;
    }
    return only;
  }
}

/**
 * -ln P of each step of a session (as {@link WittenBell.surprises}, `##END##` last) under Witten-Bell over
 * `counts` less the session's own (one occurrence: how a new session meets them), below order 0 the
 * prediction whose surprise is `background[i]` for step i.
 */
export function surprisesLeftOut(
  counts: NGramCounts,
  tokens: readonly string[],
  background: readonly number[],
): number[] {
  const ids = [0, ...tokens.map((t) => counts.tokens.lookup(t, -1)), 1];
  const keyOf = (i: number, k: number) => `${k}:${ids.slice(i - k, i).join(",")}`;
  const own = new Map<string, ContextCounts>();
  for (let i = 1; i < ids.length; i++)
    for (let k = 0; k <= counts.order && i - k >= 0; k++) {
      const key = keyOf(i, k);
      let c = own.get(key);
      if (c === undefined) {
        c = { total: 0, next: new Map() };
        own.set(key, c);
      }
      c.total++;
      c.next.set(ids[i] as number, (c.next.get(ids[i] as number) ?? 0) + 1);
    }
  const out: number[] = [];
  for (let i = 1; i < ids.length; i++) {
    const w = ids[i] as number;
    let p = Math.exp(-(background[i - 1] as number));
    // From order 0 up, as WittenBell walks: a context left with no count ends the walk.
    for (let k = 0; k <= counts.order && i - k >= 0; k++) {
      if (k > 0 && (ids[i - k] as number) < 0) break;
      const key = keyOf(i, k);
      const c = counts.contexts.get(key);
      const mine = own.get(key) as ContextCounts;
      if (c === undefined || c.total - mine.total <= 0) break;
      let distinct = c.next.size;
      for (const [next, n] of mine.next) if ((c.next.get(next) ?? 0) - n <= 0) distinct--;
      const seen = Math.max((c.next.get(w) ?? 0) - (mine.next.get(w) ?? 0), 0);
      p = interpolate(seen, distinct, c.total - mine.total, p);
    }
    out.push(-Math.log(p));
  }
  return out;
}
