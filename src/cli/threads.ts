// Parallel training (--threads): the main thread reads the sessions and hands each worker thread a run of
// them; each worker counts the default detector's statistics over its own sessions, and the main thread
// merges the counts into the ones one thread would have counted, then scores every session held out.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { MarkovNoveltyCounts } from "../detect/markov-novelty.js";
import { mergeCategorical, mergeMarkovNoveltyParts } from "../detect/markov-novelty-parts.js";
import { SeqhuntError } from "../errors.js";
import type { CliSession } from "./sessions.js";
import { encodeSession } from "./spill.js";
import { MAX_THREADS, type ThreadReply, type ThreadRequest } from "./thread-messages.js";

/** Sessions per message when the main thread hands its sessions to the workers. */
const HAND_BATCH = 4096;

/**
 * `--threads` when given, else 1: on the 2-core machine measured, two threads were no faster than one
 * (README, Performance).
 */
export function threadCount(threads: number | undefined): number {
  if (threads !== undefined && threads > MAX_THREADS)
    throw new SeqhuntError(`--threads must be at most ${MAX_THREADS}, got ${threads}`);
  return threads ?? 1;
}

/** The worker's script: next to this module when built; the build's when the sources run in a test runner. */
function workerScript(): URL {
  const here = new URL("./thread-worker.js", import.meta.url);
  return existsSync(fileURLToPath(here)) ? here : new URL("../../dist/cli/thread-worker.js", import.meta.url);
}

/** The error a worker sent, rebuilt in the main thread (a SeqhuntError keeps its words and place). */
function rebuilt(reply: Extract<ThreadReply, { type: "error" }>): Error {
  if (reply.seqhunt) return new SeqhuntError(reply.message, reply.location ?? {});
  return new Error(`a worker thread failed: ${reply.message}`);
}

/** One worker: its thread and the requests it has not answered yet. */
interface Member {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (r: ThreadReply) => void; reject: (e: Error) => void }>;
}

/** Starts a worker: replies settle their requests; if the thread fails or stops, every request waiting is rejected. */
function startMember(): Member {
  const worker = new Worker(workerScript());
  const member: Member = { worker, pending: new Map() };
  worker.on("message", (reply: ThreadReply) => {
    member.pending.get(reply.id)?.resolve(reply);
    member.pending.delete(reply.id);
  });
  const fail = (err: Error) => {
    for (const p of member.pending.values()) p.reject(err);
    member.pending.clear();
  };
  worker.on("error", (err) => fail(new Error(`a worker thread failed: ${err.stack ?? err.message}`)));
  worker.on("exit", (code) => fail(new Error(`a worker thread stopped (exit code ${code})`)));
  return member;
}

/**
 * Worker threads holding the sessions the main thread read: each holds a run of them, in the main thread's
 * order, and counts over them on request.
 */
export class ThreadPool {
  readonly #members: Member[];
  /** For each worker, each of its sessions' main thread's index, in order. */
  #orders: Int32Array[] = [];
  #nextId = 0;

  private constructor(members: Member[]) {
    this.#members = members;
  }

  /** Starts `count` workers waiting for sessions ({@link ThreadPool.hand}): they start up while this thread reads. */
  static start(count: number): ThreadPool {
    return new ThreadPool(Array.from({ length: count }, startMember));
  }

  /** Hands the workers the sessions this thread read (in its order), each worker a run of them in turn. */
  hand(sessions: readonly CliSession[]): void {
    const share = Math.ceil(sessions.length / this.#members.length);
    this.#orders = this.#members.map((m, w) => {
      const from = Math.min(w * share, sessions.length);
      const to = Math.min(from + share, sessions.length);
      for (let at = from; at < to; at += HAND_BATCH) {
        const lines = sessions.slice(at, Math.min(at + HAND_BATCH, to)).map(encodeSession);
        m.worker.postMessage({ type: "take", id: this.#nextId++, lines } satisfies ThreadRequest);
      }
      return Int32Array.from({ length: to - from }, (_, k) => from + k);
    });
  }

  /** One request to worker `w`; its reply (an error reply rejects). */
  async #request(w: number, request: ThreadRequest): Promise<ThreadReply> {
    const m = this.#members[w] as Member;
    const reply = await new Promise<ThreadReply>((resolve, reject) => {
      m.pending.set(request.id, { resolve, reject });
      m.worker.postMessage(request);
    });
    if (reply.type === "error") throw rebuilt(reply);
    return reply;
  }

  /** The same request of every worker, and their replies of the type expected. */
  #askAll<T extends ThreadReply["type"]>(
    type: T,
    request: (id: number) => ThreadRequest,
  ): Promise<Extract<ThreadReply, { type: T }>[]> {
    return Promise.all(
      this.#members.map(async (_, w) => {
        const reply = await this.#request(w, request(this.#nextId++));
        if (reply.type !== type) throw new Error(`a worker thread answered ${reply.type}, not ${type}`);
        return reply as Extract<ThreadReply, { type: T }>;
      }),
    );
  }

  /**
   * markov-novelty's counts over every session, each worker counting its own (the categorical parameters
   * merged between its two steps) and the parts merged here: the counts one thread's training makes, to the
   * last bit of every score. The requests go out before the first await, so the caller may work meanwhile.
   */
  async countMarkovNovelty(
    identityColumns: readonly string[],
    entity: string | null,
  ): Promise<MarkovNoveltyCounts> {
    const found = await this.#askAll("categorical", (id) => ({
      type: "count",
      id,
      identityColumns,
      entity,
    }));
    const categorical = mergeCategorical(found.map((r) => r.parts));
    const counted = await this.#askAll("counted", (id) => ({
      type: "count-with",
      id,
      categorical: [...categorical],
    }));
    return mergeMarkovNoveltyParts(
      counted.map((r, w) => ({ part: r.part, order: this.#orders[w] as Int32Array })),
      categorical,
    );
  }

  /** How many sessions each worker holds. */
  get sessionsPerWorker(): number[] {
    return this.#orders.map((o) => o.length);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(
      this.#members.map((m) => {
        m.worker.removeAllListeners("exit");
        return m.worker.terminate();
      }),
    );
  }
}
