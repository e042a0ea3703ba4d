// The messages between the main thread and the worker threads of a parallel hunt (threads.ts, thread-worker.ts).
import type { CategoricalPart, MarkovNoveltyPart } from "../detect/markov-novelty-parts.js";
import type { DetectorExplanation } from "../detect/types.js";
import type { SeqhuntErrorLocation } from "../errors.js";
import type { Partition } from "../io/read-events.js";
import type { InputOptions } from "./sessions.js";

/** The most worker threads a pool holds: each session's worker is kept in one byte. */
export const MAX_THREADS = 255;

/** What a worker is started with: the files, the input options (plain data) and its share of the events. */
export interface ThreadSetup {
  readonly files: readonly string[];
  readonly options: InputOptions;
  readonly partition: Partition;
}

/**
 * Work asked of a worker: markov-novelty's counts of its own sessions (two steps: the categorical
 * parameters of every worker are merged between them); the detector (saved as JSON text, sent once), then
 * scores or explanations of its own sessions, by its own indices.
 */
export type ThreadRequest = { readonly id: number } & (
  | {
      readonly type: "detector";
      /** {@link Detector.toJSON}, as JSON text. */
      readonly detector: string;
      /** The identity column whose values are the sessions' entities, or null. */
      readonly entity: string | null;
    }
  | {
      readonly type: "count";
      /** The identity column whose values are the sessions' entities, or null. */
      readonly entity: string | null;
    }
  | {
      readonly type: "count-with";
      /** The categorical parameters of every worker's sessions. */
      readonly categorical: readonly string[];
    }
  | { readonly type: "score"; readonly indices: Int32Array; readonly heldOut: boolean }
  | { readonly type: "explain"; readonly indices: Int32Array }
);

/** What a worker sends back. */
export type ThreadReply =
  | { readonly type: "progress"; readonly rows: number; readonly total: number | null }
  /** Sessions in the worker's order, each as encodeSession text. */
  | { readonly type: "sessions"; readonly lines: readonly string[] }
  | {
      readonly type: "loaded";
      readonly read: number;
      readonly used: number;
      readonly skipped: readonly (readonly [string, number])[];
    }
  | { readonly type: "ready"; readonly id: number }
  | { readonly type: "categorical"; readonly id: number; readonly parts: CategoricalPart }
  | { readonly type: "counted"; readonly id: number; readonly part: MarkovNoveltyPart }
  | { readonly type: "scores"; readonly id: number; readonly scores: Float64Array }
  | { readonly type: "explanations"; readonly id: number; readonly explanations: DetectorExplanation[] }
  | {
      readonly type: "error";
      /** The request that failed; absent when reading failed. */
      readonly id?: number;
      /** True for a SeqhuntError (bad input, in seqhunt's words); false for an internal error. */
      readonly seqhunt: boolean;
      readonly message: string;
      readonly location?: SeqhuntErrorLocation;
    };
