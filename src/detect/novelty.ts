import { SeqhuntError } from "../errors.js";
import { END_TOKEN, START_TOKEN } from "../model/tokens.js";
import { KEY_SEPARATOR, namesOf, tokenWords, weightOf } from "./base.js";
import type { StepContribution, WeightedSession } from "./types.js";

/** Separates the commands of a window inside one key (a command name never holds it). */
const SEP = KEY_SEPARATOR;

/** Novelty counts as JSON. */
export interface NoveltyJson {
  /** Commands per window. */
  readonly window: number;
  /** How often each window occurred in training (weighted), keyed by its commands joined with U+0000. */
  readonly counts: readonly (readonly [string, number])[];
}

/** A novelty view's counts as held: tokens by id, each window's key (its tokens' ids, see {@link keyUnits}) and count. */
export interface NoveltyParts {
  readonly window: number;
  readonly names: readonly string[];
  readonly keys: readonly string[];
  readonly counts: Float64Array;
}

/**
 * A session's windows: each window's key (its tokens' ids, see {@link keyUnits}) with how often it occurs,
 * apart for windows at an edge (holding the start or end); `names` reads the ids of tokens training never met.
 */
interface Windows {
  readonly edge: Map<string, number>;
  readonly inner: Map<string, number>;
  readonly unseen: readonly string[];
}

/** Never-seen windows and all windows of a session, at its edges and inside: what a length predicts is split so. */
export interface NoveltyCount {
  readonly novel: readonly [edge: number, inner: number];
  readonly windows: readonly [edge: number, inner: number];
}

/**
 * A token id as one UTF-16 unit (two beyond 0x7fff, the first marked by its top bit): a window's key is its
 * ids' units, a few bytes where the commands' names joined took a hundred (millions of windows are kept).
 */
function keyUnits(id: number): string {
  return id < 0x8000 ? String.fromCharCode(id) : String.fromCharCode(0x8000 | (id >>> 15), id & 0x7fff);
}

/** The token ids of a key made by {@link keyUnits}. */
function idsOfKey(key: string): number[] {
  const ids: number[] = [];
  for (let i = 0; i < key.length; i++) {
    const u = key.charCodeAt(i);
    ids.push(u < 0x8000 ? u : ((u & 0x7fff) << 15) | key.charCodeAt(++i));
  }
  return ids;
}

/**
 * Novelty mass (STIDE-like): how many of a session's windows of `window` consecutive commands never occurred
 * in training. On long sessions an attack leaves several such windows where an ordinary process with one
 * odd call leaves one or two, so the count tells them apart where the rarest step does not. Counts add, so
 * two novelty views merge exactly.
 */
export class Novelty {
  /** Each session's windows, found once per session object (training sessions are scored again, held out). */
  readonly #windows = new WeakMap<WeightedSession, Windows>();
  /** Token ids by name (the start and end tokens too), in the order the counts first met them. */
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];
  /** How often each window occurred in training (weighted), keyed by its tokens' ids. */
  readonly #counts = new Map<string, number>();

  private constructor(readonly window: number) {}

  /**
   * A novelty view from its counts (what a database that counts in SQL supplies): `counts` must hold, for
   * every window of `window` tokens of a training session padded with the core's start and end tokens (the
   * whole padded session when shorter), its key (the tokens joined by U+0000) and how often it occurred,
   * each occurrence adding its session's weight; only windows that occurred. Later {@link Novelty.add}s
   * count on top; score only after the last.
   */
  static fromCounts(window: number, counts: ReadonlyMap<string, number>): Novelty {
    if (!Number.isInteger(window) || window < 1)
      throw new SeqhuntError(`a novelty window must be a whole number of commands >= 1, not ${window}`);
    const view = new Novelty(window);
    for (const [names, n] of counts) {
      const key = names
        .split(SEP)
        .map((name) => keyUnits(view.#idOf(name)))
        .join("");
      view.#counts.set(key, n);
    }
    return view;
  }

  /** The counts as they are held (tokens by id, windows keyed by ids), cheap to send to another thread. */
  toParts(): NoveltyParts {
    return {
      window: this.window,
      names: [...this.#names],
      keys: [...this.#counts.keys()],
      counts: Float64Array.from(this.#counts.values()),
    };
  }

  /**
   * The novelty view of several views' counts added up (each counted over a part of the training sessions,
   * as {@link Novelty.toParts} gives them): counts add, so it scores as one counted over every session.
   */
  static merge(window: number, parts: readonly NoveltyParts[]): Novelty {
    const view = Novelty.empty(window);
    for (const part of parts) {
      const ids = part.names.map((name) => view.#idOf(name));
      const same = ids.every((id, i) => id === i);
      part.keys.forEach((key, i) => {
        const mine = same
          ? key
          : idsOfKey(key)
              .map((id) => keyUnits(ids[id] as number))
              .join("");
        view.#counts.set(mine, (view.#counts.get(mine) ?? 0) + (part.counts[i] as number));
      });
    }
    return view;
  }

  /** A novelty view with nothing counted yet: {@link Novelty.add} each training session, then score. */
  static empty(window: number): Novelty {
    return Novelty.fromCounts(window, new Map());
  }

  /** Counts the windows of one training session, each with the session's weight. */
  add(t: WeightedSession): void {
    const w = weightOf(t);
    const { edge, inner } = this.#of(t, true);
    for (const [key, n] of [...edge, ...inner]) this.#counts.set(key, (this.#counts.get(key) ?? 0) + n * w);
  }

  /** Counts the windows of the training sessions (each session's windows with its weight). */
  static train(train: readonly WeightedSession[], window: number): Novelty {
    const view = Novelty.empty(window);
    for (const t of train) view.add(t);
    return view;
  }

  /** A token's id, given it now when it is new. */
  #idOf(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.length;
      this.#ids.set(name, id);
      this.#names.push(name);
    }
    return id;
  }

  /**
   * The session padded with the core's start and end tokens, cut into windows of `window` tokens (the whole
   * padded session when it is shorter). Tokens never counted get ids past the known ones when not
   * `learning` (such windows match no count, and are not kept: a later `add` would give them other ids).
   */
  #of(s: WeightedSession, learning: boolean): Windows {
    const known = this.#windows.get(s);
    if (known !== undefined) return known;
    const tokens = [START_TOKEN, ...namesOf(s.session), END_TOKEN];
    const unseen: string[] = [];
    const unseenIds = new Map<string, number>();
    // One string of every token's units, each window a slice of it: linear in the session's length.
    const units: string[] = [];
    const starts: number[] = [0];
    let at = 0;
    for (const name of tokens) {
      let id = learning ? this.#idOf(name) : this.#ids.get(name);
      if (id === undefined) {
        id = unseenIds.get(name);
        if (id === undefined) {
          id = this.#names.length + unseen.length;
          unseenIds.set(name, id);
          unseen.push(name);
        }
      }
      const u = keyUnits(id);
      units.push(u);
      at += u.length;
      starts.push(at);
    }
    const joined = units.join("");
    const out: Windows = { edge: new Map(), inner: new Map(), unseen };
    const n = Math.min(this.window, tokens.length);
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = joined.slice(starts[i], starts[i + n]);
      const kind = i === 0 || i + n === tokens.length ? out.edge : out.inner;
      kind.set(key, (kind.get(key) ?? 0) + 1);
    }
    if (unseen.length === 0) this.#windows.set(s, out);
    return out;
  }

  /** A window's tokens joined by U+0000: its key in the JSON form (`unseen` names the ids past the known ones). */
  #namesOf(key: string, unseen: readonly string[] = []): string {
    const names = this.#names;
    return idsOfKey(key)
      .map((id) => (id < names.length ? names[id] : unseen[id - names.length]) as string)
      .join(SEP);
  }

  /**
   * How many of the session's windows never occurred in training, of how many; `leaveOut` scores a training
   * session as if one occurrence of it had not been counted (a window only it holds is then new), "whole" as
   * if none of its occurrences had.
   */
  count(s: WeightedSession, leaveOut: boolean | "whole" = false): NoveltyCount {
    const { edge, inner } = this.#of(s, false);
    const tally = (windows: Map<string, number>): [number, number] => {
      let novel = 0;
      let all = 0;
      for (const [key, n] of windows) {
        all += n;
        const own = leaveOut === "whole" ? n * weightOf(s) : leaveOut ? n : 0;
        if ((this.#counts.get(key) ?? 0) - own <= 0) novel += n;
      }
      return [novel, all];
    };
    const [edgeNovel, edgeAll] = tally(edge);
    const [innerNovel, innerAll] = tally(inner);
    return { novel: [edgeNovel, innerNovel], windows: [edgeAll, innerAll] };
  }

  /** The session's never-seen windows in words (the edge ones first, each once). */
  explain(s: WeightedSession): StepContribution[] {
    const { edge, inner, unseen } = this.#of(s, false);
    return [...edge.keys(), ...inner.keys()]
      .filter((key) => !this.#counts.has(key))
      .map((key) => ({
        step: `${this.#namesOf(key, unseen).split(SEP).map(tokenWords).join(" -> ")}: never seen in training`,
        surprise: 1,
      }));
  }

  /** How often each window occurred in training (weighted), keyed by its tokens joined by U+0000, in the order first counted. */
  counts(): Map<string, number> {
    return new Map([...this.#counts].map(([key, n]) => [this.#namesOf(key), n]));
  }

  /** The counts as JSON. */
  toJSON(): NoveltyJson {
    return { window: this.window, counts: [...this.counts()] };
  }

  /** A novelty view saved with {@link Novelty.toJSON}. */
  static fromJSON(json: unknown): Novelty {
    const j = (json ?? {}) as Partial<NoveltyJson>;
    if (!Number.isInteger(j.window) || (j.window as number) < 1 || !Array.isArray(j.counts))
      throw new SeqhuntError("not a valid saved novelty view: expected a window length and window counts");
    const counts = new Map<string, number>();
    for (const entry of j.counts) {
      const [key, n] = Array.isArray(entry) ? entry : [];
      if (typeof key !== "string" || typeof n !== "number" || !(n > 0))
        throw new SeqhuntError(`not a valid saved novelty view: window count ${JSON.stringify(entry)}`);
      counts.set(key, n);
    }
    return Novelty.fromCounts(j.window as number, counts);
  }
}
