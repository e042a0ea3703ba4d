import { SeqhuntError } from "../errors.js";
import { END_TOKEN, START_TOKEN } from "../model/tokens.js";
import { Vocabulary } from "../model/vocabulary.js";
import type { Command } from "../types.js";
import { ChainCounts, MAX_ORDER } from "./adaptive.js";
import { nameOf, namesOf, tokenWords, weightOf } from "./base.js";
import { NumberColumn, type PassTraining, trainInMemory } from "./passes.js";
import type { DetectorExplanation, WeightedSession } from "./types.js";

/** Id of a command never seen in training. */
const UNSEEN = -1;

/** A context chain as JSON. */
export interface ContextChainJson {
  /** Tokens by id (`##START##`, `##END##` first). */
  readonly tokens: readonly string[];
  /** The counts, up to the chosen order. */
  readonly counts: unknown;
  /** See {@link ContextChain.gain}. */
  readonly gain: number;
}

/**
 * Each counted session's padded ids with the vocabulary they are of: the passes after counting (held out,
 * cross-fitted, scored) read them again rather than look every command up (every one is in it by then).
 */
const countedIds = new WeakMap<
  WeightedSession,
  { readonly vocabulary: Vocabulary; readonly ids: Int32Array }
>();

/**
 * A session padded with the start (0) and end (1) ids; commands not in `vocabulary` are {@link UNSEEN}, or
 * added when `learn` (counting). Read-only: a counted session's ids are kept and handed out again.
 */
function idsOf(vocabulary: Vocabulary, s: WeightedSession, learn: boolean): Int32Array {
  const counted = countedIds.get(s);
  if (counted?.vocabulary === vocabulary) return counted.ids;
  const names = namesOf(s.session);
  const ids = new Int32Array(names.length + 2);
  names.forEach((name, i) => {
    ids[i + 1] = learn ? vocabulary.intern(name) : vocabulary.lookup(name, UNSEEN);
  });
  ids[names.length + 1] = 1;
  if (learn) countedIds.set(s, { vocabulary, ids });
  return ids;
}

/** Per-step surprise (nats) at every order 0..order, summed per order, of a padded training session held out. */
function heldOutSurprise(
  counts: ChainCounts,
  ids: Int32Array,
  base: number,
  kept: Int32Array | undefined,
): Float64Array {
  const out = new Float64Array(counts.order + 1);
  const sums = new Float64Array(counts.order + 1);
  counts.heldOut(
    ids,
    base,
    out,
    (_, p) => {
      for (let k = 0; k <= counts.order; k++) sums[k] = (sums[k] as number) - Math.log(p[k] as number);
    },
    kept,
  );
  return sums;
}

/** A key for a session's ids: its length and two 32-bit FNV-1a hashes (a collision is a 2^-64 event). */
function keyOf(ids: Int32Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (const id of ids) {
    a = Math.imul(a ^ id, 0x01000193) >>> 0;
    b = Math.imul(b ^ (id + 0x9e3779b9), 0x85ebca6b) >>> 0;
  }
  return `${ids.length}:${a}:${b}`;
}

/** Distinct sessions whose surprise a chain remembers while scoring, or while holding training sessions out. */
const SCORED = 2 ** 16;

/** A context chain's counts over every training session, at every order up to the longest considered. */
export interface ContextCounts {
  readonly vocabulary: Vocabulary;
  /** Taken by the held-out pass ({@link contextChainHeldOut}): let go once the chain at the chosen order is made. */
  readonly counts: ChainCounts;
  /**
   * Trie nodes of distinct sessions found while counting them, by the session's key ({@link keyOf}): the
   * held-out pass takes each out without looking its nodes up again (and drops it once used).
   */
  readonly kept?: Map<string, Int32Array> | undefined;
}

/** Commands of distinct sessions held at most while counting, so that repeats are counted once (4 bytes each). */
const PENDING_IDS = 2 ** 22;

/**
 * Trie node numbers kept at most for the held-out pass (4 bytes each, order + 2 per step: 64 MB; about a
 * million events' sessions at order 8); sessions past it are looked up again there.
 */
const KEPT_NODES = 2 ** 24;

/**
 * One pass counting every training session's contexts of up to `maxOrder` commands; identical sessions met
 * while counting are added once with their weights summed (at most {@link PENDING_IDS} commands held).
 */
export function* contextChainCounting(maxOrder: number): PassTraining<ContextCounts> {
  const vocabulary = new Vocabulary([START_TOKEN, END_TOKEN]);
  const counts = new ChainCounts(maxOrder);
  const pending = new Map<string, { readonly ids: Int32Array; weight: number }>();
  const kept = new Map<string, Int32Array>();
  let keeping = 0;
  let held = 0;
  const flush = () => {
    for (const [key, { ids, weight }] of pending) {
      const nodes = ids.length * (maxOrder + 2);
      if (keeping + nodes > KEPT_NODES || kept.has(key)) counts.add(ids, weight);
      else {
        kept.set(key, counts.addKeeping(ids, weight));
        keeping += nodes;
      }
    }
    pending.clear();
    held = 0;
  };
  yield (s) => {
    const ids = idsOf(vocabulary, s, true);
    const key = keyOf(ids);
    const known = pending.get(key);
    if (known !== undefined) {
      known.weight += weightOf(s);
      return;
    }
    if (held + ids.length > PENDING_IDS) flush();
    pending.set(key, { ids, weight: weightOf(s) });
    held += ids.length;
  };
  flush();
  // Not cut to length here: a copy beside the arrays held out next would cost more than their spare room
  // (at most a third); the held-out pass truncates them, or cuts them at the longest order (takeTruncated).
  return { vocabulary, counts, kept };
}

/** What the context chain's held-out pass finds. */
export interface ContextHeldOut {
  readonly chain: ContextChain;
  /** Each training session's held-out mean surprise at the chosen order. */
  readonly heldOut: Float64Array;
}

/**
 * One pass over the training sessions counted, each held out (identical sessions once, a few numbers each):
 * the order of least held-out surprise, the chain at it, and each session's held-out mean surprise there. It
 * takes `counted`'s counts ({@link ChainCounts.takeTruncated}): hold them out once.
 */
export function* contextChainHeldOut(counted: ContextCounts): PassTraining<ContextHeldOut> {
  const { vocabulary, counts } = counted;
  const orders = counts.order + 1;
  const base = 1 / (vocabulary.size + 1);
  const known = new Map<string, Float64Array>();
  const columns = Array.from({ length: orders + 1 }, () => new NumberColumn());
  const nats = new Float64Array(orders);
  yield (s) => {
    const ids = idsOf(vocabulary, s, false);
    const key = keyOf(ids);
    let sums = known.get(key);
    if (sums === undefined) {
      const path = counted.kept?.get(key);
      counted.kept?.delete(key);
      sums = heldOutSurprise(counts, ids, base, path);
      // Bounded as the scoring cache is: a cache, so emptying it changes no number.
      if (known.size >= SCORED) known.clear();
      known.set(key, sums);
    }
    for (let k = 0; k < orders; k++) {
      (columns[k] as NumberColumn).push(sums[k] as number);
      nats[k] = (nats[k] as number) + weightOf(s) * (sums[k] as number);
    }
    (columns[orders] as NumberColumn).push(ids.length - 1);
  };
  let order = 0;
  for (let k = 1; k < orders; k++) if ((nats[k] as number) < (nats[order] as number)) order = k;
  const first = nats[Math.min(1, orders - 1)] as number;
  const gain = order > 1 && first > 0 ? Math.max(0, 1 - (nats[order] as number) / first) : 0;
  const sums = (columns[order] as NumberColumn).values();
  const steps = (columns[orders] as NumberColumn).values();
  const heldOut = sums.map((x, i) => x / (steps[i] as number));
  // Orders above the chosen one change no probability at it: the smaller counts score the same, faster;
  // the counts at every order go now, before the passes after this one (at the longest order they are these).
  const chosen = counts.takeTruncated(order);
  return { chain: new ContextChain(vocabulary, chosen, gain), heldOut };
}

/**
 * Two passes once the order is chosen: the training sessions counted at it in two halves (every other session,
 * in pass order), then each one's mean surprise per step under the half that did not count it. Held out one by
 * one, a session of a user or program with many like it scores as if its like were still counted, lower than
 * new sessions do; against the other half, as new ones do (as markov-set's cross-fitted scores, cross-fit.ts).
 * With one session, nothing is left to score it against: its held-out score is all there is.
 */
export function* contextChainCrossFit(held: ContextHeldOut): PassTraining<Float64Array> {
  const { chain } = held;
  if (held.heldOut.length < 2) return held.heldOut;
  const halves = [new ChainCounts(chain.order), new ChainCounts(chain.order)] as const;
  let counted = 0;
  yield (s) => {
    halves[counted++ % 2]?.add(idsOf(chain.vocabulary, s, false), weightOf(s));
  };
  const chains = halves.map((c) => new ContextChain(chain.vocabulary, c, chain.gain));
  const column = new NumberColumn();
  let scored = 0;
  yield (s) => {
    column.push((chains[1 - (scored++ % 2)] as ContextChain).meanSurprise(s));
  };
  return column.values();
}

/** A session's mean surprise per step and where its most surprising step is (the first, if several). */
export interface StepSummary {
  readonly mean: number;
  /** The index of the most surprising step (the end is the last). */
  readonly worst: number;
}

/** The {@link StepSummary} of a session's steps (at least one: the end). */
function summaryOfSteps(steps: Float64Array): StepSummary {
  let worst = 0;
  let sum = 0;
  steps.forEach((x, i) => {
    sum += x;
    if (x > (steps[worst] as number)) worst = i;
  });
  return { mean: sum / steps.length, worst };
}

/** What a step's surprise is given, in a reason's words. */
function contextWords(order: number): string {
  if (order === 0) return "by each command's own frequency";
  return order === 1 ? "given the command before it" : `given the ${order} commands before it`;
}

/** The words of step i of a session in a reason: its command, or "session start" / "session end" past its edges. */
function wordOf(s: WeightedSession): (i: number) => string {
  // A reason reads two steps' words: no list of every name is made for them.
  const commands = s.session;
  return (i) =>
    tokenWords(i < 0 ? START_TOKEN : i >= commands.length ? END_TOKEN : nameOf(commands[i] as Command));
}

/**
 * A Witten-Bell chain whose context length (0..{@link MAX_ORDER} commands) is the one under which the training
 * sessions, each left out of the counts in turn, are most likely; it scores a session by its mean surprise per
 * step, so a long ordinary process and a short one score alike, and a foreign run inside a long one raises
 * the mean by its share of the steps, where the rarest step alone fires on ordinary long processes too.
 * Counts add, so the counts merge exactly; the chosen order does not.
 */
export class ContextChain {
  /** Held-out mean surprise of each training session, found while choosing the order ({@link ContextChain.train}). */
  readonly #heldOut = new WeakMap<WeightedSession, number>();
  /** Mean and most surprising step of sessions scored, by their key: repeats are scored once (emptied at {@link SCORED}). */
  readonly #scored = new Map<string, StepSummary>();

  /** Use {@link ContextChain.train}, {@link contextChainHeldOut} or {@link ContextChain.fromJSON}. */
  constructor(
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
   * at every order (a second pass), keeps the order of least held-out surprise and the counts up to it.
   */
  static train(train: readonly WeightedSession[], maxOrder = MAX_ORDER): ContextChain {
    const { chain, heldOut } = trainInMemory(
      (function* () {
        return yield* contextChainHeldOut(yield* contextChainCounting(maxOrder));
      })(),
      train,
    );
    train.forEach((t, i) => {
      chain.#heldOut.set(t, heldOut[i] as number);
    });
    return chain;
  }

  /** Each step's surprise in nats (the end last) at the chosen order. */
  steps(s: WeightedSession): Float64Array {
    return this.#stepsRead(s).slice();
  }

  /** The steps of `s`, read-only: the ones kept from its score when it was scored last. */
  #stepsRead(s: WeightedSession): Float64Array {
    return this.#last?.session === s ? this.#last.steps : this.#stepsOf(s, idsOf(this.vocabulary, s, false));
  }

  /** The steps of the session scored last (as scored): a reason asked right after its score reads them again. */
  #last: { readonly session: WeightedSession; readonly steps: Float64Array } | undefined;

  #stepsOf(session: WeightedSession, ids: Int32Array): Float64Array {
    const steps = this.#steps(ids);
    this.#last = { session, steps };
    return steps;
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
    if (!leaveOut) return this.summary(s).mean;
    const held = this.#heldOut.get(s);
    if (held !== undefined) return held;
    const ids = idsOf(this.vocabulary, s, false);
    // A session with a command the chain never counted was not trained on: nothing to leave out.
    if (ids.includes(UNSEEN)) return this.#summaryOf(s, ids).mean;
    let sum = 0;
    const order = this.order;
    this.counts.heldOut(ids, 1 / (this.vocabulary.size + 1), new Float64Array(order + 1), (_, p) => {
      sum += -Math.log(p[order] as number);
    });
    return sum / (ids.length - 1);
  }

  /** A session's mean surprise per step and its most surprising step, as scored (what its reason says). */
  summary(s: WeightedSession): StepSummary {
    return this.#summaryOf(s, idsOf(this.vocabulary, s, false));
  }

  #summaryOf(s: WeightedSession, ids: Int32Array): StepSummary {
    const key = keyOf(ids);
    let summary = this.#scored.get(key);
    if (summary === undefined) {
      summary = summaryOfSteps(this.#stepsOf(s, ids));
      if (this.#scored.size >= SCORED) this.#scored.clear();
      this.#scored.set(key, summary);
    }
    return summary;
  }

  /** Each step with its surprise, and the mean with the most surprising step as the reason. */
  explain(s: WeightedSession): DetectorExplanation {
    const surprises = this.#stepsRead(s);
    const word = wordOf(s);
    return {
      steps: Array.from(surprises, (surprise, i) => ({ step: word(i), surprise })),
      reason: this.#reasonOf(summaryOfSteps(surprises), word),
    };
  }

  /** {@link ContextChain.explain}'s reason alone (no step list made), from `summary` when known. */
  reason(s: WeightedSession, summary?: StepSummary): string {
    return this.#reasonOf(summary ?? summaryOfSteps(this.#stepsRead(s)), wordOf(s));
  }

  #reasonOf({ mean, worst }: StepSummary, word: (i: number) => string): string {
    return `unusual throughout: ${mean.toFixed(2)} nats of surprise per step ${contextWords(this.order)}, most at ${word(worst - 1)} -> ${word(worst)}`;
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
