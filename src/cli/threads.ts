// Parallel training (--threads): a detector with a threaded training ({@link ThreadedTraining}) offloads part
// of its work to worker threads while the main thread does the rest; the result is one thread's, to the bit.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SeqhuntError } from "../errors.js";
import {
  DEFAULT_THREADS_FROM,
  MAX_THREADS,
  type ScoredSessions,
  type ScoreRequest,
  type ThreadReply,
  type ThreadRequest,
} from "./thread-messages.js";

/**
 * The threads a hunt of `commands` commands trains in, this one included: `--threads` when given; else
 * every core from {@link DEFAULT_THREADS_FROM} commands on (two threads measured faster than one on two
 * cores: README, Performance), 1 below.
 */
export function threadCount(threads: number | undefined, commands = 0): number {
  if (threads !== undefined && threads > MAX_THREADS)
    throw new SeqhuntError(`--threads must be at most ${MAX_THREADS}, got ${threads}`);
  if (threads !== undefined) return threads;
  return commands >= DEFAULT_THREADS_FROM ? Math.min(availableParallelism(), MAX_THREADS) : 1;
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
 * Worker threads that run the offloaded parts of detectors' threaded trainings: a worker starts when work
 * comes and every one started is busy, up to the pool's size; then work queues on the least busy.
 */
export class ThreadPool {
  readonly #members: Member[] = [];
  /** The worker each offloaded request went to, by the promise of its result. */
  readonly #takenBy = new WeakMap<Promise<unknown>, Member>();
  #nextId = 0;

  private constructor(readonly size: number) {}

  /** A pool of at most `size` workers (none started yet). */
  static of(size: number): ThreadPool {
    return new ThreadPool(Math.max(1, size));
  }

  /** Workers started so far. */
  get started(): number {
    return this.#members.length;
  }

  /**
   * Starts every worker not started yet, so each loads its modules now (while this thread reads, say) rather
   * than when the first work comes.
   */
  start(): void {
    while (this.#members.length < this.size) this.#members.push(startMember());
  }

  /** The least busy worker, started now when every one is busy and the pool has room. */
  #member(): Member {
    const idle = this.#members.find((m) => m.pending.size === 0);
    if (idle !== undefined) return idle;
    if (this.#members.length < this.size) {
      const m = startMember();
      this.#members.push(m);
      return m;
    }
    return this.#members.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  /**
   * Runs the offloaded part of `method`'s threaded training on `request` in a worker (the one that took
   * `follows`, a request offloaded before, when given); its result (an error there rejects). The request
   * goes out before this returns, so the caller works meanwhile.
   */
  offload(method: string, request: unknown, follows?: Promise<unknown>): Promise<unknown> {
    const member = (follows && this.#takenBy.get(follows)) ?? this.#member();
    const result = this.#ask({ type: "work", id: this.#nextId++, method, request }, member);
    this.#takenBy.set(result, member);
    return result;
  }

  /**
   * Scores sessions with a model file's detector in a worker (see {@link ScoreRequest}); the request goes
   * out before this returns.
   */
  async score(request: Omit<ScoreRequest, "id" | "type">): Promise<ScoredSessions> {
    return (await this.#ask({ ...request, type: "score", id: this.#nextId++ })) as ScoredSessions;
  }

  /** Sends a message to worker `m` (the least busy by default); its result (an error there rejects). */
  async #ask(message: ThreadRequest | ScoreRequest, m = this.#member()): Promise<unknown> {
    const reply = await new Promise<ThreadReply>((resolve, reject) => {
      m.pending.set(message.id, { resolve, reject });
      m.worker.postMessage(message);
    });
    if (reply.type === "error") throw rebuilt(reply);
    return reply.result;
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
