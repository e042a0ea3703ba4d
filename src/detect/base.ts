import { SeqhuntError } from "../errors.js";
import { END_TOKEN, START_TOKEN, UNK_TOKEN } from "../model/tokens.js";
import type { Command } from "../types.js";
import { Calibration } from "./calibration.js";
import type { Detector, DetectorExplanation, WeightedSession } from "./types.js";

/** A way of scoring a session: higher is more anomalous; `leaveOut` scores a training session as held out. */
export type View = (s: WeightedSession, leaveOut?: boolean) => number;

/** A session's weight (1 when not given). */
export const weightOf = (s: WeightedSession): number => s.weight ?? 1;

/** A command's name. */
export const nameOf = (c: Command): string => (typeof c === "string" ? c : c.name);

/** A parameter is categorical (its values worth telling apart) when it has at most 20 distinct values in training. */
export const CATEGORICAL = 20;

/**
 * Finds the parameters with at most {@link CATEGORICAL} distinct values, one training session at a time (so
 * a training that reads its sessions in passes finds them in one pass).
 */
export class CategoricalParams {
  readonly #values = new Map<string, Set<string | null>>();

  /** Notes the parameter values of one training session. */
  add(t: WeightedSession): void {
    for (const c of t.session) {
      if (typeof c === "string" || c.params instanceof Set) continue;
      const params = c.params as Record<string, string | null>;
      // Keys, then each value: Object.entries made an array per parameter (a third of this pass's time).
      for (const p of Object.keys(params)) {
        const v = params[p] as string | null;
        let seen = this.#values.get(p);
        if (seen === undefined) {
          seen = new Set();
          this.#values.set(p, seen);
        }
        if (seen.size <= CATEGORICAL) seen.add(v);
      }
    }
  }

  /**
   * Each parameter with its distinct values so far, or null past {@link CATEGORICAL} of them: what
   * {@link categoricalOfParts} merges (one part per worker thread, say).
   */
  parts(): [param: string, values: (string | null)[] | null][] {
    return [...this.#values].map(([p, seen]) => [p, seen.size <= CATEGORICAL ? [...seen] : null]);
  }

  /** The categorical parameters of the sessions added so far. */
  params(): Set<string> {
    return new Set([...this.#values].filter(([, seen]) => seen.size <= CATEGORICAL).map(([p]) => p));
  }
}

/**
 * The categorical parameters from distinct values gathered in parts (one per shard, say): each part gives a
 * parameter's distinct values, or null when it saw more than {@link CATEGORICAL} of them.
 */
export function categoricalOfParts(
  parts: Iterable<readonly [param: string, values: readonly (string | null)[] | null]>,
): Set<string> {
  const values = new Map<string, Set<string | null> | null>();
  for (const [p, vs] of parts) {
    const seen = values.get(p);
    if (seen === null) continue;
    if (vs === null) {
      values.set(p, null);
      continue;
    }
    const union = seen ?? new Set<string | null>();
    for (const v of vs) union.add(v);
    values.set(p, union.size <= CATEGORICAL ? union : null);
  }
  return new Set([...values].filter(([, seen]) => seen !== null).map(([p]) => p));
}

/** The parameters with at most {@link CATEGORICAL} distinct values in the training sessions. */
export function categoricalParams(train: readonly WeightedSession[]): Set<string> {
  const found = new CategoricalParams();
  for (const t of train) found.add(t);
  return found.params();
}

/** Separates the parts of one key: the commands of a novelty window; a command, parameter and value of a presence token. */
export const KEY_SEPARATOR = "\u0000";

/**
 * What an entity's session is weighed against: everyone's counts, or everyone's less the entity's own (the
 * other entities': "unlike this entity, and like the others", as masquerade detection asks).
 */
export type Against = "everyone" | "others";

/** A session's command names. */
export const namesOf = (s: readonly Command[]): string[] => s.map(nameOf);

/** How a model token reads to a user: the padding tokens and the unseen token in words. */
export function tokenWords(token: string): string {
  if (token === START_TOKEN) return "session start";
  if (token === END_TOKEN) return "session end";
  if (token === UNK_TOKEN) return "a command never seen in training";
  return token;
}

/** A weighted mean and spread (standard deviation; 1 when every value is equal): what standardises a view. */
export function meanAndSpread(
  values: ArrayLike<number>,
  weights: ArrayLike<number>,
): { mean: number; spread: number } {
  let n = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i] as number;
    const x = values[i] as number;
    n += w;
    sum += w * x;
    squares += w * x * x;
  }
  const mean = sum / n;
  return { mean, spread: Math.sqrt(Math.max(squares / n - mean * mean, 0)) || 1 };
}

/** Weight of a session's most surprising step next to the mean of all of its steps (the default). */
export const MAX_STEP_WEIGHT = 1 / 2;

/** Mean plus `maxWeight` (half by default) times the maximum: a session-wide deviation that a single very unlikely step still lifts. */
export function meanPlusMax(steps: readonly number[], maxWeight = MAX_STEP_WEIGHT): number {
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of steps) {
    sum += x;
    if (x > max) max = x;
  }
  return sum / steps.length + max * maxWeight;
}

/** What a detector implementation supplies; {@link assembleDetector} adds the calibration and the rest. */
export interface DetectorParts {
  readonly method: string;
  /** Scores one session. */
  readonly view: View;
  /** Explains one session. */
  readonly explain: (s: WeightedSession) => DetectorExplanation;
  /** The learnt state, without the calibration. */
  readonly state: () => unknown;
}

/** The JSON state of every detector: its own state and its calibration. */
export interface AssembledState {
  readonly model: unknown;
  readonly calibration: unknown;
}

/** The training sessions' held-out scores (in training order) and weights, found without holding the sessions. */
export interface TrainingScores {
  readonly trainingScores: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
}

/** What a detector is assembled from: its training sessions, their held-out scores, or a saved calibration. */
export type DetectorSource =
  | { readonly train: readonly WeightedSession[] }
  | TrainingScores
  | { readonly calibration: Calibration };

/**
 * A detector from its parts: trained (the training sessions' held-out scores, given or found here, calibrate
 * percentiles) or loaded (the saved calibration does; no training scores).
 */
export function assembleDetector(
  parts: DetectorParts,
  source: DetectorSource,
): Detector & { readonly calibration: Calibration } {
  const trained: TrainingScores | null =
    "train" in source
      ? { trainingScores: source.train.map((t) => parts.view(t, true)), weights: source.train.map(weightOf) }
      : "trainingScores" in source
        ? source
        : null;
  const heldOut = trained === null ? null : trained.trainingScores;
  // Sorted when first read: a detector inside another (markov-novelty's markov-set, its cross-fitted halves)
  // is never asked for percentiles in a hunt (about 0.15 s per 100k sessions, each).
  let sorted: Calibration | undefined =
    trained === null ? (source as { calibration: Calibration }).calibration : undefined;
  const calibrated = (): Calibration => {
    sorted ??= Calibration.of(
      (trained as TrainingScores).trainingScores,
      (trained as TrainingScores).weights,
    );
    return sorted;
  };
  return {
    method: parts.method,
    get calibration() {
      return calibrated();
    },
    score: (sessions) => sessions.map((s) => parts.view(s)),
    trainingScores: () => {
      if (heldOut === null)
        throw new SeqhuntError(
          `this ${parts.method} detector was loaded from a file: it holds no training sessions to score`,
        );
      return Array.from(heldOut);
    },
    scoreHeldOut: (sessions) => sessions.map((s) => parts.view(s, true)),
    percentile: (score) => calibrated().percentile(score),
    explain: parts.explain,
    toJSON: () => ({
      method: parts.method,
      state: { model: parts.state(), calibration: calibrated().toJSON() } satisfies AssembledState,
    }),
  };
}

/** Splits a saved state into the detector's own state and its calibration. */
export function splitState(method: string, state: unknown): { model: unknown; calibration: Calibration } {
  if (state === null || typeof state !== "object" || !("model" in state) || !("calibration" in state))
    throw new SeqhuntError(`not a valid saved ${method} detector: expected "model" and "calibration"`);
  const { model, calibration } = state as AssembledState;
  return { model, calibration: Calibration.fromJSON(calibration) };
}

/** The calibration of a detector made by {@link assembleDetector}. */
export function calibrationOf(d: Detector): Calibration {
  const c = (d as { calibration?: unknown }).calibration;
  if (!(c instanceof Calibration))
    throw new SeqhuntError(`the ${d.method} detector has no calibration to merge`);
  return c;
}
