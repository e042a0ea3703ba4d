import { SeqhuntError } from "../errors.js";
import type { Command } from "../types.js";
import { categoricalParams, KEY_SEPARATOR, weightOf } from "./base.js";
import type { StepContribution, WeightedSession } from "./types.js";

/** Prior weight (in sessions) of the global presence rates in an entity's presence rates. */
const ENTITY_PRIOR = 2;

/** Separates a command, a parameter and a value inside one presence token. */
const SEP = KEY_SEPARATOR;

/**
 * What occurs in a session: its commands, each command's parameters (so a parameter never seen with a
 * command is penalised, not ignored), and the values of categorical parameters (an unseen value likewise).
 */
export function presenceTokens(categorical: ReadonlySet<string>, session: readonly Command[]): Set<string> {
  const out = new Set<string>();
  for (const c of session) {
    if (typeof c === "string") {
      out.add(c);
      continue;
    }
    out.add(c.name);
    if (c.params instanceof Set) for (const p of c.params) out.add(`${c.name}${SEP}${p}`);
    else {
      for (const [p, v] of Object.entries(c.params as Record<string, string | null>)) {
        out.add(`${c.name}${SEP}${p}`);
        if (categorical.has(p)) out.add(`${c.name}${SEP}${p}${SEP}${v ?? ""}`);
      }
    }
  }
  return out;
}

/** A presence token in words: `cmd`, `cmd with param`, `cmd with param=value`. */
function tokenText(token: string): string {
  const [cmd, param, value] = token.split(SEP);
  if (param === undefined) return cmd as string;
  return value === undefined ? `${cmd} with ${param}` : `${cmd} with ${param}=${value}`;
}

/**
 * Whole sets remembered: a set of tokens seen in training keeps its share of the sessions, backed off to the
 * independent presences as in Witten-Bell (weight sessions / (sessions + distinct sets)). Where normal
 * sessions repeat (log keys of a service), a normal set is likely even when its tokens are each rare;
 * where every session is new (commands typed by people), it only shifts every score by the same amount.
 */
class SetMemory {
  constructor(
    readonly counts = new Map<string, number>(),
    public sessions = 0,
  ) {}

  add(key: string, weight: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + weight);
    this.sessions += weight;
  }

  /**
   * ln P(set) given ln P of the set under independent presences; `leaveOut` scores a training session as if
   * one occurrence of it had not been counted.
   */
  logProbability(key: string, independent: number, leaveOut: boolean): number {
    const counted = this.counts.get(key) ?? 0;
    const own = leaveOut && counted > 0 ? 1 : 0;
    const count = counted - own;
    const sessions = this.sessions - own;
    const distinct = this.counts.size - (own === 1 && counted === 1 ? 1 : 0);
    if (sessions <= 0) return independent;
    const remembered = sessions / (sessions + distinct);
    const backedOff = Math.log1p(-remembered) + independent;
    if (count === 0) return backedOff;
    const seen = Math.log((remembered * count) / sessions);
    const top = Math.max(seen, backedOff);
    return top + Math.log(Math.exp(seen - top) + Math.exp(backedOff - top));
  }

  toJSON(): PresenceCountsJson["sets"] {
    return { counts: [...this.counts], sessions: this.sessions };
  }
}

/** Presence counts of everyone or of one entity. */
interface PresenceCounts {
  /** Sessions (weighted) in which each token occurred, in first-seen order. */
  readonly seen: Map<string, number>;
  sessions: number;
  readonly sets: SetMemory;
}

/** Presence counts as JSON. */
interface PresenceCountsJson {
  readonly seen: readonly (readonly [string, number])[];
  readonly sessions: number;
  readonly sets: { readonly counts: readonly (readonly [string, number])[]; readonly sessions: number };
}

/** The occurrence view's learnt state as JSON. */
export interface PresenceJson {
  readonly combine: "sum" | "max";
  readonly perEntity: boolean;
  readonly categorical: readonly string[];
  /** Presence tokens by id (a set's key is its sorted token ids). */
  readonly tokenIds: readonly string[];
  readonly global: PresenceCountsJson;
  readonly entities: readonly (readonly [string, PresenceCountsJson])[];
}

const emptyCounts = (): PresenceCounts => ({ seen: new Map(), sessions: 0, sets: new SetMemory() });

function countsFromJson(j: PresenceCountsJson): PresenceCounts {
  return {
    seen: new Map(j.seen),
    sessions: j.sessions,
    sets: new SetMemory(new Map(j.sets.counts), j.sets.sessions),
  };
}

const countsToJson = (c: PresenceCounts): PresenceCountsJson => ({
  seen: [...c.seen],
  sessions: c.sessions,
  sets: c.sets.toJSON(),
});

/**
 * Which commands (and parameters, and categorical values) occur in a session, as independent Bernoulli
 * presences with whole sets remembered: -ln P(the session's set), or with an entity, ln P_global(set) -
 * ln P_entity(set) where an entity's rates lean on the global ones. With `combine: "max"`, the single most
 * surprising token instead (a rare one present or a usual one absent).
 */
export class Presence {
  readonly #tokenIds: Map<string, number>;
  /** A session's tokens and the key of their set, found once per session object (training sessions are scored again, held out). */
  readonly #described = new WeakMap<WeightedSession, { present: Set<string>; key: string }>();
  readonly #models = new Map<string | undefined, (present: ReadonlySet<string>) => number>();
  readonly #maxViews = new Map<
    string | undefined,
    { rate: (c: string) => number; absent: [string, number][] }
  >();

  private constructor(
    readonly combine: "sum" | "max",
    readonly perEntity: boolean,
    readonly categorical: ReadonlySet<string>,
    tokenIds: readonly string[],
    readonly global: PresenceCounts,
    readonly entities: ReadonlyMap<string, PresenceCounts>,
  ) {
    this.#tokenIds = new Map(tokenIds.map((t, i) => [t, i]));
  }

  /**
   * An occurrence view with nothing counted yet, telling apart the values of the `categorical` parameters
   * (found over every training session first): {@link Presence.add} each training session, then score.
   */
  static counting(categorical: ReadonlySet<string>, perEntity: boolean, combine: "sum" | "max"): Presence {
    return new Presence(combine, perEntity, categorical, [], emptyCounts(), new Map());
  }

  /** Counts one training session's presences (in everyone's counts, and its entity's when per entity). */
  add(t: WeightedSession): void {
    const w = weightOf(t);
    const { present, key } = this.#describe(t, true);
    const counted = [this.global];
    if (this.perEntity && t.entity !== undefined) {
      const entities = this.entities as Map<string, PresenceCounts>;
      let e = entities.get(t.entity);
      if (e === undefined) {
        e = emptyCounts();
        entities.set(t.entity, e);
      }
      counted.push(e);
    }
    for (const c of counted) {
      c.sessions += w;
      c.sets.add(key, w);
      for (const token of present) c.seen.set(token, (c.seen.get(token) ?? 0) + w);
    }
  }

  /** Counts the training sessions' presences. */
  static train(train: readonly WeightedSession[], perEntity: boolean, combine: "sum" | "max"): Presence {
    const view = Presence.counting(categoricalParams(train), perEntity, combine);
    for (const t of train) view.add(t);
    return view;
  }

  #describe(s: WeightedSession, learning: boolean): { present: Set<string>; key: string } {
    let d = this.#described.get(s);
    if (d === undefined) {
      const present = presenceTokens(this.categorical, s.session);
      // The key is the sorted ids of the tokens: sorting numbers, not strings.
      const ids = new Int32Array(present.size);
      let i = 0;
      for (const c of present) {
        let id = this.#tokenIds.get(c);
        if (id === undefined && learning) {
          id = this.#tokenIds.size;
          this.#tokenIds.set(c, id);
        }
        // A token never seen in training: no remembered set holds it.
        ids[i++] = id ?? -1;
      }
      d = { present, key: ids.includes(-1) ? "unseen" : ids.sort().join(",") };
      this.#described.set(s, d);
    }
    return d;
  }

  #globalRate = (c: string): number => ((this.global.seen.get(c) ?? 0) + 1) / (this.global.sessions + 2);

  /** An entity's presence rate of a token, leaning on the global rate with a prior of ENTITY_PRIOR sessions. */
  #entityRate(e: PresenceCounts): (c: string) => number {
    return (c) => ((e.seen.get(c) ?? 0) + ENTITY_PRIOR * this.#globalRate(c)) / (e.sessions + ENTITY_PRIOR);
  }

  #entityOf(s: WeightedSession): PresenceCounts | undefined {
    return this.perEntity && s.entity !== undefined ? this.entities.get(s.entity) : undefined;
  }

  /** ln P(set) = sum over known tokens of ln(1 - p), corrected by ln p - ln(1 - p) for each present one. */
  #model(entity: string | undefined): (present: ReadonlySet<string>) => number {
    let m = this.#models.get(entity);
    if (m === undefined) {
      const e = entity === undefined ? undefined : this.entities.get(entity);
      const rate = e === undefined ? this.#globalRate : this.#entityRate(e);
      const known = this.global.seen;
      let base = 0;
      for (const c of known.keys()) base += Math.log1p(-rate(c));
      m = (present) => {
        let ll = base;
        for (const c of present) {
          const p = rate(c);
          ll += known.has(c) ? Math.log(p) - Math.log1p(-p) : Math.log(p);
        }
        return ll;
      };
      this.#models.set(entity, m);
    }
    return m;
  }

  /** The session's score (see the class); `leaveOut` scores a training session as held out. */
  score(s: WeightedSession, leaveOut = false): number {
    if (this.combine === "max") return this.#mostSurprising(s);
    const { present, key } = this.#describe(s, false);
    const everyone = this.global.sets.logProbability(key, this.#model(undefined)(present), leaveOut);
    const e = this.#entityOf(s);
    if (e === undefined) return -everyone;
    return everyone - e.sets.logProbability(key, this.#model(s.entity)(present), leaveOut);
  }

  /**
   * By its single most surprising token, in nats: a present token's -ln p or an absent token's -ln(1 - p);
   * with an entity, minus the same under everyone's rates. Absent tokens are kept sorted by their score,
   * so a session costs its present tokens plus the first absent one found.
   */
  #mostSurprising(s: WeightedSession): number {
    const present = presenceTokens(this.categorical, s.session);
    const { rate, absent } = this.#maxView(s);
    let worst = Number.NEGATIVE_INFINITY;
    for (const c of present) worst = Math.max(worst, rate(c));
    for (const [c, score] of absent) {
      if (present.has(c)) continue;
      worst = Math.max(worst, score);
      break;
    }
    return worst;
  }

  #maxView(s: WeightedSession): { rate: (c: string) => number; absent: [string, number][] } {
    const e = this.#entityOf(s);
    const key = e === undefined ? undefined : s.entity;
    let v = this.#maxViews.get(key);
    if (v === undefined) {
      const surprise = (p: number, present: boolean) => (present ? -Math.log(p) : -Math.log1p(-p));
      const rate = e === undefined ? this.#globalRate : this.#entityRate(e);
      const relative = (c: string, present: boolean) =>
        surprise(rate(c), present) - (e === undefined ? 0 : surprise(this.#globalRate(c), present));
      const absent = [...this.global.seen.keys()].map((c): [string, number] => [c, relative(c, false)]);
      absent.sort((a, b) => b[1] - a[1]);
      v = { rate: (c) => relative(c, true), absent };
      this.#maxViews.set(key, v);
    }
    return v;
  }

  /** The rarest present tokens in words, with -ln of their presence rate (everyone's, or the entity's). */
  explain(s: WeightedSession): StepContribution[] {
    // Described once per session: a hunt explains the very sessions it trained on.
    const { present } = this.#describe(s, false);
    const e = this.#entityOf(s);
    const rate = e === undefined ? this.#globalRate : this.#entityRate(e);
    // Words only for the three kept: building them for every present token cost seconds on long hunts.
    return [...present]
      .map((c) => ({ c, surprise: -Math.log(rate(c)) }))
      .sort((a, b) => b.surprise - a.surprise)
      .slice(0, 3)
      .map(({ c, surprise }) => ({
        step: this.global.seen.has(c) ? `${tokenText(c)} occurs` : `${tokenText(c)}: never seen in training`,
        surprise,
      }));
  }

  /** The learnt state as JSON. */
  toJSON(): PresenceJson {
    return {
      combine: this.combine,
      perEntity: this.perEntity,
      categorical: [...this.categorical],
      tokenIds: [...this.#tokenIds.keys()],
      global: countsToJson(this.global),
      entities: [...this.entities].map(([name, c]) => [name, countsToJson(c)]),
    };
  }

  /**
   * An occurrence view from its counts (what a database that counts in SQL supplies), as {@link Presence.toJSON}
   * writes them: `categorical` the parameters {@link categoricalParams} finds in training;
   * a session's tokens are its commands, `command U+0000 parameter` for each parameter and `command U+0000
   * parameter U+0000 value` for each categorical one's value (null as ""); `tokenIds` every token in the
   * order training first met it; `global.seen` the weighted number of sessions holding each token,
   * `global.sessions` their total weight, `global.sets` the weight of each distinct token set keyed by its
   * tokens' ids sorted as numbers and joined by ","; `entities` the same over each entity's own sessions.
   */
  static fromCounts(counts: PresenceJson): Presence {
    return new Presence(
      counts.combine,
      counts.perEntity,
      new Set(counts.categorical),
      counts.tokenIds,
      countsFromJson(counts.global),
      new Map(counts.entities.map(([name, c]) => [name, countsFromJson(c)])),
    );
  }

  /** An occurrence view saved with {@link Presence.toJSON}. */
  static fromJSON(json: unknown): Presence {
    const j = (json ?? {}) as Partial<PresenceJson>;
    if (
      (j.combine !== "sum" && j.combine !== "max") ||
      typeof j.perEntity !== "boolean" ||
      !Array.isArray(j.categorical) ||
      !Array.isArray(j.tokenIds) ||
      j.global === undefined ||
      !Array.isArray(j.entities)
    )
      throw new SeqhuntError("not a valid saved occurrence view: a field is missing or of the wrong kind");
    return Presence.fromCounts(j as PresenceJson);
  }
}
