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

/** A session's windows: each window's key with how often it occurs, apart for windows at an edge (holding the start or end). */
interface Windows {
  readonly edge: Map<string, number>;
  readonly inner: Map<string, number>;
}

/** Never-seen windows and all windows of a session, at its edges and inside: what a length predicts is split so. */
export interface NoveltyCount {
  readonly novel: readonly [edge: number, inner: number];
  readonly windows: readonly [edge: number, inner: number];
}

/**
 * The session padded with the core's start and end tokens, cut into windows of `window` tokens (the whole
 * padded session when it is shorter).
 */
function windowsOf(s: WeightedSession, window: number): Windows {
  const tokens = [START_TOKEN, ...namesOf(s.session), END_TOKEN];
  const out: Windows = { edge: new Map(), inner: new Map() };
  const n = Math.min(window, tokens.length);
  // One joined string, each window a slice of it: linear in the session's length whatever the window.
  const joined = tokens.join(SEP);
  const starts: number[] = [];
  for (let i = 0, at = 0; i <= tokens.length; i++) {
    starts.push(at);
    at += (tokens[i]?.length ?? 0) + 1;
  }
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = joined.slice(starts[i], (starts[i + n] as number) - 1);
    const kind = i === 0 || i + n === tokens.length ? out.edge : out.inner;
    kind.set(key, (kind.get(key) ?? 0) + 1);
  }
  return out;
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

  private constructor(
    readonly window: number,
    readonly counts: Map<string, number>,
  ) {}

  /**
   * A novelty view from its counts (what a database that counts in SQL supplies): `counts` must hold, for
   * every window of `window` tokens of a training session padded with the core's start and end tokens (the
   * whole padded session when shorter), its key (the tokens joined by U+0000) and how often it occurred,
   * each occurrence adding its session's weight; only windows that occurred. Later {@link Novelty.add}s
   * count into it; score only after the last.
   */
  static fromCounts(window: number, counts: Map<string, number>): Novelty {
    if (!Number.isInteger(window) || window < 1)
      throw new SeqhuntError(`a novelty window must be a whole number of commands >= 1, not ${window}`);
    return new Novelty(window, counts);
  }

  /** A novelty view with nothing counted yet: {@link Novelty.add} each training session, then score. */
  static empty(window: number): Novelty {
    return Novelty.fromCounts(window, new Map());
  }

  /** Counts the windows of one training session, each with the session's weight. */
  add(t: WeightedSession): void {
    const w = weightOf(t);
    const { edge, inner } = this.#of(t);
    for (const [key, n] of [...edge, ...inner]) this.counts.set(key, (this.counts.get(key) ?? 0) + n * w);
  }

  /** Counts the windows of the training sessions (each session's windows with its weight). */
  static train(train: readonly WeightedSession[], window: number): Novelty {
    const view = Novelty.empty(window);
    for (const t of train) view.add(t);
    return view;
  }

  #of(s: WeightedSession): Windows {
    let windows = this.#windows.get(s);
    if (windows === undefined) {
      windows = windowsOf(s, this.window);
      this.#windows.set(s, windows);
    }
    return windows;
  }

  /**
   * How many of the session's windows never occurred in training, of how many; `leaveOut` scores a training
   * session as if one occurrence of it had not been counted (a window only it holds is then new), "whole" as
   * if none of its occurrences had.
   */
  count(s: WeightedSession, leaveOut: boolean | "whole" = false): NoveltyCount {
    const { edge, inner } = this.#of(s);
    const tally = (windows: Map<string, number>): [number, number] => {
      let novel = 0;
      let all = 0;
      for (const [key, n] of windows) {
        all += n;
        const own = leaveOut === "whole" ? n * weightOf(s) : leaveOut ? n : 0;
        if ((this.counts.get(key) ?? 0) - own <= 0) novel += n;
      }
      return [novel, all];
    };
    const [edgeNovel, edgeAll] = tally(edge);
    const [innerNovel, innerAll] = tally(inner);
    return { novel: [edgeNovel, innerNovel], windows: [edgeAll, innerAll] };
  }

  /** The session's never-seen windows in words (the edge ones first, each once). */
  explain(s: WeightedSession): StepContribution[] {
    const { edge, inner } = this.#of(s);
    return [...edge.keys(), ...inner.keys()]
      .filter((key) => !this.counts.has(key))
      .map((key) => ({
        step: `${key.split(SEP).map(tokenWords).join(" -> ")}: never seen in training`,
        surprise: 1,
      }));
  }

  /** The counts as JSON. */
  toJSON(): NoveltyJson {
    return { window: this.window, counts: [...this.counts] };
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
