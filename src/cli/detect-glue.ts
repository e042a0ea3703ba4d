import { trainDetector } from "../detect/detector.js";
import {
  type LoadedModelFile,
  type ModelFileV2,
  mergeModelFiles,
  modelFileOf,
  SessionsFingerprint,
  sessionsFingerprint,
} from "../detect/model-file.js";
import { withWindow } from "../detect/reference.js";
import { DEFAULT_METHOD, detectorEntry } from "../detect/registry.js";
import type {
  Detector,
  DetectorOptions,
  ThreadedTraining,
  ThreadsAtHand,
  TrainedInThreads,
  WeightedSession,
} from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { Model } from "../model/model.js";
import { commandLists, type MethodScores, type ScoringOptions, windowOf } from "./rank.js";

import type { CliSession, LoadedSessions } from "./sessions.js";
import type { ThreadPool } from "./threads.js";

/** The detector options of hunt, score and train. */
export interface DetectorChoice {
  /** The detector to rank by (default: the registry's default, or the model file's detector). */
  readonly method?: string | undefined;
  /** The identity column whose values get models of their own. */
  readonly entity?: string | undefined;
}

/** Whether a method ranks by the reference model (whose own explanation then gives the reasons). */
export const isReference = (method: string): boolean => method.startsWith("reference");

/** The method to rank by: `--method`, else the registry's default; an unknown name throws. */
export function methodOf(choice: DetectorChoice): string {
  const method = choice.method ?? DEFAULT_METHOD;
  detectorEntry(method);
  return method;
}

/**
 * How a detector takes one session: with the value of the `--entity` column when one is named (an unknown
 * column throws).
 */
export function weightedSessionOf(
  identityColumns: readonly string[],
  entity: string | null | undefined,
): (s: CliSession) => WeightedSession {
  const column = entity == null ? -1 : identityColumns.indexOf(entity);
  if (entity != null && column < 0) {
    throw new SeqhuntError(
      `--entity ${entity} must be one of the --user columns (${identityColumns.join(", ")})`,
    );
  }
  return (s) => ({
    session: s.commands,
    entity: column < 0 ? undefined : (s.identity[column] ?? undefined),
  });
}

/** The sessions as a detector takes them: each with the value of the `--entity` column when one is named. */
export function weightedSessions(
  loaded: Pick<LoadedSessions, "sessions" | "identityColumns">,
  entity: string | null | undefined,
): WeightedSession[] {
  return loaded.sessions.map(weightedSessionOf(loaded.identityColumns, entity));
}

/** A detector's scores as the ranking takes them, with the detector and the entity column that gave them. */
export interface DetectorScores extends MethodScores {
  readonly detector: Detector;
  readonly entity: string | null;
}

/** A trained or loaded detector's scores of the sessions, as the ranking takes them. */
function methodScores(
  detector: Detector,
  sessions: readonly WeightedSession[],
  scores: number[],
  entity: string | null | undefined,
): DetectorScores {
  return {
    detector,
    entity: entity ?? null,
    name: detector.method,
    scores,
    percentile: (score) => detector.percentile(score),
    explain: isReference(detector.method)
      ? undefined
      : (i) => detector.explain(sessions[i] as WeightedSession),
  };
}

/**
 * hunt without a model: trains the detector on the input and scores each session held out of training
 * (a session cannot vouch for itself). Per-entity models only on request: in a hunt that trains on the data
 * it scores, an entity's own rare behaviour would look normal for it.
 */
export function huntScores(loaded: LoadedSessions, options: DetectorChoice & ScoringOptions): DetectorScores {
  const sessions = weightedSessions(loaded, options.entity);
  const detector = trainDetector(methodOf(options), sessions, windowOf(options));
  return methodScores(detector, sessions, detector.trainingScores(), options.entity);
}

/** The registry's detector of that name: its training with part of the work in another thread, if it has one. */
const threadedOf = (method: string, options: DetectorOptions = {}): ThreadedTraining | undefined =>
  detectorEntry(method).factory(options).threaded;

/** Whether hunt trains the chosen detector with a worker thread's help (no model file, a detector with a threaded training). */
export function trainsInThreads(choice: DetectorChoice & { readonly model?: string | undefined }): boolean {
  return choice.model === undefined && threadedOf(methodOf(choice)) !== undefined;
}

/**
 * The detector `method` trained on `sessions` with the pool's workers taking the part its threaded training
 * offloads; this thread's part is done when this returns (the workers' goes on): undefined when `method`
 * has no threaded training. `explainsTraining` false: the caller explains no training session (train).
 */
function trainInThreads(
  method: string,
  sessions: readonly WeightedSession[],
  options: DetectorOptions,
  pool: ThreadPool,
  threads: ThreadsAtHand = {},
): Promise<TrainedInThreads> | undefined {
  const threaded = threadedOf(method, options);
  if (threaded === undefined) return undefined;
  if (sessions.length === 0) throw new SeqhuntError("no training sessions");
  return threaded.train(sessions, (request, follows) => pool.offload(method, request, follows), threads);
}

/**
 * {@link huntScores} with worker threads: a detector with a threaded training offloads part of it to the
 * pool's workers and does the rest in this thread; the same detector and scores as one thread's. The
 * offloaded work starts before this returns its promise, and this thread's part is done by then.
 */
export function huntScoresInThreads(
  loaded: LoadedSessions,
  options: DetectorChoice & ScoringOptions & EveryReason,
  pool: ThreadPool,
): Promise<DetectorScores> {
  const sessions = weightedSessions(loaded, options.entity);
  // --out and --report give every session's reason; the top table alone, a few.
  const explainsEvery = options.out !== undefined || options.report !== undefined;
  const training = trainsInThreads(options)
    ? trainInThreads(methodOf(options), sessions, windowOf(options), pool, { explainsEvery })
    : undefined;
  if (training === undefined) return Promise.resolve(huntScores(loaded, options));
  return training.then(({ detector, explainTraining, reasonOfTraining }) => ({
    ...methodScores(detector, sessions, detector.trainingScores(), options.entity),
    explain: (i) => explainTraining(i, sessions[i] as WeightedSession),
    reason: (i) => reasonOfTraining(i, sessions[i] as WeightedSession),
  }));
}

/** The outputs of a hunt that give every session's reason: --out, --report. */
export interface EveryReason {
  readonly out?: string | undefined;
  readonly report?: string | undefined;
}

/** Whether the registry's detector of that name trains in passes (and so scores a session held out alone). */
const hasPasses = (method: string): boolean => detectorEntry(method).factory().trainPasses !== undefined;

/** Whether hunt trains the chosen detector over passes of sessions (without a model file), never holding them all. */
export function trainsInPasses(choice: DetectorChoice & { readonly model?: string | undefined }): boolean {
  const method = methodOf(choice);
  return choice.model === undefined && !isReference(method) && hasPasses(method);
}

/** Sessions of the input read pass after pass, in the same order each time (a spill file). */
export interface CliSessionPasses {
  pass(visit: (s: CliSession, index: number) => void): Promise<void>;
}

/** The detector `method` trained over passes of the sessions, each taken as `weighted` says. */
async function trainInPasses(
  method: string,
  sessions: CliSessionPasses,
  weighted: (s: CliSession) => WeightedSession,
  options: DetectorOptions,
): Promise<Detector> {
  const train = detectorEntry(method).factory(options).trainPasses;
  if (train === undefined) throw new SeqhuntError(`the ${method} detector cannot train in passes`);
  return train({ pass: (visit) => sessions.pass((s, i) => visit(weighted(s), i)) });
}

/**
 * {@link huntScores} over sessions read in passes (a spill file): the same detector and held-out scores,
 * holding counts and a few numbers per session. Only for a detector {@link trainsInPasses}.
 */
export async function huntScoresInPasses(
  sessions: CliSessionPasses,
  identityColumns: readonly string[],
  options: DetectorChoice & ScoringOptions,
): Promise<{ detector: Detector; scores: number[]; weighted: (s: CliSession) => WeightedSession }> {
  const weighted = weightedSessionOf(identityColumns, options.entity);
  const detector = await trainInPasses(methodOf(options), sessions, weighted, windowOf(options));
  return { detector, scores: detector.trainingScores(), weighted };
}

/**
 * {@link trainModelFile} (without a base to update) over sessions read in passes: the same model file,
 * one pass for the fingerprint and the detector's own. Only for a detector {@link trainsInPasses}.
 */
export async function trainModelFileInPasses(
  sessions: CliSessionPasses,
  identityColumns: readonly string[],
  reference: Model,
  choice: DetectorChoice,
): Promise<{ file: ModelFileV2; method: string }> {
  const method = methodOf(choice);
  const entity = choice.entity ?? null;
  const weighted = weightedSessionOf(identityColumns, entity);
  const fingerprint = new SessionsFingerprint();
  await sessions.pass((s) => fingerprint.add(weighted(s)));
  const detector = await trainInPasses(method, sessions, weighted, {});
  return {
    file: modelFileOf({ reference, detector, entity, trainingFingerprint: fingerprint.value() }),
    method,
  };
}

/** The model file's detector method, once --method (when given) names the same one. */
export function checkedMethod(
  file: LoadedModelFile,
  choice: DetectorChoice & { readonly model: string },
): string {
  const method = file.method;
  if (choice.method !== undefined && choice.method !== method) {
    methodOf(choice);
    throw new SeqhuntError(
      `${choice.model} holds a ${method} detector, not ${choice.method}: train with --method ${choice.method} to rank with it, or leave --method out`,
      { file: choice.model },
    );
  }
  return method;
}

/**
 * {@link modelScores} over sessions read in passes (a spill file), for a model file's detector other than
 * the reference: one pass for the fingerprint (the very training sessions are scored held out), one to score.
 */
export async function modelScoresInPasses(
  sessions: CliSessionPasses,
  identityColumns: readonly string[],
  file: LoadedModelFile,
  choice: DetectorChoice & { readonly model: string },
): Promise<{ detector: Detector; scores: Float64Array; weighted: (s: CliSession) => WeightedSession }> {
  checkedMethod(file, choice);
  const weighted = weightedSessionOf(identityColumns, choice.entity ?? file.entity);
  const fingerprint = new SessionsFingerprint();
  if (file.trainingFingerprint !== null) await sessions.pass((s) => fingerprint.add(weighted(s)));
  const heldOut = file.trainingFingerprint === fingerprint.value();
  const detector = file.detector;
  // A detector that does not train in passes (adaptive) scores its training sessions held out only all together.
  if (heldOut && !hasPasses(detector.method)) {
    const all: WeightedSession[] = [];
    await sessions.pass((s) => all.push(weighted(s)));
    return { detector, scores: Float64Array.from(detector.scoreHeldOut(all)), weighted };
  }
  const scores: number[] = [];
  await sessions.pass((s) => {
    const one = [weighted(s)];
    scores.push((heldOut ? detector.scoreHeldOut(one) : detector.score(one))[0] as number);
  });
  return { detector, scores: Float64Array.from(scores), weighted };
}

/** What score (hunt --model) ranks with: the model file's detector, the sessions as it takes them, and whether they are its own. */
function modelScoring(
  loaded: LoadedSessions,
  file: LoadedModelFile,
  choice: DetectorChoice & ScoringOptions & { readonly model: string },
): { detector: Detector; sessions: WeightedSession[]; heldOut: boolean; entity: string | null } {
  const method = checkedMethod(file, choice);
  const { sessions, heldOut, entity } = sessionsToScore(loaded, file, choice);
  // The reference ranks by the window settings given now, as its fields show them.
  const detector = isReference(method) ? withWindow(file.detector, windowOf(choice)) : file.detector;
  return { detector, sessions, heldOut, entity };
}

/** The sessions as the model file's detector takes them, and whether they are its very training sessions. */
function sessionsToScore(
  loaded: LoadedSessions,
  file: LoadedModelFile,
  choice: DetectorChoice,
): { sessions: WeightedSession[]; heldOut: boolean; entity: string | null } {
  const entity = choice.entity ?? file.entity;
  const sessions = weightedSessions(loaded, entity);
  const heldOut =
    file.trainingFingerprint !== null && file.trainingFingerprint === sessionsFingerprint(sessions);
  return { sessions, heldOut, entity };
}

/**
 * score (hunt --model): ranks with the model file's detector; the very sessions it was trained on (same
 * fingerprint) are scored held out, as hunt scores them.
 */
export function modelScores(
  loaded: LoadedSessions,
  file: LoadedModelFile,
  choice: DetectorChoice & ScoringOptions & { readonly model: string },
): DetectorScores {
  const { detector, sessions, heldOut, entity } = modelScoring(loaded, file, choice);
  const scores = heldOut ? detector.scoreHeldOut(sessions) : detector.score(sessions);
  return methodScores(detector, sessions, scores, entity);
}

/**
 * Whether score (hunt --model) scores with this detector in worker threads: one that scores each session
 * alone, held out or not (it trains in passes; the reference scores in this thread with its model).
 */
export function scoresInThreads(method: string): boolean {
  return !isReference(method) && hasPasses(method);
}

/** Sessions a worker scores per request: enough to outweigh a message's cost, few enough to share the tail. */
const SCORE_CHUNK = 512;

/**
 * {@link modelScores} in the pool's workers: each loads the model file's detector once and scores runs of
 * the sessions, each session's percentile and one-line reason beside its score, taking the next free run in
 * turns; this thread loads the detector only if asked to explain a session in full (the report). The same
 * scores, percentiles and reasons as one thread's. The runs go out before this returns its promise.
 */
export function modelScoresInThreads(
  loaded: LoadedSessions,
  file: LoadedModelFile,
  choice: DetectorChoice & ScoringOptions & { readonly model: string },
  pool: ThreadPool,
): Promise<DetectorScores> {
  const method = checkedMethod(file, choice);
  if (!scoresInThreads(method)) return Promise.resolve(modelScores(loaded, file, choice));
  const { sessions, heldOut, entity } = sessionsToScore(loaded, file, choice);
  const scores = new Float64Array(sessions.length);
  const percentiles = new Map<number, number>();
  const reasons = new Array<string>(sessions.length);
  let next = 0;
  const run = () => {
    const from = next;
    next = Math.min(sessions.length, from + SCORE_CHUNK);
    return { from, to: next };
  };
  const sent = (s: WeightedSession) => ({ session: s.session, entity: s.entity });
  // Two runs in flight per worker: one scores while the other's message crosses.
  const inWorkers = Array.from({ length: 2 * pool.size }, async () => {
    for (let { from, to } = run(); from < to; { from, to } = run()) {
      const scored = await pool.score({
        model: choice.model,
        heldOut,
        sessions: sessions.slice(from, to).map(sent),
      });
      scores.set(scored.scores, from);
      for (let k = from; k < to; k++) {
        percentiles.set(scores[k] as number, scored.percentiles[k - from] as number);
        reasons[k] = scored.reasons[k - from] as string;
      }
    }
  });
  return Promise.all(inWorkers).then(() => ({
    // Loaded here only when asked for (the report explains sessions in full).
    get detector() {
      return file.detector;
    },
    entity: entity ?? null,
    name: method,
    scores: Array.from(scores),
    percentile: (score) => percentiles.get(score) ?? file.detector.percentile(score),
    explain: (i) => file.detector.explain(sessions[i] as WeightedSession),
    reason: (i) => reasons[i] as string,
  }));
}

/**
 * train: the version 2 model file of the input (added to `base` with --update). With a `pool`, a detector
 * with a threaded training trains with its workers' help while this thread trains the reference model:
 * the same file, byte for byte.
 */
export async function trainModelFile(
  loaded: LoadedSessions,
  choice: DetectorChoice,
  base: LoadedModelFile | null,
  pool: ThreadPool | null = null,
): Promise<{ file: ModelFileV2; method: string }> {
  if (base !== null && choice.method !== undefined && choice.method !== base.detector.method) {
    throw new SeqhuntError(
      `the model to update holds a ${base.detector.method} detector, not ${choice.method}: leave --method out`,
    );
  }
  const method = base?.detector.method ?? methodOf(choice);
  const entity = choice.entity ?? base?.entity ?? null;
  const sessions = weightedSessions(loaded, entity);
  // The workers' part goes on while this thread trains the reference model and takes the fingerprint.
  const training =
    pool === null ? undefined : trainInThreads(method, sessions, {}, pool, { explainsTraining: false });
  const reference = new Model(commandLists(loaded.sessions));
  reference.train();
  const trainingFingerprint = sessionsFingerprint(sessions);
  const detector = training === undefined ? trainDetector(method, sessions) : (await training).detector;
  const trained = { reference, detector, entity, trainingFingerprint };
  if (base === null) return { file: modelFileOf(trained), method };
  return { file: mergeModelFiles(base, { ...trained, method, version: 2 }), method };
}
