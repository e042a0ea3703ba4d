import { SeqhuntError } from "../errors.js";
import { END_TOKEN, START_TOKEN } from "../model/tokens.js";
import { Vocabulary } from "../model/vocabulary.js";
import { ChainCounts, MAX_ORDER } from "./adaptive.js";
import { namesOf, tokenWords, weightOf } from "./base.js";
import type { DetectorExplanation, WeightedSession } from "./types.js";

/** Id of a command never seen in training. */
const UNSEEN = -1;

/** A distinct training session: its ids, how often it occurred (weighted), and its held-out mean surprise. */
interface Kind {
  readonly ids: Int32Array;
  weight: number;
  heldOut: number;
}

/** A context chain as JSON. */
export interface ContextChainJson {
  /** Tokens by id (`##START##`, `##END##` first). */
  readonly tokens: readonly string[];
  /** The counts, up to the chosen order. */
  readonly counts: unknown;
  /** See {@link ContextChain.gain}. */
  readonly gain: number;
}

/** A session padded with the start (0) and end (1) ids; commands not in `vocabulary` are {@link UNSEEN}, or added when `learn`. */
function idsOf(vocabulary: Vocabulary, s: WeightedSession, learn: boolean): Int32Array {
  const names = namesOf(s.session);
  const ids = new Int32Array(names.length + 2);
  names.forEach((name, i) => {
    ids[i + 1] = learn ? vocabulary.intern(name) : vocabulary.lookup(name, UNSEEN);
  });
  ids[names.length + 1] = 1;
  return ids;
}

/** Per-step surprise (nats) at every order 0..order, summed per order, of each padded session held out in turn. */
function heldOutSurprise(counts: ChainCounts, ids: readonly Int32Array[], base: number): Float64Array[] {
  const out = new Float64Array(counts.order + 1);
  return ids.map((x) => {
    const sums = new Float64Array(counts.order + 1);
    counts.add(x, -1);
    for (let i = 1; i < x.length; i++) {
      counts.probabilities(x, i, base, out);
      for (let k = 0; k <= counts.order; k++) sums[k] = (sums[k] as number) - Math.log(out[k] as number);
    }
    counts.add(x, 1);
    return sums;
  });
}

/**
 * A Witten-Bell chain whose context length (0..{@link MAX_ORDER} commands) is the one under which the training
 * sessions, each left out of the counts in turn, are most likely; it scores a session by its mean surprise per
 * step, so a long ordinary process and a short one score alike, and a foreign run inside a long one raises
 * the mean by its share of the steps, where the rarest step alone fires on ordinary long processes too.
 * Counts add, so the counts merge exactly; the chosen order does not.
 */
export class ContextChain {
  /** Held-out mean surprise of each training session, found while choosing the order. */
  readonly #heldOut = new WeakMap<WeightedSession, number>();

  private constructor(
    readonly vocabulary: Vocabulary,
    readonly counts: ChainCounts,
    /**
     * The share of a first-order chain's held-out surprise per step that the chosen context removes (0 when
     * it is one command or none): how far longer context is what tells this data's sessions apart.
     */
    readonly gain: number,
  ) {}

  /** The chosen context length. */
  get order(): number {
    return this.counts.order;
  }

  /**
   * Counts the training sessions at every order up to `maxOrder` (one pass), finds each one's held-out surprise
   * at every order (a second pass), keeps the order of least held-out surprise and counts again up to it.
   */
  static train(train: readonly WeightedSession[], maxOrder = MAX_ORDER): ContextChain {
    const vocabulary = new Vocabulary([START_TOKEN, END_TOKEN]);
    // Identical sessions counted once with their weights added: each scores the same held out.
    const distinct = new Map<string, Kind>();
    const kindOf = train.map((t) => {
      const ids = idsOf(vocabulary, t, true);
      const key = ids.join(",");
      let kind = distinct.get(key);
      if (kind === undefined) {
        kind = { ids, weight: 0, heldOut: 0 };
        distinct.set(key, kind);
      }
      kind.weight += weightOf(t);
      return kind;
    });
    const kinds = [...distinct.values()];
    const all = new ChainCounts(maxOrder);
    for (const k of kinds) all.add(k.ids, k.weight);
    const sums = heldOutSurprise(
      all,
      kinds.map((k) => k.ids),
      1 / (vocabulary.size + 1),
    );
    const nats = new Float64Array(maxOrder + 1);
    sums.forEach((s, i) => {
      const w = (kinds[i] as Kind).weight;
      for (let k = 0; k <= maxOrder; k++) nats[k] = (nats[k] as number) + w * (s[k] as number);
    });
    let order = 0;
    for (let k = 1; k <= maxOrder; k++) if ((nats[k] as number) < (nats[order] as number)) order = k;
    const first = nats[Math.min(1, maxOrder)] as number;
    const gain = order > 1 && first > 0 ? Math.max(0, 1 - (nats[order] as number) / first) : 0;
    // Orders above the chosen one change no probability at it: the smaller counts score the same, faster.
    const counts = new ChainCounts(order);
    kinds.forEach((k, i) => {
      counts.add(k.ids, k.weight);
      k.heldOut = ((sums[i] as Float64Array)[order] as number) / (k.ids.length - 1);
    });
    const chain = new ContextChain(vocabulary, counts, gain);
    train.forEach((t, i) => {
      chain.#heldOut.set(t, (kindOf[i] as Kind).heldOut);
    });
    return chain;
  }

  /** Each step's surprise in nats (the end last) at the chosen order. */
  steps(s: WeightedSession): Float64Array {
    return this.#steps(idsOf(this.vocabulary, s, false));
  }

  #steps(ids: Int32Array): Float64Array {
    const out = new Float64Array(this.order + 1);
    const base = 1 / (this.vocabulary.size + 1);
    const steps = new Float64Array(ids.length - 1);
    for (let i = 1; i < ids.length; i++) {
      this.counts.probabilities(ids, i, base, out);
      steps[i - 1] = -Math.log(out[this.order] as number);
    }
    return steps;
  }

  /**
   * Mean surprise per step (the end included); `leaveOut` scores a session this chain was trained on as if
   * one occurrence of it had not been counted (as found while training, or with its counts taken out and
   * put back when loaded from a file).
   */
  meanSurprise(s: WeightedSession, leaveOut = false): number {
    const held = leaveOut ? this.#heldOut.get(s) : undefined;
    if (held !== undefined) return held;
    const ids = idsOf(this.vocabulary, s, false);
    // A session with a command the chain never counted was not trained on: nothing to leave out.
    const out = leaveOut && !ids.includes(UNSEEN);
    if (out) this.counts.add(ids, -1);
    const steps = this.#steps(ids);
    if (out) this.counts.add(ids, 1);
    let sum = 0;
    for (const x of steps) sum += x;
    return sum / steps.length;
  }

  /** Each step with its surprise, and the mean with the most surprising step as the reason. */
  explain(s: WeightedSession): DetectorExplanation {
    const names = namesOf(s.session);
    const surprises = this.steps(s);
    let worst = 0;
    let sum = 0;
    surprises.forEach((x, i) => {
      sum += x;
      if (x > (surprises[worst] as number)) worst = i;
    });
    const word = (i: number) =>
      tokenWords(i < 0 ? START_TOKEN : i >= names.length ? END_TOKEN : (names[i] as string));
    return {
      steps: Array.from(surprises, (surprise, i) => ({ step: word(i), surprise })),
      reason: `unusual throughout: ${(sum / surprises.length).toFixed(2)} nats of surprise per step given the ${this.order} commands before it, most at ${word(worst - 1)} -> ${word(worst)}`,
    };
  }

  /** The chain as JSON. */
  toJSON(): ContextChainJson {
    return { tokens: [...this.vocabulary.list()], counts: this.counts.toJSON(), gain: this.gain };
  }

  /** A chain saved with {@link ContextChain.toJSON}; a damaged one throws a SeqhuntError. */
  static fromJSON(json: unknown): ContextChain {
    const j = (json ?? {}) as Partial<ContextChainJson>;
    if (
      !Array.isArray(j.tokens) ||
      j.tokens[0] !== START_TOKEN ||
      j.tokens[1] !== END_TOKEN ||
      !j.tokens.every((t) => typeof t === "string") ||
      typeof j.gain !== "number" ||
      !(j.gain >= 0 && j.gain <= 1)
    )
      throw new SeqhuntError("not a valid saved context chain: expected its tokens, counts and gain");
    const vocabulary = new Vocabulary(j.tokens);
    if (vocabulary.size !== j.tokens.length)
      throw new SeqhuntError("not a valid saved context chain: a token is listed twice");
    return new ContextChain(vocabulary, ChainCounts.fromJSON(j.counts), j.gain);
  }
}
