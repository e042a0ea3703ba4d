import { SeqhuntError } from "../errors.js";
import { Model } from "../model/model.js";
import { MODEL_FORMAT } from "../model/serialize.js";
import type { Command, ModelFile } from "../types.js";
import { loadDetector, mergeDetectors, savedMethod } from "./detector.js";
import { referenceDetector } from "./reference.js";
import type { Detector, SavedDetector, WeightedSession } from "./types.js";

/** The model file version that holds a detector beside the reference model. */
export const MODEL_FILE_VERSION = 2;

/**
 * A model file, version 2: the reference model's counts (a version 1 model inside) and a trained detector's
 * state, with the identity column its entities came from and a fingerprint of its training sessions.
 */
export interface ModelFileV2 {
  /** Always `"seqhunt-model"`. */
  readonly format: typeof MODEL_FORMAT;
  /** Always 2. */
  readonly version: typeof MODEL_FILE_VERSION;
  /** The reference model (its `toJSON`, a version 1 model). */
  readonly reference: ModelFile;
  /** The trained detector (its `toJSON`). */
  readonly detector: SavedDetector;
  /** The identity column whose values were the detector's entities, or null. */
  readonly entity: string | null;
  /** {@link sessionsFingerprint} of the training sessions; null after an update. */
  readonly trainingFingerprint: string | null;
}

/** A loaded model file: the reference model, the detector (a calibration-less reference one for version 1). */
export interface LoadedModelFile {
  readonly reference: Model;
  readonly detector: Detector;
  /** The detector's method (known without loading it, see {@link ReadModelFileOptions.lazyDetector}). */
  readonly method: string;
  readonly version: 1 | 2;
  readonly entity: string | null;
  readonly trainingFingerprint: string | null;
}

/** Two 32-bit FNV-1a hashes (different seeds) of a text, as 16 hex digits. */
function hash64(text: string, state: [number, number]): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    state[0] = Math.imul(state[0] ^ c, 0x01000193) >>> 0;
    state[1] = Math.imul(state[1] ^ c, 0x01000193) >>> 0;
  }
}

/**
 * A fingerprint of weighted sessions in order (commands, parameters, entity, weight), one session at a
 * time: `score --model` on the very sessions a model was trained on recognises them and scores each held
 * out, as `hunt` does.
 */
export class SessionsFingerprint {
  readonly #state: [number, number] = [0x811c9dc5, 0x01234567];
  #count = 0;

  /** Adds the next session. */
  add(s: WeightedSession): void {
    const command = (c: Command) => (typeof c === "string" ? c : JSON.stringify(c));
    hash64(`\u0001${s.entity ?? ""}\u0002${s.weight ?? 1}`, this.#state);
    for (const c of s.session) hash64(`\u0003${command(c)}`, this.#state);
    this.#count++;
  }

  /** The fingerprint of the sessions added so far. */
  value(): string {
    return this.#state.map((h) => h.toString(16).padStart(8, "0")).join("") + this.#count.toString(16);
  }
}

/** The {@link SessionsFingerprint} of weighted sessions in order. */
export function sessionsFingerprint(sessions: readonly WeightedSession[]): string {
  const fingerprint = new SessionsFingerprint();
  for (const s of sessions) fingerprint.add(s);
  return fingerprint.value();
}

/** The version 2 model file of a reference model and a detector trained on the same sessions. */
export function modelFileOf(parts: {
  readonly reference: Model;
  readonly detector: Detector;
  readonly entity: string | null;
  readonly trainingFingerprint: string | null;
}): ModelFileV2 {
  return {
    format: MODEL_FORMAT,
    version: MODEL_FILE_VERSION,
    reference: parts.reference.toJSON(),
    detector: parts.detector.toJSON(),
    entity: parts.entity,
    trainingFingerprint: parts.trainingFingerprint,
  };
}

/** How {@link readModelFile} reads. */
export interface ReadModelFileOptions {
  /**
   * Load the detector on first use of `detector` (a damaged state throws then), not now: for a caller that
   * may leave scoring to others (worker threads) and needs only its method until it explains.
   */
  readonly lazyDetector?: boolean;
}

/**
 * Reads a parsed model file: version 2 (reference model and detector), or version 1 (a reference model,
 * ranked by the reference detector without percentiles). A damaged file throws a SeqhuntError.
 */
export function readModelFile(json: unknown, options: ReadModelFileOptions = {}): LoadedModelFile {
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== MODEL_FILE_VERSION) {
    const reference = Model.fromJSON(json);
    const detector = referenceDetector({ method: "reference", aggregate: "rarest-window" }).fromModel(
      reference,
    );
    return {
      reference,
      detector,
      method: detector.method,
      version: 1,
      entity: null,
      trainingFingerprint: null,
    };
  }
  const file = json as Partial<ModelFileV2>;
  if (file.format !== MODEL_FORMAT)
    throw new SeqhuntError(`not a valid seqhunt model: "format" is ${JSON.stringify(file.format)}`);
  if (file.entity !== null && typeof file.entity !== "string")
    throw new SeqhuntError('not a valid seqhunt model: "entity" must be a column name or null');
  const fingerprint = file.trainingFingerprint ?? null;
  if (fingerprint !== null && typeof fingerprint !== "string")
    throw new SeqhuntError('not a valid seqhunt model: "trainingFingerprint" must be text or null');
  const saved = file.detector as SavedDetector;
  const reference = Model.fromJSON(file.reference);
  const method = savedMethod(saved);
  const entity = file.entity;
  let detector = options.lazyDetector ? undefined : loadDetector(saved);
  return {
    reference,
    get detector() {
      detector ??= loadDetector(saved);
      return detector;
    },
    method,
    version: 2,
    entity,
    trainingFingerprint: fingerprint,
  };
}

/**
 * The model file of both: reference counts added ({@link Model.merge}) and detectors merged exactly
 * ({@link mergeDetectors}, which refuses a detector whose statistics do not add up).
 */
export function mergeModelFiles(base: LoadedModelFile, update: LoadedModelFile): ModelFileV2 {
  if (base.version === 1)
    throw new SeqhuntError(
      "a version 1 model holds no detector to update: retrain it with train --out (version 2)",
    );
  if (base.entity !== update.entity)
    throw new SeqhuntError(
      `cannot update a model whose entities came from ${JSON.stringify(base.entity)} with ${JSON.stringify(update.entity)} (check --entity)`,
    );
  return modelFileOf({
    reference: Model.merge(base.reference, update.reference),
    detector: mergeDetectors(base.detector, update.detector),
    entity: base.entity,
    trainingFingerprint: null,
  });
}
