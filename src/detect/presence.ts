import { SeqhuntError } from "../errors.js";
import { isCount } from "../model/serialize.js";
import type { Command } from "../types.js";
import { type Against, categoricalParams, KEY_SEPARATOR, weightOf } from "./base.js";
import type { StepContribution, WeightedSession } from "./types.js";

/**
 * Prior weight (in sessions) of the background's presence rates in an entity's: the default, the weight where
 * training cannot choose one (no entity of two sessions), and that of files saved without one.
 */
export const ENTITY_PRIOR = 2;

/**
 * The weight of the background's presence rates in an entity's: fixed (in sessions), or "held-out": chosen from
 * the training counts by held-out likelihood ({@link Presence.entityPrior}).
 */
export type EntityPrior = number | "held-out";

/** An entity's rate of a token: `seen` of its `sessions`, leaning on a background `rate` with `prior` sessions of weight. */
export const shrunkRate = (seen: number, sessions: number, rate: number, prior: number): number =>
  (seen + prior * rate) / (sessions + prior);

/** The range of priors (sessions of an entity, windows of a command) that training chooses from by held-out likelihood. */
export const PRIOR_RANGE = [1 / 16, 1024] as const;

/**
 * The argument in [`low`, `high`] maximising `f`, on a log scale: the best power of 2, then a golden-section
 * search between its neighbours (to a relative 1e-4); `f` is assumed to have one peak there.
 */
export function maximiseOnLogScale(f: (x: number) => number, low: number, high: number): number {
  const g = (u: number) => {
    const y = f(Math.exp(u));
    return Number.isNaN(y) ? Number.NEGATIVE_INFINITY : y;
  };
  const grid: number[] = [];
  for (let u = Math.log(low); u <= Math.log(high) + 1e-9; u += Math.LN2) grid.push(u);
  const values = grid.map(g);
  let best = 0;
  for (let i = 1; i < grid.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  let a = grid[Math.max(best - 1, 0)] as number;
  let b = grid[Math.min(best + 1, grid.length - 1)] as number;
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = g(c);
  let fd = g(d);
  while (b - a > 1e-4) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = g(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = g(d);
    }
  }
  return Math.exp((a + b) / 2);
}

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

/** Appends a gap between sorted token ids to a set key's units (see {@link setKey}). */
function pushGap(units: number[], gap: number): void {
  if (gap < 0xff) units.push(gap);
  else units.push(0xff, (gap >>> 16) & 0xff, (gap >>> 8) & 0xff, gap & 0xff);
}

/** The one-byte string of a set key's units. */
function keyOfUnits(units: readonly number[]): string {
  let key = "";
  // In slices: a call's arguments are limited, and a session may hold many thousands of tokens.
  for (let i = 0; i < units.length; i += 8192) key += String.fromCharCode(...units.slice(i, i + 8192));
  return key;
}

/**
 * A set's key in memory: its sorted token ids as the gaps between them, one character below 256 each (255
 * then three bytes for a gap of 255 or more), a one-byte string about a quarter the length of the ids joined
 * by "," that the JSON holds (a long hunt remembers a million sets).
 */
function setKey(sorted: ArrayLike<number>): string {
  const units: number[] = [];
  let previous = -1;
  for (let i = 0; i < sorted.length; i++) {
    pushGap(units, (sorted[i] as number) - previous - 1);
    previous = sorted[i] as number;
  }
  return keyOfUnits(units);
}

/** A set key no session's tokens make (its one character is above 255): a set holding a never-seen token. */
const UNSEEN_SET = "\u0100";
/** Marks a saved set key that is not sorted ids (kept as it is, matching no session's set). */
const FOREIGN_SET = "\u0101";
/** Token ids a saved set key may hold: below 2^24, so that a gap fits the key's three bytes. */
const MAX_TOKEN_ID = 2 ** 24;

/**
 * The key {@link setKey} makes of a saved key: ids in decimal (no sign, no leading zero) joined by ",", rising,
 * each below {@link MAX_TOKEN_ID}; read in one pass over its characters (a file holds megabytes of them).
 */
function setKeyOfSaved(saved: string): string {
  if (saved === "") return "";
  const units: number[] = [];
  let previous = -1;
  let id = 0;
  let digits = 0;
  for (let i = 0; i <= saved.length; i++) {
    const c = i < saved.length ? saved.charCodeAt(i) : 0x2c;
    if (c >= 0x30 && c <= 0x39 && !(digits === 1 && id === 0)) {
      id = id * 10 + (c - 0x30);
      digits++;
      if (id >= MAX_TOKEN_ID) return FOREIGN_SET + saved;
    } else if (c === 0x2c && digits > 0 && id > previous) {
      pushGap(units, id - previous - 1);
      previous = id;
      id = 0;
      digits = 0;
    } else return FOREIGN_SET + saved;
  }
  return keyOfUnits(units);
}

/** A set key as saved: its ids joined by ",". */
function savedSetKey(key: string): string {
  if (key.startsWith(FOREIGN_SET)) return key.slice(FOREIGN_SET.length);
  if (key === UNSEEN_SET) return "unseen";
  const ids: number[] = [];
  let previous = -1;
  for (let i = 0; i < key.length; i++) {
    let gap = key.charCodeAt(i);
    if (gap === 0xff) {
      gap = (key.charCodeAt(i + 1) << 16) | (key.charCodeAt(i + 2) << 8) | key.charCodeAt(i + 3);
      i += 3;
    }
    previous += gap + 1;
    ids.push(previous);
  }
  return ids.join(",");
}

/** A presence token in words: `cmd`, `cmd with param`, `cmd with param=value`. */
function tokenText(token: string): string {
  const [cmd, param, value] = token.split(SEP);
  if (param === undefined) return cmd as string;
  return value === undefined ? `${cmd} with ${param}` : `${cmd} with ${param}=${value}`;
}

/**
 * ln P(set) with `count` of `sessions` holding it among `distinct` sets remembered, backed off to its
 * probability `independent` under independent presences (see {@link SetMemory}).
 */
export function rememberedLogProbability(
  count: number,
  sessions: number,
  distinct: number,
  independent: number,
): number {
  if (sessions <= 0) return independent;
  const remembered = sessions / (sessions + distinct);
  const backedOff = Math.log1p(-remembered) + independent;
  if (count <= 0) return backedOff;
  const seen = Math.log((remembered * count) / sessions);
  const top = Math.max(seen, backedOff);
  return top + Math.log(Math.exp(seen - top) + Math.exp(backedOff - top));
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
    const distinct = this.counts.size - (own === 1 && counted === 1 ? 1 : 0);
    return rememberedLogProbability(counted - own, this.sessions - own, distinct, independent);
  }

  /** How many distinct sets these less `less`'s (which remembered some of the same sessions) hold. */
  distinctWithout(less: SetMemory): number {
    let gone = 0;
    for (const [k, n] of less.counts) if ((this.counts.get(k) ?? 0) - n <= 0) gone++;
    return this.counts.size - gone;
  }

  /**
   * ln P(set) as {@link SetMemory.logProbability} under these sets less `less`'s, `distinct` of them
   * ({@link SetMemory.distinctWithout}): the other sessions' sets.
   */
  logProbabilityWithout(less: SetMemory, distinct: number, key: string, independent: number): number {
    const count = (this.counts.get(key) ?? 0) - (less.counts.get(key) ?? 0);
    return rememberedLogProbability(count, this.sessions - less.sessions, distinct, independent);
  }

  toJSON(): PresenceCountsJson["sets"] {
    return { counts: Array.from(this.counts, ([key, n]) => [savedSetKey(key), n]), sessions: this.sessions };
  }
}

/**
 * A presence token as the interner knows it: its text, its id (in the order training first met it), the
 * describe call that last met it (a session's tokens are distinct) and the tokens one level below it, by
 * the part that follows it (a token's text is its parent's, SEP, that part, whatever role it plays).
 */
interface TokenNode {
  readonly text: string;
  readonly id: number;
  stamp: number;
  children: Map<string, TokenNode> | undefined;
}

/** A session's presence tokens: ids in first-met order, -(k + 1) for the k-th token never seen in training. */
interface SessionTokens {
  readonly tokens: Int32Array;
  /** The tokens never seen in training, by text. */
  readonly unseen: readonly string[];
  /** The key of the set ({@link setKey}), or {@link UNSEEN_SET}. */
  readonly key: string;
}

/** A session's tokens as one occurrence view scores them, with what it computed of them once. */
interface Described extends SessionTokens {
  /** ln P of the set under everyone's independent presences, once computed. */
  everyone: number;
  /** ln P of the set under its entity's independent presences, once computed. */
  own: number;
}

/**
 * Presence tokens interned without building their strings per event: a command by name, a parameter under
 * its command, a value under its parameter; a token's text is built once, when first met, and every text
 * maps to one node, so interning agrees with the tokens as strings even when a name holds SEP.
 */
class TokenInterner {
  /** Each token's text by id. */
  readonly texts: string[] = [];
  readonly #byText = new Map<string, TokenNode>();
  readonly #roots = new Map<string, TokenNode>();
  #stamp = 0;
  readonly #ids: number[] = [];
  #unseen: string[] = [];

  /** The id of a token's text, assigning the next one when `learning` (undefined for an unknown token otherwise). */
  idOf(text: string, learning: boolean): number | undefined {
    return this.#find(text, learning)?.id;
  }

  #find(text: string, learning: boolean): TokenNode | undefined {
    let n = this.#byText.get(text);
    if (n === undefined && learning) {
      n = { text, id: this.texts.length, stamp: 0, children: undefined };
      this.texts.push(text);
      this.#byText.set(text, n);
    }
    return n;
  }

  #root(name: string, learning: boolean): TokenNode | string {
    let n = this.#roots.get(name);
    if (n === undefined) {
      n = this.#find(name, learning);
      if (n === undefined) return name;
      this.#roots.set(name, n);
    }
    return n;
  }

  #child(parent: TokenNode | string, part: string, learning: boolean): TokenNode | string {
    if (typeof parent === "string") {
      const text = `${parent}${SEP}${part}`;
      return this.#find(text, learning) ?? text;
    }
    let n = parent.children?.get(part);
    if (n === undefined) {
      const text = `${parent.text}${SEP}${part}`;
      n = this.#find(text, learning);
      if (n === undefined) return text;
      if (parent.children === undefined) parent.children = new Map();
      parent.children.set(part, n);
    }
    return n;
  }

  #emit(t: TokenNode | string): void {
    if (typeof t !== "string") {
      if (t.stamp === this.#stamp) return;
      t.stamp = this.#stamp;
      this.#ids.push(t.id);
    } else if (!this.#unseen.includes(t)) {
      this.#unseen.push(t);
      this.#ids.push(-this.#unseen.length);
    }
  }

  /** The session's tokens as {@link presenceTokens} lists them, new tokens taking the next ids when `learning`. */
  describe(
    categorical: ReadonlySet<string>,
    session: readonly Command[],
    learning: boolean,
  ): { tokens: Int32Array; unseen: string[] } {
    this.#stamp++;
    this.#ids.length = 0;
    this.#unseen = [];
    for (const c of session) {
      if (typeof c === "string") {
        this.#emit(this.#root(c, learning));
        continue;
      }
      const command = this.#root(c.name, learning);
      this.#emit(command);
      if (c.params instanceof Set) for (const p of c.params) this.#emit(this.#child(command, p, learning));
      else {
        const params = c.params as Record<string, string | null>;
        // Keys, then each value: Object.entries made an array per parameter.
        for (const p of Object.keys(params)) {
          const v = params[p] as string | null;
          const param = this.#child(command, p, learning);
          this.#emit(param);
          if (categorical.has(p)) this.#emit(this.#child(param, v ?? "", learning));
        }
      }
    }
    return { tokens: Int32Array.from(this.#ids), unseen: this.#unseen };
  }
}

/**
 * Sessions' presence tokens, described once per session object for every occurrence view describing through
 * them (a model and the views counted over parts of its training sessions, which pass over the same objects).
 */
class Descriptions {
  readonly tokens = new TokenInterner();
  readonly #of = new WeakMap<WeightedSession, SessionTokens>();

  constructor(readonly categorical: ReadonlySet<string>) {}

  /** The session's tokens and set key, new tokens taking the next ids when `learning`. */
  of(s: WeightedSession, learning: boolean): SessionTokens {
    let d = this.#of.get(s);
    // Described before training met some of its tokens: again, so that counting it learns them.
    if (d === undefined || (learning && d.unseen.length > 0)) {
      const { tokens, unseen } = this.tokens.describe(this.categorical, s.session, learning);
      // The key is the sorted ids of the tokens: sorting numbers, not strings.
      d = { tokens, unseen, key: unseen.length > 0 ? UNSEEN_SET : setKey(tokens.slice().sort()) };
      this.#of.set(s, d);
    }
    return d;
  }
}

/** Presence counts of everyone or of one entity. */
interface PresenceCounts {
  /** Sessions (weighted) in which each token (by id) occurred, in first-seen order. */
  readonly seen: Map<number, number>;
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
  /** The entity prior ({@link EntityPrior}; {@link ENTITY_PRIOR} when not given). */
  readonly entityPrior?: EntityPrior;
}

const emptyCounts = (): PresenceCounts => ({ seen: new Map(), sessions: 0, sets: new SetMemory() });

function badCounts(problem: string): never {
  throw new SeqhuntError(`not a valid saved occurrence view: ${problem}`);
}

/** Checks a list of (text, count) pairs of a saved view. */
function checkedPairs(list: unknown, field: string): readonly (readonly [string, number])[] {
  if (!Array.isArray(list)) badCounts(`${field} must be a list of [text, count] pairs`);
  for (let i = 0; i < list.length; i++) {
    const pair = list[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || !isCount(pair[1]))
      badCounts(`${field}[${i}] must be a [text, count] pair`);
  }
  return list as readonly (readonly [string, number])[];
}

function countsFromJson(j: PresenceCountsJson, tokens: TokenInterner, field: string): PresenceCounts {
  if (
    j === null ||
    typeof j !== "object" ||
    !isCount(j.sessions) ||
    j.sets === null ||
    typeof j.sets !== "object"
  )
    badCounts(`${field} must hold "seen", "sessions" and "sets"`);
  if (!isCount(j.sets.sessions)) badCounts(`${field}.sets.sessions must be a count`);
  const seen = new Map<number, number>();
  for (const [t, n] of checkedPairs(j.seen, `${field}.seen`)) seen.set(tokens.idOf(t, true) as number, n);
  const savedSets = checkedPairs(j.sets.counts, `${field}.sets.counts`);
  const sets = new Map<string, number>();
  for (const [key, n] of savedSets) sets.set(setKeyOfSaved(key), n);
  if (sets.size !== savedSets.length) badCounts(`${field}.sets.counts lists a set twice`);
  return { seen, sessions: j.sessions, sets: new SetMemory(sets, j.sets.sessions) };
}

const countsToJson = (c: PresenceCounts, texts: readonly string[]): PresenceCountsJson => ({
  seen: [...c.seen].map(([id, n]) => [texts[id] as string, n]),
  sessions: c.sessions,
  sets: c.sets.toJSON(),
});

/** A presence rate: sessions holding the token, plus one, over sessions plus two (Laplace's rule of succession). */
const presenceRate = (seen: number, sessions: number): number => (seen + 1) / (sessions + 2);

/** The rates an entity's lean on and are scored against: everyone's, or the other entities' (see {@link Against}). */
interface Background {
  /** The background's rate of a token by id (negative: never seen in training). */
  readonly rate: (id: number) => number;
  /** Whether the background counted the token: only those add the chance of their absence. */
  readonly known: (id: number) => boolean;
  /**
   * The sum of `term` over the tokens the background counted; against the others, `term` of a token the entity
   * never holds must depend on its count in everyone's sessions alone (found once per count).
   */
  readonly sumOverKnown: (term: (id: number) => number) => number;
  /** Each entity's sum over known tokens of ln(1 - its rate), once found. */
  readonly bases: Map<PresenceCounts, number>;
  /** The same with one session left out ({@link Presence.#entityBaseLeftOut}). */
  readonly basesLeftOut: Map<PresenceCounts, number>;
}

/** One entity's background of the other entities' counts (everyone's less the entity's), with what scoring reads. */
interface Others extends Background {
  /** Sum over the tokens the others hold of ln(1 - their rate). */
  readonly base: number;
  /** How many distinct sets the others' sessions hold. */
  readonly distinct: number;
}

/** Everyone's rates by token id, fixed when first scored: rate, its -ln, and a present token's term of ln P(set). */
interface GlobalRates {
  readonly rate: Float64Array;
  readonly surprise: Float64Array;
  readonly term: Float64Array;
  /** Sum over known tokens of ln(1 - rate). */
  readonly base: number;
  /** The rate of a token never seen in training. */
  readonly unseenRate: number;
}

/**
 * Which commands (and parameters, and categorical values) occur in a session, as independent Bernoulli
 * presences with whole sets remembered: -ln P(the session's set), or with an entity, ln P_global(set) -
 * ln P_entity(set) where an entity's rates lean on the global ones. With `combine: "max"`, the single most
 * surprising token instead (a rare one present or a usual one absent).
 */
export class Presence {
  /** Sessions' tokens, described once per session object: this view's own, or shared with the view it is {@link Presence.alike}. */
  readonly #descriptions: Descriptions;
  /** Whether the descriptions are this view's own (token ids in the order it first counted them). */
  readonly #ownsTokens: boolean;
  /** This view's scores of a session's set, computed once per session object (training sessions are scored again, held out). */
  readonly #described = new WeakMap<WeightedSession, Described>();
  /** Orders token ids as this view first counted them, once asked for ({@link Presence.#byFirstCounted}). */
  #firstCounted: ((a: number, b: number) => number) | undefined;
  #global: GlobalRates | undefined;
  /** Each known token's words in an explanation, by id, once asked for. */
  #steps: (string | undefined)[] = [];
  /** The entity prior: as given, or "held-out" until chosen. */
  #prior: EntityPrior;
  /** Everyone's counts as an entity's background. */
  readonly #everyone: Background = {
    rate: (id) => this.#everyoneRate(id),
    known: (id) => this.global.seen.has(id),
    sumOverKnown: (term) => {
      let sum = 0;
      for (const id of this.global.seen.keys()) sum += term(id);
      return sum;
    },
    bases: new Map(),
    basesLeftOut: new Map(),
  };
  /** Each entity's background of the other entities' counts, once asked for. */
  readonly #othersOf = new Map<PresenceCounts, Others>();
  readonly #maxViews = new Map<
    string | undefined,
    { rate: (id: number) => number; absent: [number, number][] }
  >();
  readonly global: PresenceCounts;
  readonly entities: ReadonlyMap<string, PresenceCounts>;

  private constructor(
    readonly combine: "sum" | "max",
    readonly perEntity: boolean,
    categorical: ReadonlySet<string>,
    prior: EntityPrior,
    from: { readonly counts?: PresenceJson; readonly describedBy?: Descriptions } = {},
  ) {
    this.#prior = prior;
    this.#descriptions = from.describedBy ?? new Descriptions(categorical);
    this.#ownsTokens = from.describedBy === undefined;
    const { counts } = from;
    if (counts === undefined) {
      this.global = emptyCounts();
      this.entities = new Map();
      return;
    }
    const tokens = this.#descriptions.tokens;
    counts.tokenIds.forEach((t, i) => {
      if (typeof t !== "string" || tokens.idOf(t, true) !== i)
        badCounts(`tokenIds[${i}] must be a token not listed before`);
    });
    this.global = countsFromJson(counts.global, tokens, "global");
    this.entities = new Map(
      counts.entities.map((entry, i) => {
        if (!Array.isArray(entry) || typeof entry[0] !== "string")
          badCounts(`entities[${i}] must be an [entity, counts] pair`);
        return [entry[0], countsFromJson(entry[1], tokens, `entities[${i}]`)];
      }),
    );
  }

  /** The parameters whose values are told apart (found over every training session first). */
  get categorical(): ReadonlySet<string> {
    return this.#descriptions.categorical;
  }

  /**
   * An occurrence view with nothing counted yet, as this one (categorical parameters, per entity, combine),
   * that describes sessions through this one's tokens, each session object once for both: for counting some
   * of the sessions this one has counted (cross-fitting's halves). Scores as a view of its own would, with
   * this one's entity prior (chosen now when held out: the halves stand for the whole trained view).
   */
  alike(): Presence {
    return new Presence(this.combine, this.perEntity, this.categorical, this.entityPrior, {
      describedBy: this.#descriptions,
    });
  }

  /**
   * An occurrence view with nothing counted yet, telling apart the values of the `categorical` parameters
   * (found over every training session first): {@link Presence.add} each training session, then score.
   */
  static counting(
    categorical: ReadonlySet<string>,
    perEntity: boolean,
    combine: "sum" | "max",
    entityPrior: EntityPrior = ENTITY_PRIOR,
  ): Presence {
    return new Presence(combine, perEntity, categorical, entityPrior);
  }

  /** How many distinct tokens training has met so far (ids 0 to this less one, in first-met order). */
  get tokenCount(): number {
    return this.#descriptions.tokens.texts.length;
  }

  /** Counts one training session's presences (in everyone's counts, and its entity's when per entity). */
  add(t: WeightedSession): void {
    const w = weightOf(t);
    const { tokens, key } = this.#describe(t, true);
    this.#count(this.global, tokens, key, w);
    if (this.perEntity && t.entity !== undefined) {
      const entities = this.entities as Map<string, PresenceCounts>;
      let e = entities.get(t.entity);
      if (e === undefined) {
        e = emptyCounts();
        entities.set(t.entity, e);
      }
      this.#count(e, tokens, key, w);
    }
  }

  #count(c: PresenceCounts, tokens: Int32Array, key: string, w: number): void {
    c.sessions += w;
    c.sets.add(key, w);
    for (const id of tokens) c.seen.set(id, (c.seen.get(id) ?? 0) + w);
  }

  /** Counts the training sessions' presences. */
  static train(
    train: readonly WeightedSession[],
    perEntity: boolean,
    combine: "sum" | "max",
    entityPrior: EntityPrior = ENTITY_PRIOR,
  ): Presence {
    const view = Presence.counting(categoricalParams(train), perEntity, combine, entityPrior);
    for (const t of train) view.add(t);
    return view;
  }

  #describe(s: WeightedSession, learning: boolean): Described {
    let d = this.#described.get(s);
    if (d === undefined || (learning && d.unseen.length > 0)) {
      const { tokens, unseen, key } = this.#descriptions.of(s, learning);
      d = { tokens, unseen, key, everyone: Number.NaN, own: Number.NaN };
      this.#described.set(s, d);
    }
    return d;
  }

  /**
   * Compares token ids by when this view first counted them: by id when the tokens are its own, else by
   * its counting order (what its own ids would have been), so that sums over tokens add in the same order.
   */
  #byFirstCounted(): (a: number, b: number) => number {
    if (this.#firstCounted === undefined) {
      if (this.#ownsTokens) this.#firstCounted = (a, b) => a - b;
      else {
        const rank = new Int32Array(this.tokenCount);
        let i = 0;
        for (const id of this.global.seen.keys()) rank[id] = i++;
        this.#firstCounted = (a, b) => (rank[a] as number) - (rank[b] as number);
      }
    }
    return this.#firstCounted;
  }

  #globalRate = (id: number): number => presenceRate(this.global.seen.get(id) ?? 0, this.global.sessions);

  /** Everyone's rates by id, computed once: a hunt scores after training has counted everything. */
  #rates(): GlobalRates {
    if (this.#global === undefined) {
      const n = this.#descriptions.tokens.texts.length;
      const rate = new Float64Array(n);
      const surprise = new Float64Array(n);
      const term = new Float64Array(n);
      const known = this.global.seen;
      for (let id = 0; id < n; id++) {
        const p = this.#globalRate(id);
        rate[id] = p;
        surprise[id] = -Math.log(p);
        term[id] = known.has(id) ? Math.log(p) - Math.log1p(-p) : Math.log(p);
      }
      let base = 0;
      for (const id of known.keys()) base += Math.log1p(-this.#globalRate(id));
      this.#global = { rate, surprise, term, base, unseenRate: this.#globalRate(-1) };
    }
    return this.#global;
  }

  /** Everyone's rate of a token by id (negative: never seen in training). */
  #everyoneRate(id: number): number {
    const g = this.#rates();
    return id >= 0 && id < g.rate.length ? (g.rate[id] as number) : this.#globalRate(id);
  }

  /**
   * The weight (in sessions) of the background's rates in an entity's: as given, or with "held-out" chosen
   * from the training counts once they are complete (asked for after the last is added): the one that best predicts each entity's sessions, each left out, from its other
   * sessions leaning on the other entities' rates (the held-out likelihood of its presences, summed over
   * entities; empirical Bayes as in a Beta-binomial with the background's rate as its mean), within
   * {@link PRIOR_RANGE}. {@link ENTITY_PRIOR} where no entity has two sessions.
   */
  get entityPrior(): number {
    if (this.#prior === "held-out") {
      const held = [...this.entities.values()].filter((e) => e.sessions > 1);
      this.#prior =
        !this.perEntity || held.length === 0
          ? ENTITY_PRIOR
          : maximiseOnLogScale(
              (prior) => held.reduce((sum, e) => sum + this.#heldOutLikelihood(e, prior), 0),
              ...PRIOR_RANGE,
            );
    }
    return this.#prior;
  }

  /**
   * ln of the likelihood of an entity's presences, each session left out in turn (its rates from its other
   * sessions leaning on the other entities' with `prior` sessions of weight): each token it holds, once per
   * session holding it, and each token the others hold, once per session lacking it.
   */
  #heldOutLikelihood(e: PresenceCounts, prior: number): number {
    const o = this.#others(e);
    let ll = o.sumOverKnown((id) => {
      const absent = e.sessions - (e.seen.get(id) ?? 0);
      return absent > 0 ? absent * Math.log1p(-this.#entityRateLeftOut(e, id, 0, o, prior)) : 0;
    });
    for (const [id, n] of e.seen) ll += n * Math.log(this.#entityRateLeftOut(e, id, 1, o, prior));
    return ll;
  }

  /** An entity's presence rate of a token, leaning on its background's rate with {@link Presence.entityPrior} sessions. */
  #entityRate(e: PresenceCounts, id: number, bg: Background): number {
    return shrunkRate(e.seen.get(id) ?? 0, e.sessions, bg.rate(id), this.entityPrior);
  }

  /** The other entities' counts as `e`'s background: everyone's less `e`'s, exactly (counts add). */
  #others(e: PresenceCounts): Others {
    let o = this.#othersOf.get(e);
    if (o === undefined) {
      const g = this.global;
      const sessions = g.sessions - e.sessions;
      const left = (id: number) => (g.seen.get(id) ?? 0) - (e.seen.get(id) ?? 0);
      const rate = (id: number) => presenceRate(left(id), sessions);
      const known = (id: number) => left(id) > 0;
      const sumOverKnown = this.#sumOverOthers(e, known);
      const base = sumOverKnown((id) => Math.log1p(-rate(id)));
      const distinct = g.sets.distinctWithout(e.sets);
      o = { rate, known, sumOverKnown, base, distinct, bases: new Map(), basesLeftOut: new Map() };
      this.#othersOf.set(e, o);
    }
    return o;
  }

  /** Everyone's tokens grouped by their count, in first-met order: what a sum over the others' tokens walks. */
  #byCount: Map<number, number[]> | undefined;

  /**
   * Sums over the tokens `e`'s other entities counted (`known`) in time proportional to the entity's tokens and the distinct
   * counts, not of every token: the entity's tokens (in id order) one by one, every other token by its count,
   * one token standing for all of that count.
   */
  #sumOverOthers(
    e: PresenceCounts,
    known: (id: number) => boolean,
  ): (term: (id: number) => number) => number {
    if (this.#byCount === undefined) {
      this.#byCount = new Map();
      for (const [id, n] of this.global.seen) {
        const ids = this.#byCount.get(n);
        if (ids === undefined) this.#byCount.set(n, [id]);
        else ids.push(id);
      }
    }
    const byCount = this.#byCount;
    const held = [...e.seen.keys()].filter((id) => this.global.seen.has(id)).sort(this.#byFirstCounted());
    const heldOfCount = new Map<number, number>();
    for (const id of held) {
      const n = this.global.seen.get(id) as number;
      heldOfCount.set(n, (heldOfCount.get(n) ?? 0) + 1);
    }
    return (term) => {
      let sum = 0;
      for (const id of held) if (known(id)) sum += term(id);
      for (const [n, ids] of byCount) {
        const others = ids.length - (heldOfCount.get(n) ?? 0);
        if (others === 0) continue;
        let i = 0;
        while (e.seen.has(ids[i] as number)) i++;
        sum += others * term(ids[i] as number);
      }
      return sum;
    };
  }

  /** ln P(set) under `e`'s other entities' rates and remembered sets. */
  #othersLogProbability(e: PresenceCounts, o: Others, d: Described): number {
    return this.global.sets.logProbabilityWithout(
      e.sets,
      o.distinct,
      d.key,
      this.#independent(o.base, d.tokens, o.rate, o.known),
    );
  }

  /** ln P(set) under independent presences: `base` (every known token absent), corrected for each present one. */
  #independent(
    base: number,
    tokens: Int32Array,
    rate: (id: number) => number,
    known: (id: number) => boolean,
  ): number {
    let ll = base;
    for (const id of tokens) {
      const p = rate(id);
      ll += known(id) ? Math.log(p) - Math.log1p(-p) : Math.log(p);
    }
    return ll;
  }

  #entityOf(s: WeightedSession): PresenceCounts | undefined {
    return this.perEntity && s.entity !== undefined ? this.entities.get(s.entity) : undefined;
  }

  /** ln P(set) under everyone's rates = sum over known tokens of ln(1 - p), corrected by ln p - ln(1 - p) for each present one. */
  #everyoneLogProbability(tokens: Int32Array): number {
    const g = this.#rates();
    let ll = g.base;
    for (const id of tokens) {
      if (id >= 0 && id < g.term.length) ll += g.term[id] as number;
      else {
        const p = this.#globalRate(id);
        ll += this.global.seen.has(id) ? Math.log(p) - Math.log1p(-p) : Math.log(p);
      }
    }
    return ll;
  }

  /** ln P(set) under an entity's rates leaning on `bg`, as {@link Presence.#everyoneLogProbability}. */
  #entityLogProbability(e: PresenceCounts, tokens: Int32Array, bg: Background): number {
    let base = bg.bases.get(e);
    if (base === undefined) {
      base = bg.sumOverKnown((id) => Math.log1p(-this.#entityRate(e, id, bg)));
      bg.bases.set(e, base);
    }
    return this.#independent(base, tokens, (id) => this.#entityRate(e, id, bg), bg.known);
  }

  /**
   * An entity's rate of a token with one session fewer counted, `own` of them (0 or 1) the left-out session's
   * presence of it.
   */
  #entityRateLeftOut(
    e: PresenceCounts,
    id: number,
    own: number,
    bg: Background,
    prior = this.entityPrior,
  ): number {
    return shrunkRate((e.seen.get(id) ?? 0) - own, e.sessions - 1, bg.rate(id), prior);
  }

  /**
   * Each entity's sum over known tokens of ln(1 - rate) with one session left out: absent from it, except
   * tokens present in every session of the entity (so in the one left out).
   */
  #entityBaseLeftOut(e: PresenceCounts, bg: Background): number {
    let base = bg.basesLeftOut.get(e);
    if (base === undefined) {
      base = bg.sumOverKnown((id) => Math.log1p(-this.#entityRateLeftOut(e, id, this.#inEvery(e, id), bg)));
      bg.basesLeftOut.set(e, base);
    }
    return base;
  }

  /** 1 when the token occurs in every session of the entity, else 0. */
  #inEvery(e: PresenceCounts, id: number): number {
    return (e.seen.get(id) ?? 0) > e.sessions - 1 ? 1 : 0;
  }

  /**
   * ln P(set) under an entity's rates with one occurrence of this training session (its `tokens`) taken out:
   * as a new session of the entity meets its own rare commands.
   */
  #entityLogProbabilityLeftOut(e: PresenceCounts, tokens: Int32Array, bg: Background): number {
    let ll = this.#entityBaseLeftOut(e, bg);
    for (const id of tokens) {
      // The entity may hold a token its background does not (against the others: one only it uses).
      const p = this.#entityRateLeftOut(e, id, (e.seen.get(id) ?? 0) > 0 ? 1 : 0, bg);
      ll += bg.known(id)
        ? Math.log(p) - Math.log1p(-this.#entityRateLeftOut(e, id, this.#inEvery(e, id), bg))
        : Math.log(p);
    }
    return ll;
  }

  /**
   * The session's score (see the class); `leaveOut` scores a training session as held out; `against` whose
   * counts an entity's session is weighed against (the other entities' only with "sum").
   */
  score(s: WeightedSession, leaveOut = false, against: Against = "everyone"): number {
    if (this.combine === "max") return this.#mostSurprising(s);
    const d = this.#describe(s, false);
    const e = this.#entityOf(s);
    if (e !== undefined && against === "others") {
      const o = this.#others(e);
      const own = e.sets.logProbability(d.key, this.#entityLogProbability(e, d.tokens, o), leaveOut);
      return this.#othersLogProbability(e, o, d) - own;
    }
    if (Number.isNaN(d.everyone)) d.everyone = this.#everyoneLogProbability(d.tokens);
    const everyone = this.global.sets.logProbability(d.key, d.everyone, leaveOut);
    if (e === undefined) return -everyone;
    if (Number.isNaN(d.own)) d.own = this.#entityLogProbability(e, d.tokens, this.#everyone);
    return everyone - e.sets.logProbability(d.key, d.own, leaveOut);
  }

  /**
   * A training session's score held out as a new session of its entity meets it: its whole set out of the
   * remembered sets (as `score` with `leaveOut`) and one occurrence of it out of its entity's presences;
   * everyone's, of many entities, are kept (the other entities' hold none of it). Without an entity (or with
   * "max"), as `score` with `leaveOut`.
   */
  heldOutScore(s: WeightedSession, against: Against = "everyone"): number {
    const e = this.#entityOf(s);
    // An entity of one session has nothing left: its rates would be everyone's.
    if (this.combine === "max" || e === undefined || e.sessions <= 1) return this.score(s, true, against);
    const d = this.#describe(s, false);
    let background: number;
    let bg: Background = this.#everyone;
    if (against === "others") {
      bg = this.#others(e);
      background = this.#othersLogProbability(e, bg as Others, d);
    } else {
      if (Number.isNaN(d.everyone)) d.everyone = this.#everyoneLogProbability(d.tokens);
      background = this.global.sets.logProbability(d.key, d.everyone, true);
    }
    return (
      background - e.sets.logProbability(d.key, this.#entityLogProbabilityLeftOut(e, d.tokens, bg), true)
    );
  }

  /**
   * By its single most surprising token, in nats: a present token's -ln p or an absent token's -ln(1 - p);
   * with an entity, minus the same under everyone's rates. Absent tokens are kept sorted by their score,
   * so a session costs its present tokens plus the first absent one found.
   */
  #mostSurprising(s: WeightedSession): number {
    const { tokens } = this.#describe(s, false);
    const { rate, absent } = this.#maxView(s);
    let worst = Number.NEGATIVE_INFINITY;
    for (const id of tokens) worst = Math.max(worst, rate(id));
    for (const [id, score] of absent) {
      if (tokens.includes(id)) continue;
      worst = Math.max(worst, score);
      break;
    }
    return worst;
  }

  #maxView(s: WeightedSession): { rate: (id: number) => number; absent: [number, number][] } {
    const e = this.#entityOf(s);
    const key = e === undefined ? undefined : s.entity;
    let v = this.#maxViews.get(key);
    if (v === undefined) {
      const surprise = (p: number, present: boolean) => (present ? -Math.log(p) : -Math.log1p(-p));
      const rate = (id: number) =>
        e === undefined ? this.#everyoneRate(id) : this.#entityRate(e, id, this.#everyone);
      const relative = (id: number, present: boolean) =>
        surprise(rate(id), present) - (e === undefined ? 0 : surprise(this.#everyoneRate(id), present));
      const absent = [...this.global.seen.keys()].map((id): [number, number] => [id, relative(id, false)]);
      absent.sort((a, b) => b[1] - a[1]);
      v = { rate: (id) => relative(id, true), absent };
      this.#maxViews.set(key, v);
    }
    return v;
  }

  /**
   * The rarest present tokens in words, with -ln of their presence rate (everyone's, or the entity's leaning
   * on its background, `against`).
   */
  explain(s: WeightedSession, against: Against = "everyone"): StepContribution[] {
    // Described once per session: a hunt explains the very sessions it trained on.
    const { tokens, unseen } = this.#describe(s, false);
    const e = this.#entityOf(s);
    const bg = e !== undefined && against === "others" ? this.#others(e) : this.#everyone;
    const g = this.#rates();
    // The three largest in first-met order among ties (a stable sort's first three), without sorting them all.
    const top: { id: number; surprise: number }[] = [];
    for (const id of tokens) {
      const surprise =
        e !== undefined
          ? -Math.log(this.#entityRate(e, id, bg))
          : id >= 0 && id < g.surprise.length
            ? (g.surprise[id] as number)
            : -Math.log(this.#globalRate(id));
      if (top.length === 3 && surprise <= (top[2] as { surprise: number }).surprise) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1] as { surprise: number }).surprise < surprise) at--;
      top.splice(at, 0, { id, surprise });
      if (top.length > 3) top.pop();
    }
    // Words only for the three kept, once per token: building them for every present token cost seconds on long hunts.
    return top.map(({ id, surprise }) => ({ step: this.#step(id, unseen), surprise }));
  }

  /** A present token in words, as {@link Presence.explain} lists it; a known token's words are kept by id. */
  #step(id: number, unseen: readonly string[]): string {
    // Filled up front: writing far past the end of an empty array makes it a dictionary.
    if (this.#steps.length < this.#descriptions.tokens.texts.length)
      this.#steps = [
        ...this.#steps,
        ...new Array(this.#descriptions.tokens.texts.length - this.#steps.length).fill(undefined),
      ];
    const kept = id >= 0 ? this.#steps[id] : undefined;
    if (kept !== undefined) return kept;
    const text = id >= 0 ? (this.#descriptions.tokens.texts[id] as string) : (unseen[-id - 1] as string);
    const step = this.global.seen.has(id)
      ? `${tokenText(text)} occurs`
      : `${tokenText(text)}: never seen in training`;
    if (id >= 0) this.#steps[id] = step;
    return step;
  }

  /** The learnt state as JSON. */
  toJSON(): PresenceJson {
    const texts = this.#descriptions.tokens.texts;
    return {
      combine: this.combine,
      perEntity: this.perEntity,
      categorical: [...this.categorical],
      tokenIds: [...texts],
      global: countsToJson(this.global, texts),
      entities: [...this.entities].map(([name, c]) => [name, countsToJson(c, texts)]),
      entityPrior: this.entityPrior,
    };
  }

  /**
   * An occurrence view from its counts (what a database that counts in SQL supplies), as {@link Presence.toJSON}
   * writes them: `categorical` the parameters {@link categoricalParams} finds in training;
   * a session's tokens are its commands, `command U+0000 parameter` for each parameter and `command U+0000
   * parameter U+0000 value` for each categorical one's value (null as ""); `tokenIds` every token in the
   * order training first met it; `global.seen` the weighted number of sessions holding each token,
   * `global.sessions` their total weight, `global.sets` the weight of each distinct token set keyed by its
   * tokens' ids sorted as numbers and joined by ","; `entities` the same over each entity's own sessions;
   * `entityPrior` the {@link EntityPrior} ({@link ENTITY_PRIOR} when not given; files saved before it hold none).
   */
  static fromCounts(counts: PresenceJson): Presence {
    return new Presence(
      counts.combine,
      counts.perEntity,
      new Set(counts.categorical),
      counts.entityPrior ?? ENTITY_PRIOR,
      { counts },
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
      !Array.isArray(j.entities) ||
      (j.entityPrior !== undefined && j.entityPrior !== "held-out" && !(j.entityPrior > 0))
    )
      throw new SeqhuntError("not a valid saved occurrence view: a field is missing or of the wrong kind");
    return Presence.fromCounts(j as PresenceJson);
  }
}
