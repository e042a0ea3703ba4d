// The messages between the main thread and the worker threads of a parallel hunt (threads.ts, thread-worker.ts).
import type { CategoricalPart, MarkovNoveltyPart } from "../detect/markov-novelty-parts.js";
import type { SeqhuntErrorLocation } from "../errors.js";

/** The most worker threads a pool holds. */
export const MAX_THREADS = 255;

/**
 * Work asked of a worker: take sessions (no reply), then count markov-novelty's statistics over them in two
 * steps (the categorical parameters of every worker are merged between them).
 */
export type ThreadRequest = { readonly id: number } & (
  | {
      readonly type: "take";
      /** More of the worker's sessions, in order, as encodeSession text. */
      readonly lines: readonly string[];
    }
  | {
      readonly type: "count";
      /** The identity columns, in the order of each session's identity values. */
      readonly identityColumns: readonly string[];
      /** The identity column whose values are the sessions' entities, or null. */
      readonly entity: string | null;
    }
  | {
      readonly type: "count-with";
      /** The categorical parameters of every worker's sessions. */
      readonly categorical: readonly string[];
    }
);

/** What a worker sends back, to the request of the same id. */
export type ThreadReply = { readonly id: number } & (
  | { readonly type: "categorical"; readonly parts: CategoricalPart }
  | { readonly type: "counted"; readonly part: MarkovNoveltyPart }
  | {
      readonly type: "error";
      /** True for a SeqhuntError (bad input, in seqhunt's words); false for an internal error. */
      readonly seqhunt: boolean;
      readonly message: string;
      readonly location?: SeqhuntErrorLocation;
    }
);
