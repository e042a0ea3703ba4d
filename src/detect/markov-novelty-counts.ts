import { NGramCounts } from "../model/ngram.js";
import { Chain } from "./chain.js";
import { type MarkovNoveltyCounts, ORDER_AND_SET } from "./markov-novelty.js";
import { SET_CHAIN_ORDER } from "./markov-set.js";
import { Novelty } from "./novelty.js";
import { Presence, type PresenceJson } from "./presence.js";

/** One presence count set (everyone's or an entity's) as it grows: tokens seen, sessions, distinct sets. */
interface PresenceTally {
  readonly seen: Map<string, number>;
  sessions: number;
  readonly sets: Map<string, number>;
}

const emptyTally = (): PresenceTally => ({ seen: new Map(), sessions: 0, sets: new Map() });

/** A tally in the form {@link Presence.fromCounts} takes, tokens in id order (as training first met them). */
const tallyJson = (t: PresenceTally, ids: ReadonlyMap<string, number>): PresenceJson["global"] => ({
  seen: [...t.seen].sort((a, b) => (ids.get(a[0]) as number) - (ids.get(b[0]) as number)),
  sessions: t.sessions,
  sets: { counts: [...t.sets], sessions: t.sessions },
});

/** markov-novelty's counts an engine counts: all but the context chain's (see {@link MarkovNoveltyCountsBuilder}). */
export type CountedInEngine = Omit<MarkovNoveltyCounts, "context">;

/**
 * markov-novelty's counts ({@link MarkovNoveltyCounts}) but the context chain's (counted in process: its
 * contexts of up to 8 commands would be most of a table of every event's n-grams) from count rows an engine computed elsewhere, in any
 * number of parts (one per shard, say: counts add), in the form each view's `fromCounts` says it needs:
 * everyone's and, wherever a row names one, its entity's. The engine sends the padded steps, each
 * session's distinct presence tokens and the padded windows (tokens joined with `KEY_SEPARATOR`); ids,
 * set keys and totals are made here.
 */
export class MarkovNoveltyCountsBuilder {
  readonly #global = new NGramCounts(SET_CHAIN_ORDER);
  readonly #entities = new Map<string, NGramCounts>();
  readonly #tokenIds = new Map<string, number>();
  readonly #presence = emptyTally();
  readonly #entityPresence = new Map<string, PresenceTally>();
  readonly #windows = new Map<string, number>();

  /**
   * @param options.categorical - the parameters whose values are presence tokens (see `categoricalOfParts`)
   * @param options.window - commands per novelty window
   */
  constructor(readonly options: { readonly categorical: ReadonlySet<string>; readonly window: number }) {}

  #entityCounts(entity: string): NGramCounts {
    let counts = this.#entities.get(entity);
    if (counts === undefined) {
      counts = new NGramCounts(SET_CHAIN_ORDER);
      this.#entities.set(entity, counts);
    }
    return counts;
  }

  /**
   * The next presence token in the order training first meets them (the sessions in training order, each
   * token where it first occurs): given every token so, the views score to the last bit as trained in
   * process (a sum over tokens runs in id order); tokens not given get ids as their sets arrive.
   */
  addToken(token: string): void {
    this.#id(token);
  }

  #id(token: string): number {
    let id = this.#tokenIds.get(token);
    if (id === undefined) {
      id = this.#tokenIds.size;
      this.#tokenIds.set(token, id);
    }
    return id;
  }

  /** `n` sessions (of `entity`, when given) held exactly the distinct presence tokens `tokens`. */
  addSet(entity: string | undefined, tokens: readonly string[], n: number): void {
    const ids = new Int32Array(tokens.length);
    tokens.forEach((token, i) => {
      ids[i] = this.#id(token);
    });
    // The key Presence gives a set: its tokens' ids sorted as numbers.
    const key = ids.sort().join(",");
    const tallies = [this.#presence];
    if (entity !== undefined) {
      let own = this.#entityPresence.get(entity);
      if (own === undefined) {
        own = emptyTally();
        this.#entityPresence.set(entity, own);
      }
      tallies.push(own);
    }
    for (const t of tallies) {
      t.sessions += n;
      t.sets.set(key, (t.sets.get(key) ?? 0) + n);
      for (const token of tokens) t.seen.set(token, (t.seen.get(token) ?? 0) + n);
    }
    this.#global.addSessions(n);
    if (entity !== undefined) this.#entityCounts(entity).addSessions(n);
  }

  /** `next` followed `previous` `n` times in sessions (of `entity`, when given), padding tokens included. */
  addStep(entity: string | undefined, previous: string, next: string, n: number): void {
    this.#global.addFollowing([previous], next, n);
    if (entity !== undefined) this.#entityCounts(entity).addFollowing([previous], next, n);
  }

  /** The padded window `key` (its tokens joined with `KEY_SEPARATOR`) occurred `n` times. */
  addWindow(key: string, n: number): void {
    this.#windows.set(key, (this.#windows.get(key) ?? 0) + n);
  }

  /** The counts added so far, as the detector's statistics; call once. */
  build(): CountedInEngine {
    const presence = Presence.fromCounts({
      combine: ORDER_AND_SET.combine,
      perEntity: true,
      categorical: [...this.options.categorical],
      tokenIds: [...this.#tokenIds.keys()],
      global: tallyJson(this.#presence, this.#tokenIds),
      entities: [...this.#entityPresence].map(([e, t]) => [e, tallyJson(t, this.#tokenIds)]),
    });
    return {
      chain: Chain.fromCounts(SET_CHAIN_ORDER, true, this.#global, this.#entities),
      presence,
      novelty: Novelty.fromCounts(this.options.window, this.#windows),
    };
  }
}
