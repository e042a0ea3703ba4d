import { SeqhuntError } from "../errors.js";
import { NGramCounts, type NGramCountsJson, surprisesLeftOut, WittenBell } from "../model/ngram.js";
import { END_TOKEN, START_TOKEN } from "../model/tokens.js";
import { type Against, MAX_STEP_WEIGHT, meanPlusMax, namesOf, tokenWords, weightOf } from "./base.js";
import type { DetectorExplanation, StepContribution, WeightedSession } from "./types.js";

/** A chain's counts as JSON: everyone's, and each entity's when the chain is per entity. */
export interface ChainJson {
  readonly order: number;
  readonly perEntity: boolean;
  readonly global: NGramCountsJson;
  readonly entities: readonly (readonly [string, NGramCountsJson])[];
}

/**
 * A Witten-Bell chain over the core's n-gram counts, optionally one per entity backed off to everyone's:
 * scores a session by the mean plus half the maximum of its per-step surprise (with an entity, how much less
 * likely each step is for the entity than for everyone). Counts add, so two chains merge exactly.
 */
export class Chain {
  readonly #global: WittenBell;
  readonly #entities = new Map<string, WittenBell>();
  /** The last session's steps: explaining one asks for them up to three times (its score, its words, a wider view's score). */
  #last:
    | { readonly s: WeightedSession; readonly against: Against; readonly steps: readonly number[] }
    | undefined;

  private constructor(
    readonly order: number,
    readonly perEntity: boolean,
    readonly globalCounts: NGramCounts,
    readonly entityCounts: Map<string, NGramCounts>,
  ) {
    this.#global = new WittenBell(globalCounts);
  }

  /**
   * A chain from its counts (what a database that counts in SQL supplies): `global` must hold the weighted
   * n-gram counts of every training session padded with the core's start and end tokens (as
   * {@link NGramCounts.add} counts them), and `entities` each entity's own sessions counted the same way
   * (empty unless `perEntity`). Counts added to later are counted into this chain; score only after the last.
   */
  static fromCounts(
    order: number,
    perEntity: boolean,
    global: NGramCounts,
    entities: ReadonlyMap<string, NGramCounts>,
  ): Chain {
    return new Chain(order, perEntity, global, new Map(entities));
  }

  /** A chain with nothing counted yet: {@link Chain.add} each training session, then score. */
  static empty(order: number, perEntity: boolean): Chain {
    return new Chain(order, perEntity, new NGramCounts(order), new Map());
  }

  /** Counts one weighted session; per entity too when `perEntity` and the session names one. */
  add(t: WeightedSession): void {
    this.#last = undefined;
    const tokens = namesOf(t.session);
    this.globalCounts.add(tokens, weightOf(t));
    if (this.perEntity && t.entity !== undefined) {
      let counts = this.entityCounts.get(t.entity);
      if (counts === undefined) {
        counts = new NGramCounts(this.order);
        this.entityCounts.set(t.entity, counts);
      }
      counts.add(tokens, weightOf(t));
    }
  }

  /** Counts weighted sessions; per entity too when `perEntity` and the session names one. */
  static train(sessions: readonly WeightedSession[], order: number, perEntity: boolean): Chain {
    const chain = Chain.empty(order, perEntity);
    for (const t of sessions) chain.add(t);
    return chain;
  }

  #entityModel(entity: string | undefined): WittenBell | undefined {
    if (!this.perEntity || entity === undefined) return undefined;
    let model = this.#entities.get(entity);
    const counts = this.entityCounts.get(entity);
    if (model === undefined && counts !== undefined) {
      const order = this.order;
      model = new WittenBell(counts, (token, history) =>
        this.#global.probability(token, history.slice(-order)),
      );
      this.#entities.set(entity, model);
    }
    return model;
  }

  /** Each step's surprise under the entity's background: everyone's, or the other entities' (see {@link Against}). */
  #background(tokens: readonly string[], own: WittenBell | undefined, against: Against): number[] {
    return against === "others" && own !== undefined
      ? this.#global.surprisesWithout(own, tokens)
      : this.#global.surprises(tokens);
  }

  /** Each step's surprise (`##END##` last); with an entity model, relative to everyone's (or the others'). */
  steps(s: WeightedSession, against: Against = "everyone"): readonly number[] {
    if (this.#last?.s === s && this.#last.against === against) return this.#last.steps;
    const tokens = namesOf(s.session);
    const own = this.#entityModel(s.entity);
    const steps = this.#steps(tokens, own, this.#background(tokens, own, against), against);
    this.#last = { s, against, steps };
    return steps;
  }

  /** {@link Chain.steps} of a session's tokens from their `background` surprises. */
  #steps(
    tokens: readonly string[],
    own: WittenBell | undefined,
    background: readonly number[],
    against: Against,
  ): readonly number[] {
    if (own === undefined) return background;
    // Against everyone the entity's model falls back to everyone's own prediction (the same, recomputed).
    const mine = own.surprises(tokens, against === "others" ? background : undefined);
    return mine.map((x, i) => x - (background[i] as number));
  }

  /** Each step's surprise with one occurrence of the session taken out of `own`'s counts, relative to `background`. */
  #stepsLeftOut(tokens: readonly string[], own: WittenBell, background: readonly number[]): number[] {
    const mine = surprisesLeftOut(own.counts, tokens, background);
    return mine.map((x, i) => x - (background[i] as number));
  }

  /** The session's score: mean plus `maxWeight` (half by default) times the maximum of its steps. */
  score(s: WeightedSession, against: Against = "everyone", maxWeight = MAX_STEP_WEIGHT): number {
    return meanPlusMax(this.steps(s, against), maxWeight);
  }

  /**
   * A training session's score with one occurrence of it taken out of its entity's counts (exactly: counts
   * add), as a new session of that entity meets it; everyone's counts, of many entities, are kept (against the
   * others, the entity's are out of them already). Without an entity model, as scored.
   */
  heldOutScore(s: WeightedSession, against: Against = "everyone", maxWeight = MAX_STEP_WEIGHT): number {
    const own = this.#entityModel(s.entity);
    if (own === undefined) return this.score(s, against, maxWeight);
    const tokens = namesOf(s.session);
    return meanPlusMax(this.#stepsLeftOut(tokens, own, this.#background(tokens, own, against)), maxWeight);
  }

  /**
   * {@link Chain.heldOutScore} and {@link Chain.score} of a training session at once, with the reason
   * {@link Chain.explain} gives: the background's surprises are worked out once for both (scoring it again
   * as scored worked them out a second time).
   */
  heldOutAndScored(
    s: WeightedSession,
    against: Against = "everyone",
    maxWeight = MAX_STEP_WEIGHT,
  ): { readonly heldOut: number; readonly scored: number; readonly reason: string } {
    const tokens = namesOf(s.session);
    const own = this.#entityModel(s.entity);
    const background = this.#background(tokens, own, against);
    const steps = this.#steps(tokens, own, background, against);
    this.#last = { s, against, steps };
    const scored = meanPlusMax(steps, maxWeight);
    return {
      heldOut:
        own === undefined ? scored : meanPlusMax(this.#stepsLeftOut(tokens, own, background), maxWeight),
      scored,
      reason: this.#reason(s, tokens, steps),
    };
  }

  /** Each step in words (the command, or "session end") with its surprise, and the most surprising one as a reason. */
  explain(s: WeightedSession, against: Against = "everyone"): DetectorExplanation {
    const names = namesOf(s.session);
    const surprises = this.steps(s, against);
    const steps: StepContribution[] = [...names, END_TOKEN].map((name, i) => ({
      step: tokenWords(name),
      surprise: surprises[i] as number,
    }));
    return { steps, reason: this.#reason(s, names, surprises) };
  }

  /** The reason {@link Chain.explain} gives: the most surprising step (the first of ties) between its commands. */
  #reason(s: WeightedSession, names: readonly string[], surprises: readonly number[]): string {
    let worst = 0;
    surprises.forEach((x, i) => {
      if (x > (surprises[worst] as number)) worst = i;
    });
    const token = (i: number) => (i < 0 ? START_TOKEN : i >= names.length ? END_TOKEN : (names[i] as string));
    const current = token(worst);
    const unseen = worst < names.length && this.globalCounts.tokens.lookup(current, -1) < 0;
    const detail = unseen
      ? "a command never seen in training"
      : `surprise ${(surprises[worst] as number).toFixed(2)}${s.entity !== undefined && this.#entityModel(s.entity) ? ` for ${s.entity}` : ""}`;
    return `${tokenWords(token(worst - 1))} -> ${tokenWords(current)} (${detail})`;
  }

  /** The counts as JSON. */
  toJSON(): ChainJson {
    return {
      order: this.order,
      perEntity: this.perEntity,
      global: this.globalCounts.toJSON(),
      entities: [...this.entityCounts].map(([e, c]) => [e, c.toJSON()]),
    };
  }

  /** A chain saved with {@link Chain.toJSON}. */
  static fromJSON(json: unknown): Chain {
    const j = (json ?? {}) as Partial<ChainJson>;
    if (!Number.isInteger(j.order) || typeof j.perEntity !== "boolean" || !Array.isArray(j.entities))
      throw new SeqhuntError("not a valid saved chain: expected order, perEntity, global and entities");
    const entities = new Map(j.entities.map(([e, c]) => [String(e), NGramCounts.fromJSON(c)]));
    return Chain.fromCounts(
      j.order as number,
      j.perEntity,
      NGramCounts.fromJSON(j.global as NGramCountsJson),
      entities,
    );
  }

  /** Both chains' counts added: the chain of the union of their training sessions. */
  static merge(a: Chain, b: Chain): Chain {
    if (a.order !== b.order || a.perEntity !== b.perEntity)
      throw new SeqhuntError("cannot merge chains of different orders or entity settings");
    const global = NGramCounts.fromJSON(a.globalCounts.toJSON());
    global.merge(b.globalCounts);
    const entities = new Map<string, NGramCounts>();
    for (const [e, c] of [...a.entityCounts, ...b.entityCounts]) {
      const mine = entities.get(e);
      if (mine === undefined) entities.set(e, NGramCounts.fromJSON(c.toJSON()));
      else mine.merge(c);
    }
    return new Chain(a.order, a.perEntity, global, entities);
  }
}
