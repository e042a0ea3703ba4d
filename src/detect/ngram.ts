import { Vocabulary } from "../model/vocabulary.js";

/** Token before the first command and after the last, as in the reference model. */
const START = "##START##";
const END = "##END##";

/** Counts of one context: how often each next token followed it. */
interface ContextCounts {
  total: number;
  readonly next: Map<number, number>;
}

/**
 * N-gram counts of every order from 0 (no context) to `order` previous tokens, keyed by interned ids.
 * Counts are additive, so two count sets merge exactly.
 */
export class NGramCounts {
  readonly tokens = new Vocabulary([START, END]);
  readonly contexts = new Map<string, ContextCounts>();
  /** Sessions counted (weighted). */
  sessions = 0;

  constructor(readonly order: number) {}

  /** Counts one session of tokens, `weight` times. */
  add(session: readonly string[], weight = 1): void {
    const ids = [0, ...session.map((t) => this.tokens.intern(t)), 1];
    this.sessions += weight;
    for (let i = 1; i < ids.length; i++) {
      const w = ids[i] as number;
      let key = "";
      for (let k = 0; k <= this.order && i - k >= 0; k++) {
        if (k > 0) key = key === "" ? String(ids[i - k]) : `${ids[i - k]},${key}`;
        let c = this.contexts.get(`${k}:${key}`);
        if (c === undefined) {
          c = { total: 0, next: new Map() };
          this.contexts.set(`${k}:${key}`, c);
        }
        c.total += weight;
        c.next.set(w, (c.next.get(w) ?? 0) + weight);
      }
    }
  }

  /** Adds another count set (any vocabulary) into this one. */
  merge(other: NGramCounts): void {
    if (other.order !== this.order)
      throw new RangeError(`cannot merge order ${other.order} counts into order ${this.order}`);
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
      let mine = this.contexts.get(`${k}:${mapped}`);
      if (mine === undefined) {
        mine = { total: 0, next: new Map() };
        this.contexts.set(`${k}:${mapped}`, mine);
      }
      mine.total += c.total;
      for (const [w, n] of c.next) {
        const id = map[w] as number;
        mine.next.set(id, (mine.next.get(id) ?? 0) + n);
      }
    }
    this.sessions += other.sessions;
  }
}

/**
 * Interpolated Witten-Bell probabilities over n-gram counts: each order mixes its own estimate with the
 * next lower order, weighted by how many distinct tokens the context has seen. Below order 0 it falls
 * back to `base` (uniform over the vocabulary plus one unseen token, or another model's prediction).
 */
export class WittenBell {
  constructor(
    readonly counts: NGramCounts,
    private readonly base: (token: string, history: readonly string[]) => number = () =>
      1 / (counts.tokens.size + 1),
  ) {}

  /** P(token | history), history being the tokens before it (START first), most recent last. */
  probability(token: string, history: readonly string[]): number {
    const w = this.counts.tokens.lookup(token, -1);
    let p = this.base(token, history);
    const ids = history.map((t) => this.counts.tokens.lookup(t, -1));
    // From order 0 up: unknown history tokens end the context (no longer context can match).
    let key = "";
    for (let k = 0; k <= this.counts.order && k <= ids.length; k++) {
      if (k > 0) {
        const id = ids[ids.length - k] as number;
        if (id < 0) break;
        key = key === "" ? String(id) : `${id},${key}`;
      }
      const c = this.counts.contexts.get(`${k}:${key}`);
      if (c === undefined) break;
      const distinct = c.next.size;
      const seen = w < 0 ? 0 : (c.next.get(w) ?? 0);
      p = (seen + distinct * p) / (c.total + distinct);
    }
    return p;
  }

  /** -ln P of each step of a session, END included (START is the history of the first step). */
  surprises(session: readonly string[]): number[] {
    const history = [START];
    const out: number[] = [];
    for (const token of [...session, END]) {
      out.push(-Math.log(this.probability(token, history.slice(-this.counts.order))));
      history.push(token);
    }
    return out;
  }
}
