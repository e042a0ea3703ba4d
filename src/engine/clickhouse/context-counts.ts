/**
 * The context chain's counts ({@link ContextCounts}) from the steps an engine counted: each step's n-gram
 * (its token and up to `maxOrder` tokens before it, in the padded session), how often it occurs, given in
 * the order the steps first occur as in-process counting meets them. Built through the chain's own
 * counting (`ChainCounts.addStep`), so the counts, the token ids and the order contexts are made in equal
 * in-process counting's (what a model file lists and the held-out pass reads): every context is made at
 * the first occurrence of a step whose context ends with it, the same step in both.
 */
import { ChainCounts } from "../../detect/adaptive.js";
import type { ContextCounts } from "../../detect/context-chain.js";
import { END_TOKEN, START_TOKEN } from "../../model/engine-access.js";
import { Vocabulary } from "../../model/vocabulary.js";

/** Adds engine-counted steps, first occurrences first, into a context chain's counts. */
export class ContextCountsBuilder {
  readonly #vocabulary = new Vocabulary([START_TOKEN, END_TOKEN]);
  readonly #counts: ChainCounts;

  /** @param maxOrder - the longest context counted (the n-grams' length less one) */
  constructor(maxOrder: number) {
    this.#counts = new ChainCounts(maxOrder);
  }

  /**
   * `n` occurrences of one step: `gram` ends with the step's token, after the step's context (up to the
   * longest, shorter only at the start of a session, where it begins with the start token). Steps come in the
   * order of their first occurrence; the same step again (from another shard) only adds its count.
   */
  add(gram: readonly string[], n: number): void {
    const ids = new Int32Array(gram.length);
    for (let i = 0; i < gram.length; i++) ids[i] = this.#vocabulary.intern(gram[i] as string);
    this.#counts.addStep(ids, ids.length - 1, n);
  }

  /** The counts and the vocabulary their ids are of. */
  build(): ContextCounts {
    return { vocabulary: this.#vocabulary, counts: this.#counts };
  }
}
