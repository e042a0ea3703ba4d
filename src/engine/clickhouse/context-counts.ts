/**
 * The context chain's counts ({@link ContextCounts}) from the steps an engine counted: first the commands
 * in the order in-process counting first meets them (which gives them its ids), then each step's n-gram of
 * ids (its token and up to `maxOrder` tokens before it, in the padded session) with how often it occurs, in
 * the order the steps first occur. Built through the chain's own counting (`ChainCounts.add`), so the
 * counts, the token ids and the order contexts are made in equal in-process counting's (what a model file
 * lists and the held-out pass reads): every context is made at the first occurrence of a step whose context
 * ends with it, the same step in both.
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

  /** The next command in the order in-process counting first meets them. */
  addCommand(name: string): void {
    this.#vocabulary.intern(name);
  }

  /** Every token with its id, the padding tokens first (what the engine writes the steps' ids with). */
  tokens(): readonly string[] {
    return this.#vocabulary.list();
  }

  /**
   * `n` occurrences of one step: `gram` (ids) ends with the step's token, after the `maxOrder + 1` tokens
   * before it (at least 2; fewer only at the start of a session, where it begins with the start token): one
   * more than the step's longest context, so that a chain that keeps the counts of a context's next token
   * one level down finds them too. Steps come in the order of their first occurrence; the same step again
   * (from another shard) only adds its count.
   */
  addStep(gram: Int32Array, n: number): void {
    // Counting the gram as a session counts its last position and the earlier ones as the chain counts a
    // session; taking the gram less its last token out again leaves the last position alone (the earlier
    // ones were counted before, with contexts at least as long, so nothing is made for them).
    this.#counts.add(gram, n);
    this.#counts.add(gram.subarray(0, gram.length - 1), -n);
  }

  /** The counts and the vocabulary their ids are of. */
  build(): ContextCounts {
    return { vocabulary: this.#vocabulary, counts: this.#counts };
  }
}
