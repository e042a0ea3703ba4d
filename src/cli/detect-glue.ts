import { trainDetector } from "../detect/detector.js";
import {
  type LoadedModelFile,
  type ModelFileV2,
  mergeModelFiles,
  modelFileOf,
  sessionsFingerprint,
} from "../detect/model-file.js";
import { withWindow } from "../detect/reference.js";
import { DEFAULT_METHOD, detectorEntry } from "../detect/registry.js";
import type { Detector, WeightedSession } from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { Model } from "../model/model.js";
import { commandLists, type MethodScores, type ScoringOptions, windowOf } from "./rank.js";

import type { LoadedSessions } from "./sessions.js";
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

/** The position of the `--entity` column among the identity columns (-1 without one); another column throws. */
export function entityColumn(identityColumns: readonly string[], entity: string | null | undefined): number {
  const column = entity == null ? -1 : identityColumns.indexOf(entity);
  if (entity != null && column < 0) {
    throw new SeqhuntError(
      `--entity ${entity} must be one of the --user columns (${identityColumns.join(", ")})`,
    );
  }
  return column;
}

/** The sessions as a detector takes them: each with the value of the `--entity` column when one is named. */
export function weightedSessions(
  loaded: Pick<LoadedSessions, "sessions" | "identityColumns">,
  entity: string | null | undefined,
): WeightedSession[] {
  const column = entityColumn(loaded.identityColumns, entity);
  return loaded.sessions.map((s) => ({
    session: s.commands,
    entity: column < 0 ? undefined : (s.identity[column] ?? undefined),
  }));
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

/**
 * score (hunt --model): ranks with the model file's detector; the very sessions it was trained on (same
 * fingerprint) are scored held out, as hunt scores them. With worker threads holding the sessions, they
 * score them (all but the reference, which scores by the window settings given now).
 */
export async function modelScores(
  loaded: LoadedSessions,
  file: LoadedModelFile,
  choice: DetectorChoice & ScoringOptions & { readonly model: string },
  pool: ThreadPool | null = null,
): Promise<DetectorScores> {
  const path = choice.model;
  const method = file.detector.method;
  if (choice.method !== undefined && choice.method !== method) {
    methodOf(choice);
    throw new SeqhuntError(
      `${path} holds a ${method} detector, not ${choice.method}: train with --method ${choice.method} to rank with it, or leave --method out`,
      { file: path },
    );
  }
  const entity = choice.entity ?? file.entity;
  const sessions = weightedSessions(loaded, entity);
  const heldOut =
    file.trainingFingerprint !== null && file.trainingFingerprint === sessionsFingerprint(sessions);
  // The reference ranks by the window settings given now, as its fields show them.
  if (isReference(method)) {
    const detector = withWindow(file.detector, windowOf(choice));
    const scores = heldOut ? detector.scoreHeldOut(sessions) : detector.score(sessions);
    return methodScores(detector, sessions, scores, entity);
  }
  const detector = file.detector;
  const scores =
    pool !== null
      ? await pool.score(detector, entity, heldOut)
      : heldOut
        ? detector.scoreHeldOut(sessions)
        : detector.score(sessions);
  return methodScores(detector, sessions, scores, entity);
}

/** train: the version 2 model file of the input (added to `base` with --update). */
export function trainModelFile(
  loaded: LoadedSessions,
  choice: DetectorChoice,
  base: LoadedModelFile | null,
): { file: ModelFileV2; method: string } {
  if (base !== null && choice.method !== undefined && choice.method !== base.detector.method) {
    throw new SeqhuntError(
      `the model to update holds a ${base.detector.method} detector, not ${choice.method}: leave --method out`,
    );
  }
  const method = base?.detector.method ?? methodOf(choice);
  const entity = choice.entity ?? base?.entity ?? null;
  const sessions = weightedSessions(loaded, entity);
  const reference = new Model(commandLists(loaded.sessions));
  reference.train();
  const trained = {
    reference,
    detector: trainDetector(method, sessions),
    entity,
    trainingFingerprint: sessionsFingerprint(sessions),
  };
  if (base === null) return { file: modelFileOf(trained), method };
  return { file: mergeModelFiles(base, { ...trained, version: 2 }), method };
}
