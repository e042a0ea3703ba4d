import type { Command } from "../types.js";

/** A session to learn from or to score, with its entity (user, host) and weight when known. */
export interface WeightedSession {
  /** The commands. */
  readonly session: readonly Command[];
  /** Who ran it (user, host), for per-entity models. */
  readonly entity?: string | undefined;
  /** How many times the session occurred (default 1); counts add the weight, sessions are never repeated. */
  readonly weight?: number | undefined;
}

/** One step of a session as a detector sees it, in words a user reads. */
export interface StepContribution {
  /** What happened: a command name, "session end", or a note such as "commands never seen together". */
  readonly step: string;
  /** How much the step adds to the session's score (its surprise, in the detector's units; higher = rarer). */
  readonly surprise: number;
}

/** Why a detector scores a session as it does. */
export interface DetectorExplanation {
  /** Each step's contribution, in session order (a detector may add whole-session terms at the end). */
  readonly steps: readonly StepContribution[];
  /** One line for the terminal and the report: the step that matters most, in user-facing words. */
  readonly reason: string;
}

/** A trained detector as JSON: which detector, with which options, and its learnt state. */
export interface SavedDetector {
  /** The registry name of the detector. */
  readonly method: string;
  /** The detector's state (its counts and calibration), as its own `toJSON` wrote it. */
  readonly state: unknown;
}

/** A trained detector: higher scores are more anomalous. */
export interface Detector {
  /** The registry name of the detector. */
  readonly method: string;
  /** One score per session (higher = more anomalous). */
  score(sessions: readonly WeightedSession[]): number[];
  /**
   * The training sessions' own scores, each scored as if it had been left out of training (where the method
   * remembers whole sessions), so that a session cannot vouch for itself: what a hunt that learns from the
   * data it scores should rank. A detector loaded from JSON holds no training sessions and throws.
   */
  trainingScores(): number[];
  /**
   * Scores sessions that were part of this detector's training as {@link Detector.trainingScores} does, each
   * as if it had been left out (what `score --model` uses on the very sessions the model was trained on).
   */
  scoreHeldOut(sessions: readonly WeightedSession[]): number[];
  /**
   * The share of training sessions (weighted, each scored held out) that scored below `score`: a calibrated
   * 0..1 rarity (NaN when the detector has no calibration: a reference model loaded from a version 1 file).
   */
  percentile(score: number): number;
  /** Why a session scores as it does: per-step contributions and one line of reason, in user-facing words. */
  explain(session: WeightedSession): DetectorExplanation;
  /** The trained state as JSON, to load with the registry's `load`. */
  toJSON(): SavedDetector;
}

/**
 * Training sessions that can be read more than once, in the same order each pass: what a detector trains
 * on when the sessions do not fit in memory (read back from a file, or streamed from a database).
 */
export interface SessionPasses {
  /** Visits every session once, in the same order as every other pass; resolves when the pass is done. */
  pass(visit: (s: WeightedSession, index: number) => void): Promise<void>;
}

/** Trains, loads and (where its statistics allow) merges one kind of detector with fixed options. */
export interface DetectorFactory {
  /** Trains on (normal) weighted sessions. */
  train(sessions: readonly WeightedSession[]): Detector;
  /**
   * Trains on sessions read in passes, holding counts and a few numbers per session, never the sessions: the
   * same detector as {@link DetectorFactory.train} on the same sessions in the same order (equal `toJSON()`
   * and `trainingScores()`). Absent when the detector needs every session at once.
   */
  trainPasses?(sessions: SessionPasses): Promise<Detector>;
  /** Trains with part of the work in another thread (a worker thread); absent when one thread does it all. */
  readonly threaded?: ThreadedTraining | undefined;
  /** Rebuilds a detector from the `state` of its {@link Detector.toJSON}; a damaged state throws a SeqhuntError. */
  load(state: unknown): Detector;
  /**
   * The detector of both training sets: scores exactly as one trained on the union of their sessions.
   * Absent when the detector's statistics do not merge exactly.
   */
  merge?(a: Detector, b: Detector): Detector;
}

/**
 * A detector's training with part of the work offloaded: {@link ThreadedTraining.train} sends requests with
 * `offload`, which runs {@link ThreadedTraining.work} on each elsewhere (a worker thread making the same
 * factory, on a structured clone of the request) and resolves to its result; meanwhile `train` goes on.
 */
export interface ThreadedTraining {
  /**
   * The same detector as {@link DetectorFactory.train} on the same sessions (equal `trainingScores()`,
   * scores, explanations and `toJSON()`, to the last bit: `train` writes it), part of it worked out by
   * `offload`. `follows`: a request sent before, whose thread takes this one too (it reads what that one left
   * there).
   */
  train(
    sessions: readonly WeightedSession[],
    offload: (request: unknown, follows?: Promise<unknown>) => Promise<unknown>,
    threads?: ThreadsAtHand,
  ): Promise<TrainedInThreads>;
  /** The offloaded part: a request `train` sent, to its result (plain data: it crosses threads as a structured clone). */
  work(request: unknown): unknown;
}

/** What the caller of a {@link ThreadedTraining} will do with its result. */
export interface ThreadsAtHand {
  /**
   * Whether the caller will call {@link TrainedInThreads.explainTraining} (default true): without it (`train`
   * writes a model and explains nothing) the other threads skip the numbers it reads, and `explainTraining`
   * explains as the detector does.
   */
  readonly explainsTraining?: boolean | undefined;
  /**
   * Whether the caller will ask the reason of every training session (`hunt --out` or `--report`; default
   * false): the numbers {@link TrainedInThreads.reasonOfTraining} reads are then worked out for every session
   * while the other threads finish their part, rather than one by one after.
   */
  readonly explainsEvery?: boolean | undefined;
}

/** A detector trained with part of the work in other threads ({@link ThreadedTraining.train}). */
export interface TrainedInThreads {
  /** The trained detector, the same as one thread trains. */
  readonly detector: Detector;
  /**
   * The `index`-th training session `s` explained as `detector.explain(s)` explains it, to the last bit, from
   * numbers the other threads worked out for each training session (less work here).
   */
  readonly explainTraining: (index: number, s: WeightedSession) => DetectorExplanation;
  /**
   * `explainTraining(index, s).reason`, to the last bit, for less work: from numbers worked out while the
   * other threads trained when {@link ThreadsAtHand.explainsEvery} (what `hunt --out` writes of each session).
   */
  readonly reasonOfTraining: (index: number, s: WeightedSession) => string;
}

/** Settings a factory reads: the reference detectors read the window ones (others ignore them). */
export interface DetectorOptions {
  /** Length of the reference's rarest window (default 3). */
  readonly windowLength?: number | undefined;
  /** Whether the reference pads sessions with `##START##` and `##END##` (default true). */
  readonly useStartEndTokens?: boolean | undefined;
  /** Whether the reference ranks windows by their geometric mean (default false). */
  readonly useGeoMean?: boolean | undefined;
}

/** A registered detector: what it is, and how to make it. */
export interface DetectorEntry {
  /** One paragraph for CLI help and the README. */
  readonly description: string;
  /** Whether trained detectors merge exactly (`train --update`). */
  readonly mergeable: boolean;
  /** Makes the detector's factory, with the options this entry fixes (a chain's order, say). */
  readonly factory: (options?: DetectorOptions) => DetectorFactory;
}
