import { SeqhuntError } from "../errors.js";
import { grown, KeyIndex } from "./number-table.js";

/** Token ids fit in 21 bits, so a context node and a token make one exact double key. */
export const TOKEN_SPACE = 2 ** 21;
/** The start and end tokens' ids. */
const START = 0;
const END = 1;
/** Id of a token never seen in training. */
const UNSEEN = -1;

/** {@link ChainCounts} as JSON. */
export interface ChainCountsJson {
  /** Longest context counted. */
  readonly order: number;
  /** Flat (parent node * 2^21 + token, child node) pairs. */
  readonly child: readonly number[];
  /** Flat (node * 2^21 + token, count) pairs. */
  readonly next: readonly number[];
  /** Each node's total count, node 0 (no context) first. */
  readonly total: readonly number[];
}

/**
 * Counts of next tokens after every context of 0..order previous tokens, in a suffix trie of context nodes.
 * Counts are additive (weights may be negative, to leave a session out exactly). Shared by the adaptive
 * detector and markov-novelty's context chain (context-chain.ts).
 *
 * Stored without a table of next tokens: how often `w` followed context `c` is how often the context `c`
 * then `w` occurred before a step, the count of the node one level down (the trie goes one level past
 * `order` for it). Two counts no node holds are kept apart: the end token after a context (nothing follows
 * it) and the start token after no context (every session's first step would count in node START).
 */
export class ChainCounts {
  /** Node n >= 1 is edge n - 1: its parent node * TOKEN_SPACE + the token it adds (one further back). */
  #edges = new KeyIndex();
  /** Each node's count: whole numbers (the usual weights) in 32 bits, widened for the first that is not. */
  #total: Int32Array | Float64Array = new Int32Array(1024);
  /** Distinct tokens seen after each context (with a count above 0). */
  #distinct = new Uint8Array(1024);
  /** Numbers of distinct next tokens of 255 and more (a byte holds 255 for them), by node. */
  #manyDistinct = new Map<number, number>();
  #nodes = 1;
  /** The counts no node holds, by context node * TOKEN_SPACE + token (END, or START after node 0). */
  #apart = new KeyIndex();
  #apartCount = new Float64Array(64);
  /** How many nodes there were when each count kept apart was first counted: its place in the JSON. */
  #apartAt = new Int32Array(64);
  /** The nodes of the session added or held out last (scratch, see {@link ChainCounts.#pathOf}). */
  #path = new Int32Array(0);
  /**
   * How many nodes there were after making step j's context of one token (at 2j) and all of step j's (at
   * 2j + 1), for that path: where a count kept apart first counted then goes in the JSON.
   */
  #made = new Int32Array(0);

  constructor(readonly order: number) {}

  /** Sets a node's count, widening the counts to doubles when it is not a 32-bit whole number. */
  #setTotal(node: number, value: number): void {
    if (this.#total instanceof Int32Array && (value | 0) !== value)
      this.#total = Float64Array.from(this.#total);
    this.#total[node] = value;
  }

  #child(parent: number, token: number, create: boolean): number {
    const key = parent * TOKEN_SPACE + token;
    if (!create) return this.#edges.indexOf(key) + 1 || -1;
    const node = this.#edges.put(key) + 1;
    if (node === this.#nodes) {
      this.#nodes++;
      if (node >= this.#total.length) {
        this.#total = grown(this.#total, node + 1);
        this.#distinct = grown(this.#distinct, node + 1);
      }
    }
    return node;
  }

  /** Adds `weight` to the count kept apart of `token` after context `node`, placed after `made` nodes when new. */
  #addApart(node: number, token: number, weight: number, made: number): void {
    const size = this.#apart.size;
    const entry = this.#apart.put(node * TOKEN_SPACE + token);
    if (entry === size) this.#apartEntry(entry, made);
    const before = this.#apartCount[entry] as number;
    this.#apartCount[entry] = before + weight;
    this.#counted(node, before, before + weight);
  }

  #apartOf(node: number, token: number): number {
    const entry = this.#apart.indexOf(node * TOKEN_SPACE + token);
    return entry < 0 ? 0 : (this.#apartCount[entry] as number);
  }

  /** Keeps a context's number of distinct next tokens as one of its counts goes from `before` to `after`. */
  #counted(node: number, before: number, after: number): void {
    if (before <= 0 && after > 0) this.#setDistinct(node, this.#distinctOf(node) + 1);
    if (before > 0 && after <= 0) this.#setDistinct(node, this.#distinctOf(node) - 1);
  }

  /** How many distinct tokens followed context `node` (with a count above 0). */
  #distinctOf(node: number): number {
    const d = this.#distinct[node] as number;
    return d < 0xff ? d : (this.#manyDistinct.get(node) as number);
  }

  #setDistinct(node: number, value: number): void {
    if (value < 0xff) {
      if (this.#distinct[node] === 0xff) this.#manyDistinct.delete(node);
      this.#distinct[node] = value;
      return;
    }
    this.#distinct[node] = 0xff;
    this.#manyDistinct.set(node, value);
  }

  /**
   * Lets go of the room kept for nodes not yet made (up to half again the nodes, tens of millions of them in
   * a long hunt): for counts that are complete, before the passes that only read them. Adding still works.
   */
  trim(): void {
    this.#live();
    this.#edges.trim();
    if (this.#total.length > this.#nodes) this.#total = this.#total.slice(0, this.#nodes);
    if (this.#distinct.length > this.#nodes) this.#distinct = this.#distinct.slice(0, this.#nodes);
  }

  /**
   * {@link ChainCounts.truncated}, letting go of these counts: below their order they are copied and emptied
   * (using them after throws a SeqhuntError); at it, they are the result, cut to length ({@link ChainCounts.trim}).
   * Counts at every order held only to choose one (tens of millions of nodes in a long hunt) are freed as
   * soon as the chosen ones are made.
   */
  takeTruncated(order: number): ChainCounts {
    this.#live();
    if (order === this.order) {
      this.trim();
      return this;
    }
    // Each node's depth and new number go in its own distinct count's and total's places, read before.
    const out = this.#truncatedWith(order, this.#distinct, this.#total);
    this.#edges = new KeyIndex();
    this.#total = new Int32Array(0);
    this.#distinct = new Uint8Array(0);
    this.#manyDistinct = new Map();
    this.#apart = new KeyIndex();
    this.#apartCount = new Float64Array(0);
    this.#apartAt = new Int32Array(0);
    this.#path = new Int32Array(0);
    this.#made = new Int32Array(0);
    this.#nodes = 0;
    return out;
  }

  /** Throws when the counts were let go ({@link ChainCounts.takeTruncated}): they would read as empty. */
  #live(): void {
    if (this.#nodes === 0)
      throw new SeqhuntError("these chain counts were let go once truncated (takeTruncated): count again");
  }

  /** Adds `weight` for each step of a padded session of ids (START first, END last). */
  add(ids: Int32Array, weight: number): void {
    this.#live();
    this.#addPath(ids, this.#pathOf(ids), weight);
  }

  /**
   * `add`, returning the session's trie nodes (a copy) for {@link ChainCounts.heldOut} to take the same
   * session out later without looking them up again (nodes keep their numbers while counts are added).
   */
  addKeeping(ids: Int32Array, weight: number): Int32Array {
    this.#live();
    const path = this.#pathOf(ids);
    this.#addPath(ids, path, weight);
    return path.slice(0, ids.length * (this.order + 2));
  }

  /**
   * The nodes `add` walks for a padded session (made when new): at `j * (order + 2) + depth`, the context of
   * step j of `depth` tokens (ids[j - 1] back to ids[j - depth]), for depth 1..order + 1 while j - depth >= 0.
   * Scratch, valid until the next call.
   */
  #pathOf(ids: Int32Array): Int32Array {
    const stride = this.order + 2;
    if (this.#path.length < ids.length * stride) {
      this.#path = new Int32Array(ids.length * stride * 2);
      this.#made = new Int32Array(ids.length * 4);
    }
    const path = this.#path;
    const made = this.#made;
    for (let j = 1; j < ids.length; j++) {
      let node = 0;
      const at = j * stride;
      for (let depth = 1; depth <= this.order + 1 && j - depth >= 0; depth++) {
        node = this.#child(node, ids[j - depth] as number, true);
        path[at + depth] = node;
        if (depth === 1) made[2 * j] = this.#nodes;
      }
      made[2 * j + 1] = this.#nodes;
    }
    return path;
  }

  /** `add` along the nodes {@link ChainCounts.#pathOf} found for the same ids. */
  #addPath(ids: Int32Array, path: Int32Array, weight: number): void {
    const stride = this.order + 2;
    for (let j = 1; j < ids.length; j++) {
      // Nodes at depth d here are the contexts of step j and the counts of ids[j - 1] after step j - 1's, one shorter.
      const last = ids[j - 1] as number;
      const at = j * stride;
      this.#setTotal(0, (this.#total[0] as number) + weight);
      for (let depth = 1; depth <= this.order + 1 && j - depth >= 0; depth++) {
        const node = path[at + depth] as number;
        const was = this.#total[node] as number;
        this.#setTotal(node, was + weight);
        // Not a step: the session's start (j = 1), and the two counts kept apart.
        if (j === 1 || last === END) continue;
        if (last === START && depth === 1) this.#addApart(0, START, weight, this.#made[2 * j] as number);
        // The context one shorter, of the step before (depth 0 is the root).
        else this.#counted(depth === 1 ? 0 : (path[at - stride + depth - 1] as number), was, was + weight);
      }
      if (ids[j] === END)
        for (let k = 0; k <= this.order && j - k >= 0; k++)
          this.#addApart(
            k === 0 ? 0 : (path[at + k] as number),
            END,
            weight,
            this.#made[2 * j + 1] as number,
          );
    }
  }

  /**
   * Each step's {@link ChainCounts.probabilities} of a padded session these counts hold, with one occurrence
   * of it taken out: the same numbers as `add(ids, -1)`, `probabilities` at each step and `add(ids, 1)`, with
   * the session's nodes looked up once, or not at all when `kept` holds them ({@link ChainCounts.addKeeping}
   * of the same ids; its counts kept apart exist, so none is placed anew). `visit(i, out)` sees step i's
   * (out is reused).
   */
  heldOut(
    ids: Int32Array,
    base: number,
    out: Float64Array,
    visit: (i: number, out: Float64Array) => void,
    kept?: Int32Array,
  ): void {
    this.#live();
    if (ids.includes(UNSEEN)) throw new SeqhuntError("a session held out holds a command never counted");
    const path = kept ?? this.#pathOf(ids);
    this.#addPath(ids, path, -1);
    for (let i = 1; i < ids.length; i++) {
      this.#probabilitiesOn(ids, path, i, base, out);
      visit(i, out);
    }
    this.#addPath(ids, path, 1);
  }

  /** `probabilities` at step i from the nodes of the session's path (every context and next node exists). */
  #probabilitiesOn(ids: Int32Array, path: Int32Array, i: number, base: number, out: Float64Array): void {
    const stride = this.order + 2;
    const w = ids[i] as number;
    let p = base;
    let k = 0;
    for (; k <= this.order && i - k >= 0; k++) {
      const node = k === 0 ? 0 : (path[i * stride + k] as number);
      // The node of the context then w is step i + 1's context of k + 1 tokens (none after the last step).
      const next = i + 1 < ids.length ? (path[(i + 1) * stride + k + 1] as number) : -1;
      const q = this.#interpolated(node, next, w, k, p);
      if (Number.isNaN(q)) break;
      p = q;
      out[k] = p;
    }
    for (; k <= this.order; k++) out[k] = p;
  }

  /**
   * Interpolated Witten-Bell P(ids[i] | ids[..i]) at every order 0..order, into out[0..order]; orders whose
   * context was never seen repeat the lower one. `base` is the probability below order 0.
   */
  probabilities(ids: Int32Array, i: number, base: number, out: Float64Array): void {
    this.#live();
    const w = ids[i] as number;
    let p = base;
    let node = 0;
    // The node of the context then w, one level below the context's: its count is how often w followed.
    let next = w === UNSEEN ? -1 : this.#child(0, w, false);
    let k = 0;
    for (; k <= this.order; k++) {
      if (k > 0) {
        const h = i - k >= 0 ? (ids[i - k] as number) : UNSEEN;
        node = h === UNSEEN ? -1 : this.#child(node, h, false);
        if (node < 0) break;
        next = next < 0 ? -1 : this.#child(next, h, false);
      }
      const q = this.#interpolated(node, next, w, k, p);
      if (Number.isNaN(q)) break;
      p = q;
      out[k] = p;
    }
    for (; k <= this.order; k++) out[k] = p;
  }

  /**
   * Witten-Bell at order k from the probability `p` below it: `node` the context, `next` the node of the
   * context then w (-1: none); NaN when the context has no count (a count left out may make p negative).
   */
  #interpolated(node: number, next: number, w: number, k: number, p: number): number {
    const total = this.#total[node] as number;
    if (total <= 0) return Number.NaN;
    const distinct = this.#distinctOf(node);
    const seen =
      w === END || (w === START && k === 0)
        ? this.#apartOf(node, w)
        : next < 0
          ? 0
          : (this.#total[next] as number);
    return (seen + distinct * p) / (total + distinct);
  }

  /** Each node's depth and first token (the most recent of its context), in one pass: parents come first. */
  #shapes(): { depth: Uint8Array; first: Int32Array } {
    const depth = new Uint8Array(this.#nodes);
    const first = new Int32Array(this.#nodes);
    for (let node = 1; node < this.#nodes; node++) {
      const key = this.#edges.keyAt(node - 1);
      const parent = Math.floor(key / TOKEN_SPACE);
      depth[node] = (depth[parent] as number) + 1;
      first[node] = parent === 0 ? key : (first[parent] as number);
    }
    return { depth, first };
  }

  /** Whether node `n` (of that depth and first token) holds how often its first token followed a context. */
  static #isStep(depth: number, first: number): boolean {
    return first !== END && !(first === START && depth === 1);
  }

  /**
   * The counts of contexts of at most `order` tokens: the same probabilities at every order up to it, fewer
   * nodes. (Nodes are numbered from the root out, so a parent is always mapped before its children.)
   */
  truncated(order: number): ChainCounts {
    this.#live();
    return this.#truncatedWith(order, new Uint8Array(this.#nodes), new Int32Array(this.#nodes));
  }

  /**
   * {@link ChainCounts.truncated} with `depth` and `to` (a place per node) for each node's depth and its
   * number in the result: these counts' own distinct-count and total arrays may serve (a node's are read
   * before its place is written, and only earlier nodes' places are read), so that letting go of counts
   * while truncating them holds nothing per node beside the result.
   */
  #truncatedWith(order: number, depth: Uint8Array, to: Int32Array | Float64Array): ChainCounts {
    const out = new ChainCounts(order);
    out.#setTotal(0, this.#total[0] as number);
    out.#setDistinct(0, this.#distinctOf(0));
    depth[0] = 0;
    to[0] = 0;
    let apart = 0;
    // A count kept apart goes in after the nodes made before it was, each of its context made already.
    const copyApart = (upTo: number) => {
      for (; apart < this.#apart.size && (this.#apartAt[apart] as number) <= upTo; apart++) {
        const key = this.#apart.keyAt(apart);
        const node = Math.floor(key / TOKEN_SPACE);
        const count = this.#apartCount[apart] as number;
        if ((depth[node] as number) > order || count <= 0) continue;
        out.#putApart(to[node] as number, key - node * TOKEN_SPACE, count);
      }
    };
    for (let node = 1; node < this.#nodes; node++) {
      copyApart(node);
      const key = this.#edges.keyAt(node - 1);
      const parent = Math.floor(key / TOKEN_SPACE);
      const d = (depth[parent] as number) + 1;
      if (d <= order + 1) {
        const total = this.#total[node] as number;
        const distinct = d <= order ? this.#distinctOf(node) : 0;
        const mine = out.#child(to[parent] as number, key - parent * TOKEN_SPACE, true);
        out.#setTotal(mine, total);
        if (d <= order) out.#setDistinct(mine, distinct);
        to[node] = mine;
      }
      depth[node] = d;
    }
    copyApart(this.#nodes);
    return out;
  }

  /** The counts as JSON: flat (key, node) and (key, count) pairs and each node's total. */
  toJSON(): ChainCountsJson {
    this.#live();
    const { depth, first } = this.#shapes();
    // Nodes of the JSON: the contexts (depth <= order), numbered in the order made.
    const context = new Int32Array(this.#nodes).fill(-1);
    context[0] = 0;
    const child: number[] = [];
    const total: number[] = [this.#total[0] as number];
    for (let node = 1; node < this.#nodes; node++) {
      if ((depth[node] as number) > this.order) continue;
      const key = this.#edges.keyAt(node - 1);
      const parent = Math.floor(key / TOKEN_SPACE);
      context[node] = total.length;
      child.push((context[parent] as number) * TOKEN_SPACE + (key - parent * TOKEN_SPACE), total.length);
      total.push(this.#total[node] as number);
    }
    // Next-token counts in the order first counted: each node's after the counts kept apart before it was made.
    const next: number[] = [];
    // The context a node's count is of: its own context without its first token (a suffix link).
    const link = new Int32Array(this.#nodes);
    let apart = 0;
    const pushApart = (upTo: number) => {
      for (; apart < this.#apart.size && (this.#apartAt[apart] as number) <= upTo; apart++) {
        const count = this.#apartCount[apart] as number;
        if (count <= 0) continue;
        const key = this.#apart.keyAt(apart);
        const node = Math.floor(key / TOKEN_SPACE);
        next.push((context[node] as number) * TOKEN_SPACE + (key - node * TOKEN_SPACE), count);
      }
    };
    for (let node = 1; node < this.#nodes; node++) {
      pushApart(node);
      const key = this.#edges.keyAt(node - 1);
      const parent = Math.floor(key / TOKEN_SPACE);
      const token = key - parent * TOKEN_SPACE;
      link[node] = parent === 0 ? 0 : this.#child(link[parent] as number, token, false);
      const count = this.#total[node] as number;
      if (!ChainCounts.#isStep(depth[node] as number, first[node] as number) || count <= 0) continue;
      next.push((context[link[node] as number] as number) * TOKEN_SPACE + (first[node] as number), count);
    }
    pushApart(this.#nodes);
    return { order: this.order, child, next, total };
  }

  /** Counts saved with {@link ChainCounts.toJSON}; a damaged object throws a SeqhuntError. */
  static fromJSON(json: unknown): ChainCounts {
    const j = (json ?? {}) as Partial<ChainCountsJson>;
    const numbers = (xs: unknown): xs is number[] =>
      Array.isArray(xs) && xs.every((x) => typeof x === "number" && Number.isFinite(x));
    if (
      !Number.isInteger(j.order) ||
      (j.order as number) < 0 ||
      !numbers(j.child) ||
      !numbers(j.next) ||
      !numbers(j.total) ||
      j.child.length % 2 ||
      j.next.length % 2 ||
      j.total.length !== j.child.length / 2 + 1
    )
      throw new SeqhuntError("not valid saved chain counts: expected an order, child and next pairs, totals");
    return ChainCounts.#load(new SavedNodes(j as ChainCountsJson));
  }

  /** Puts `count` apart for `token` after context `node`, placed after the nodes made so far. */
  #putApart(node: number, token: number, count: number): void {
    const size = this.#apart.size;
    const entry = this.#apart.put(node * TOKEN_SPACE + token);
    if (entry === size) this.#apartEntry(entry);
    this.#apartCount[entry] = count;
  }

  /** Room for a new count kept apart, placed after `made` nodes (the nodes made so far). */
  #apartEntry(entry: number, made = this.#nodes): void {
    if (entry >= this.#apartCount.length) {
      this.#apartCount = grown(this.#apartCount, entry + 1);
      this.#apartAt = grown(this.#apartAt, entry + 1);
    }
    this.#apartAt[entry] = made;
  }

  /** Saved counts made again: the saved nodes in their order, each next-token count put where it is kept. */
  static #load(saved: SavedNodes): ChainCounts {
    const j = saved.json;
    const into = new ChainCounts(j.order);
    into.#setTotal(0, j.total[0] as number);
    const made = new Int32Array(j.total.length).fill(-1);
    made[0] = 0;
    let nextChild = 0;
    // Makes the saved nodes, in their order, up to saved node `node`.
    const makeUpTo = (node: number): number => {
      if (node < 0) throw new SeqhuntError("not valid saved chain counts: a context is missing");
      while ((made[node] as number) < 0) {
        const n = j.child[nextChild + 1] as number;
        nextChild += 2;
        const parent = made[saved.parent[n] as number] as number;
        if (parent < 0) throw new SeqhuntError(`not valid saved chain counts: node ${n} before its parent`);
        const mine = into.#child(parent, saved.token[n] as number, true);
        made[n] = mine;
        into.#setTotal(mine, j.total[n] as number);
      }
      return made[node] as number;
    };
    const counted = new Uint8Array(j.total.length);
    for (let i = 0; i < j.next.length; i += 2) {
      const key = j.next[i] as number;
      const count = j.next[i + 1] as number;
      const context = Math.floor(key / TOKEN_SPACE);
      const token = key - context * TOKEN_SPACE;
      if (context >= j.total.length || !(count > 0))
        throw new SeqhuntError(`not valid saved chain counts: next-token entry ${key}`);
      const node = makeUpTo(context);
      into.#setDistinct(node, into.#distinctOf(node) + 1);
      if (token === END || (token === START && context === 0)) {
        into.#putApart(node, token, count);
        continue;
      }
      const below = saved.below(context, token);
      if (below >= 0) {
        // A saved context itself: its total is this count.
        counted[below] = 1;
        // Made first: making nodes may grow (replace) the totals array.
        const made = makeUpTo(below);
        if (into.#total[made] !== count)
          throw new SeqhuntError(
            `not valid saved chain counts: node ${below}'s total is not the count of entry ${key} (train again)`,
          );
        continue;
      }
      if (saved.depth(context) !== j.order)
        throw new SeqhuntError(`not valid saved chain counts: next-token entry ${key} has no context node`);
      // One level past the saved contexts: the node is made here.
      const parent = context === 0 ? 0 : makeUpTo(saved.below(saved.parent[context] as number, token));
      const past = into.#child(parent, context === 0 ? token : (saved.token[context] as number), true);
      into.#setTotal(past, count);
    }
    for (let node = 1; node < j.total.length; node++) {
      makeUpTo(node);
      if (saved.isStep(node) && counted[node] === 0 && j.total[node] !== 0)
        throw new SeqhuntError(
          `not valid saved chain counts: node ${node} has a total but no count after its context (train again)`,
        );
    }
    return into;
  }
}

/** The nodes of saved counts: each one's parent and token, and each found by its parent and token. */
class SavedNodes {
  readonly parent: Int32Array;
  readonly token: Int32Array;
  /** Saved node by parent * TOKEN_SPACE + token. */
  readonly #children = new KeyIndex();
  readonly #childOf: Int32Array;

  constructor(readonly json: ChainCountsJson) {
    const nodes = json.total.length;
    this.parent = new Int32Array(nodes).fill(-1);
    this.token = new Int32Array(nodes);
    this.#childOf = new Int32Array(nodes);
    for (let i = 0; i < json.child.length; i += 2) {
      const key = json.child[i] as number;
      const node = json.child[i + 1] as number;
      const parent = Math.floor(key / TOKEN_SPACE);
      if (
        !Number.isInteger(node) ||
        node <= 0 ||
        node >= nodes ||
        parent >= nodes ||
        this.parent[node] !== -1
      )
        throw new SeqhuntError(`not valid saved chain counts: child entry ${key}`);
      this.parent[node] = parent;
      this.token[node] = key - parent * TOKEN_SPACE;
      this.#childOf[this.#children.put(key)] = node;
    }
  }

  /** How many tokens a saved node's context holds. */
  depth(node: number): number {
    let depth = 0;
    for (let n = node; n > 0; n = this.parent[n] as number) depth++;
    return depth;
  }

  /** Whether a saved node's total is also how often its first token followed a context (see ChainCounts). */
  isStep(node: number): boolean {
    let first = node;
    while ((this.parent[first] as number) > 0) first = this.parent[first] as number;
    return this.token[first] !== END && !(this.token[first] === START && first === node);
  }

  /** The saved node of context `node` then `token` (one level down), or -1 when not saved. */
  below(node: number, token: number): number {
    const path: number[] = [];
    for (let n = node; n > 0; n = this.parent[n] as number) path.push(this.token[n] as number);
    let at = 0;
    for (const t of [token, ...path.reverse()]) {
      const entry = this.#children.indexOf(at * TOKEN_SPACE + t);
      if (entry < 0) return -1;
      at = this.#childOf[entry] as number;
    }
    return at;
  }
}
