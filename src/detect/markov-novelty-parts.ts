import { END_TOKEN, START_TOKEN } from "../model/tokens.js";
import { Vocabulary } from "../model/vocabulary.js";
import { MAX_ORDER } from "./adaptive.js";
import { CategoricalParams, categoricalOfParts } from "./base.js";
import { Chain, type ChainJson } from "./chain.js";
import { ChainCounts, type ChainCountsArrays } from "./chain-counts.js";
import { type ContextCounts, contextChainCounting } from "./context-chain.js";
import {
  type MarkovNoveltyCounts,
  type MarkovNoveltyOptions,
  NOVELTY_WINDOW,
  ORDER_AND_SET,
} from "./markov-novelty.js";
import { markovSetCounter } from "./markov-set.js";
import { Novelty, type NoveltyParts } from "./novelty.js";
import { type PassTraining, together, trainInMemory } from "./passes.js";
import { Presence, type PresenceJson } from "./presence.js";
import type { WeightedSession } from "./types.js";

/** A part's parameters with their distinct values (null past the categorical limit), for {@link categoricalOfParts}. */
export type CategoricalPart = [param: string, values: (string | null)[] | null][];

/**
 * markov-novelty's counts over one part of the training sessions (one worker thread's identities), as plain
 * data that crosses threads; {@link mergeMarkovNoveltyParts} adds the parts up.
 */
export interface MarkovNoveltyPart {
  /** After each of the part's sessions (in its order) was counted, how many presence tokens it had met. */
  readonly tokenMarks: Int32Array;
  readonly chain: ChainJson;
  readonly presence: PresenceJson;
  readonly novelty: NoveltyParts;
  /** The context chain's tokens by id and its counts at every order considered. */
  readonly context: { readonly tokens: readonly string[]; readonly counts: ChainCountsArrays };
}

/**
 * Counts markov-novelty's statistics over one part of the training sessions in the two passes of its
 * in-process training: first the categorical parameters (merged over every part before the second pass),
 * the novelty windows and the context chain's contexts; then markov-set's chain and occurrences.
 */
export class MarkovNoveltyPartCounter {
  readonly #categorical = new CategoricalParams();
  readonly #novelty: Novelty;
  #context: ContextCounts | undefined;

  constructor(readonly options: MarkovNoveltyOptions = {}) {
    this.#novelty = Novelty.empty(options.window ?? NOVELTY_WINDOW);
  }

  /** The first pass over the part's sessions; what it found of the categorical parameters. */
  first(sessions: readonly WeightedSession[]): CategoricalPart {
    const categorical = this.#categorical;
    const novelty = this.#novelty;
    function* windowsAndParams(): PassTraining<void> {
      yield (s) => {
        categorical.add(s);
        novelty.add(s);
      };
    }
    const [, context] = trainInMemory(
      together(windowsAndParams(), contextChainCounting(this.options.maxOrder ?? MAX_ORDER)),
      sessions,
    );
    this.#context = context;
    return categorical.parts();
  }

  /** The second pass, with the categorical parameters of every part: the part's counts. */
  second(sessions: readonly WeightedSession[], categorical: ReadonlySet<string>): MarkovNoveltyPart {
    const context = this.#context;
    if (context === undefined) throw new Error("the second counting pass ran before the first");
    const counter = markovSetCounter(categorical, ORDER_AND_SET.combine);
    const tokenMarks = new Int32Array(sessions.length);
    sessions.forEach((s, i) => {
      counter.add(s, i);
      tokenMarks[i] = counter.counts.presence.tokenCount;
    });
    return {
      tokenMarks,
      chain: counter.counts.chain.toJSON(),
      presence: counter.counts.presence.toJSON(),
      novelty: this.#novelty.toParts(),
      context: { tokens: [...context.vocabulary.list()], counts: context.counts.toArrays() },
    };
  }
}

/** The categorical parameters of every part's sessions together. */
export function mergeCategorical(parts: readonly CategoricalPart[]): Set<string> {
  return categoricalOfParts(parts.flat());
}

/** A part's counts and, for each of its sessions (in its order), the session's index in the whole training order. */
export interface PlacedPart {
  readonly part: MarkovNoveltyPart;
  readonly order: Int32Array;
}

/** A presence set's key (its tokens' ids sorted as numbers, joined by ",") with the ids mapped by `ids`. */
function rekey(key: string, ids: Int32Array): string {
  if (key === "") return key;
  const old = key.split(",");
  const mapped = new Int32Array(old.length);
  for (let i = 0; i < old.length; i++) mapped[i] = ids[Number(old[i])] as number;
  return mapped.sort().join(",");
}

/** One presence count set (everyone's or an entity's) as JSON. */
type PresenceCountsJson = PresenceJson["global"];

/** Presence count sets of several parts added up, their set keys mapped to the merged token ids. */
function addPresenceCounts(
  counts: readonly { c: PresenceCountsJson; ids: Int32Array }[],
): PresenceCountsJson {
  const seen = new Map<string, number>();
  const sets = new Map<string, number>();
  let sessions = 0;
  let setSessions = 0;
  for (const { c, ids } of counts) {
    for (const [t, n] of c.seen) seen.set(t, (seen.get(t) ?? 0) + n);
    for (const [key, n] of c.sets.counts) {
      const k = rekey(key, ids);
      sets.set(k, (sets.get(k) ?? 0) + n);
    }
    sessions += c.sessions;
    setSessions += c.sets.sessions;
  }
  return { seen: [...seen], sessions, sets: { counts: [...sets], sessions: setSessions } };
}

/**
 * The occurrence view of every part's sessions: tokens take the ids in-process training gives them (the
 * order the whole training order first meets them, which each part's token marks tell), so that the sums
 * over tokens run in the same order and every score is the same to the last bit.
 */
function mergePresence(parts: readonly PlacedPart[], categorical: ReadonlySet<string>): Presence {
  const firsts: { at: number; part: number; id: number }[] = [];
  parts.forEach(({ part, order }, p) => {
    let k = 0;
    for (let id = 0; id < part.presence.tokenIds.length; id++) {
      while ((part.tokenMarks[k] as number) <= id) k++;
      firsts.push({ at: order[k] as number, part: p, id });
    }
  });
  // One session lives in one part, so equal places are one part's tokens, in its order.
  firsts.sort((a, b) => a.at - b.at || a.id - b.id);
  const merged = new Map<string, number>();
  const ids = parts.map(({ part }) => new Int32Array(part.presence.tokenIds.length));
  for (const { part, id } of firsts) {
    const text = parts[part]?.part.presence.tokenIds[id] as string;
    let mine = merged.get(text);
    if (mine === undefined) {
      mine = merged.size;
      merged.set(text, mine);
    }
    (ids[part] as Int32Array)[id] = mine;
  }
  const global = addPresenceCounts(
    parts.map(({ part }, p) => ({ c: part.presence.global, ids: ids[p] as Int32Array })),
  );
  const byEntity = new Map<string, { c: PresenceCountsJson; ids: Int32Array }[]>();
  parts.forEach(({ part }, p) => {
    for (const [entity, c] of part.presence.entities) {
      const list = byEntity.get(entity) ?? [];
      list.push({ c, ids: ids[p] as Int32Array });
      byEntity.set(entity, list);
    }
  });
  return Presence.fromCounts({
    combine: ORDER_AND_SET.combine,
    perEntity: true,
    categorical: [...categorical],
    tokenIds: [...merged.keys()],
    // Everyone's tokens in id order, as training adds them.
    global: {
      ...global,
      seen: [...global.seen].sort((a, b) => (merged.get(a[0]) as number) - (merged.get(b[0]) as number)),
    },
    entities: [...byEntity].map(([entity, list]) => [entity, addPresenceCounts(list)]),
  });
}

/** The context chain's counts of every part added up, over one vocabulary. */
function mergeContext(parts: readonly PlacedPart[], maxOrder: number): ContextCounts {
  const vocabulary = new Vocabulary([START_TOKEN, END_TOKEN]);
  const counts = new ChainCounts(maxOrder);
  for (const { part } of parts) {
    const ids = Int32Array.from(part.context.tokens, (t) => vocabulary.intern(t));
    counts.addArrays(part.context.counts, ids);
  }
  return { vocabulary, counts };
}

/**
 * markov-novelty's counts over every part's sessions, as {@link countMarkovNovelty} counts them over the
 * whole training order: the same scores to the last bit (the counts' own order inside may differ).
 */
export function mergeMarkovNoveltyParts(
  parts: readonly PlacedPart[],
  categorical: ReadonlySet<string>,
  options: MarkovNoveltyOptions = {},
): MarkovNoveltyCounts {
  const chains = parts.map(({ part }) => Chain.fromJSON(part.chain));
  return {
    chain: chains.slice(1).reduce((a, b) => Chain.merge(a, b), chains[0] as Chain),
    presence: mergePresence(parts, categorical),
    novelty: Novelty.merge(
      options.window ?? NOVELTY_WINDOW,
      parts.map(({ part }) => part.novelty),
    ),
    context: mergeContext(parts, options.maxOrder ?? MAX_ORDER),
  };
}
