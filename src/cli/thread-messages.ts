// The messages between the main thread and the worker threads of a parallel hunt (threads.ts, thread-worker.ts).
import type { SeqhuntErrorLocation } from "../errors.js";
import type { CmdParams } from "../types.js";

/** The most worker threads a pool holds. */
export const MAX_THREADS = 255;

/**
 * Commands in the input from which hunt takes every core by default: a worker thread costs about 0.3 s of
 * CPU to start (it loads the detectors), which its share of the training repays from some 20,000 commands
 * on (it trains about a quarter of a hunt's work at some 12 us a command); measured, not tuned.
 */
export const DEFAULT_THREADS_FROM = 50_000;

/**
 * Bytes of input from which `score --model` (no `--threads`) starts its workers before reading, so they load
 * the model file's detector while this thread reads: about {@link DEFAULT_THREADS_FROM} rows of the bench's
 * events with values (185 bytes a row). Below it the input's commands decide after reading (workers then
 * start only if there are enough), since a worker started for a small input wastes its start and its
 * parse of the model file (measured: README, Worker threads).
 */
export const EARLY_WORKERS_FROM_BYTES = 9_000_000;

/**
 * Work asked of a worker: the offloaded part of a detector's threaded training ({@link ThreadedTraining}),
 * which the worker runs with the registry's factory of `method`.
 */
export interface ThreadRequest {
  readonly id: number;
  readonly type: "work";
  /** The registry name of the detector. */
  readonly method: string;
  /** What the detector's training sent (its `work` reads it). */
  readonly request: unknown;
}

/** A session as it crosses to a worker to be scored: its commands (a Cmd arrives as its name and params), its entity. */
export interface SentSession {
  readonly session: readonly (string | { readonly name: string; readonly params: CmdParams })[];
  readonly entity?: string | undefined;
}

/**
 * Sessions a worker scores with a model file's detector (`score --model`), which it loads once from the
 * file and keeps for the next requests of the same file.
 */
export interface ScoreRequest {
  readonly id: number;
  readonly type: "score";
  /** The model file's path (the main thread has read and checked it). */
  readonly model: string;
  /** Whether these are the model's very training sessions, each scored held out. */
  readonly heldOut: boolean;
  readonly sessions: readonly SentSession[];
}

/** A worker's scores of a {@link ScoreRequest}'s sessions, in order, each one's percentile and one-line reason. */
export interface ScoredSessions {
  readonly scores: Float64Array;
  readonly percentiles: Float64Array;
  readonly reasons: readonly string[];
}

/** What a worker sends back, to the request of the same id. */
export type ThreadReply = { readonly id: number } & (
  | { readonly type: "worked"; readonly result: unknown }
  | {
      readonly type: "error";
      /** True for a SeqhuntError (bad input, in seqhunt's words); false for an internal error. */
      readonly seqhunt: boolean;
      readonly message: string;
      readonly location?: SeqhuntErrorLocation;
    }
);
