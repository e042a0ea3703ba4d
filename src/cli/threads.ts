// Parallel hunt, score and train (--threads): worker threads each read the events of their identities (a
// hash of the identity in DuckDB), sessionize them and hand the sessions over; the main thread puts them in
// the order one thread gives, trains, and has the workers score and explain their own sessions.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { MarkovNoveltyCounts } from "../detect/markov-novelty.js";
import { mergeCategorical, mergeMarkovNoveltyParts } from "../detect/markov-novelty-parts.js";
import type { Detector, DetectorExplanation } from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { compareIdentityValue } from "../io/held-events.js";
import type { ReadStats } from "../io/read-events.js";
import { type CliSession, type InputOptions, type LoadedSessions, loadWarnings } from "./sessions.js";
import { decodeSession } from "./spill.js";
import { MAX_THREADS, type ThreadReply, type ThreadRequest, type ThreadSetup } from "./thread-messages.js";

/** Sessions per explain request to a worker, and per turn of the main thread between its replies. */
const WORKER_CHUNK = 1024;
const MAIN_CHUNK = 128;

/**
 * `--threads` when given, else 1: on the 2-core machines measured, two threads were slower than one (31.7 s
 * against 42.0 s for a 1M-event hunt) and used twice the memory, because training stays in one thread.
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

/** Orders two identities as one thread's reader does (each column by code point, missing last). */
function compareIdentities(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareIdentityValue(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

/** The error a worker sent, rebuilt in the main thread (a SeqhuntError keeps its words and place). */
function rebuilt(reply: Extract<ThreadReply, { type: "error" }>): Error {
  if (reply.seqhunt) return new SeqhuntError(reply.message, reply.location ?? {});
  return new Error(`a worker thread failed: ${reply.message}`);
}

/** Of the workers' errors, the one a single thread meets first: the earliest file and line, else the first. */
function firstError(errors: readonly Error[], files: readonly string[]): Error {
  const place = (e: Error) => {
    const at = e instanceof SeqhuntError ? e.location : {};
    const file = at.file === undefined ? -1 : files.indexOf(at.file);
    return [file < 0 ? Number.POSITIVE_INFINITY : file, at.line ?? Number.POSITIVE_INFINITY] as const;
  };
  return errors.reduce((best, e) => {
    const [f, l] = place(e);
    const [bf, bl] = place(best);
    return f < bf || (f === bf && l < bl) ? e : best;
  });
}

/** One worker: its thread, its sessions' count, and the requests it has not answered yet. */
interface Member {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (r: ThreadReply) => void; reject: (e: Error) => void }>;
  count: number;
}

/**
 * Worker threads holding the sessions of their identities: sessions are numbered as the main thread
 * holds them (one thread's order) and each lives in one worker, at one index there.
 */
export class ThreadPool {
  readonly #members: Member[];
  /** For each session (main thread's index): its worker and its index in that worker. */
  #owner = new Uint8Array(0);
  #local = new Int32Array(0);
  /** For each worker, each of its sessions' main thread's index, in the worker's order. */
  #orders: Int32Array[] = [];
  #nextId = 0;

  private constructor(members: Member[]) {
    this.#members = members;
  }

  /**
   * Starts `count` workers reading their share of the events; resolves with every session in one thread's
   * order, or rejects with the error one thread would have met first (every worker then stopped).
   */
  static async load(
    files: readonly string[],
    options: InputOptions,
    count: number,
    progress?: (rows: number, total: number | null) => void,
  ): Promise<{ pool: ThreadPool; loaded: LoadedSessions }> {
    // Plain data only crosses to a worker (no functions; undefined fields dropped).
    const plain = JSON.parse(JSON.stringify(options)) as InputOptions;
    const read = new Array<{ rows: number; total: number | null }>(count).fill({ rows: 0, total: 0 });
    const members: Member[] = [];
    const loads = Array.from({ length: count }, (_, index) => {
      const setup: ThreadSetup = { files, options: plain, partition: { index, count } };
      const worker = new Worker(workerScript(), { workerData: setup });
      const member: Member = { worker, pending: new Map(), count: 0 };
      members.push(member);
      return new Promise<{ sessions: CliSession[]; stats: ReadStats }>((resolve, reject) => {
        // Decoded as they come: the main thread is otherwise idle while the workers read.
        const sessions: CliSession[] = [];
        worker.on("message", (reply: ThreadReply) => {
          if (reply.type === "progress") {
            read[index] = { rows: reply.rows, total: reply.total };
            const total = read.some((r) => r.total === null)
              ? null
              : read.reduce((n, r) => n + (r.total ?? 0), 0);
            progress?.(
              read.reduce((n, r) => n + r.rows, 0),
              total,
            );
          } else if (reply.type === "sessions")
            for (const line of reply.lines) sessions.push(decodeSession(line));
          else if (reply.type === "loaded")
            resolve({
              sessions,
              stats: { read: reply.read, used: reply.used, skipped: new Map(reply.skipped) },
            });
          else if (reply.type === "error" && reply.id === undefined) reject(rebuilt(reply));
          else {
            const id = reply.id as number;
            member.pending.get(id)?.resolve(reply);
            member.pending.delete(id);
          }
        });
        const lost = (err: Error) => {
          reject(err);
          for (const p of member.pending.values()) p.reject(err);
          member.pending.clear();
        };
        worker.on("error", (err) => lost(new Error(`a worker thread failed: ${err.stack ?? err.message}`)));
        worker.on("exit", (code) => lost(new Error(`a worker thread stopped (exit code ${code})`)));
      });
    });
    const pool = new ThreadPool(members);
    const settled = await Promise.allSettled(loads);
    const errors = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as Error] : []));
    if (errors.length > 0) {
      await pool.close();
      throw firstError(errors, files);
    }
    const parts = settled.map(
      (s) => (s as PromiseFulfilledResult<{ sessions: CliSession[]; stats: ReadStats }>).value,
    );
    const sessions = pool.#merge(parts.map((p) => p.sessions));
    const stats: ReadStats = { read: 0, used: 0, skipped: new Map() };
    for (const p of parts) {
      stats.read += p.stats.read;
      stats.used += p.stats.used;
      for (const [reason, n] of p.stats.skipped)
        stats.skipped.set(reason, (stats.skipped.get(reason) ?? 0) + n);
    }
    const loaded: LoadedSessions = {
      sessions,
      stats,
      identityColumns: options.user,
      warnings: loadWarnings(options, sessions),
    };
    return { pool, loaded };
  }

  /** Every worker's sessions in one thread's order: by identity (each identity lives in one worker), then as read. */
  #merge(parts: CliSession[][]): CliSession[] {
    const total = parts.reduce((n, p) => n + p.length, 0);
    this.#owner = new Uint8Array(total);
    this.#local = new Int32Array(total);
    const next = parts.map(() => 0);
    const out: CliSession[] = [];
    for (let i = 0; i < total; i++) {
      let best = -1;
      for (let w = 0; w < parts.length; w++) {
        const s = parts[w]?.[next[w] as number];
        if (s === undefined) continue;
        const b = best < 0 ? undefined : parts[best]?.[next[best] as number];
        if (b === undefined || compareIdentities(s.identity, b.identity) < 0) best = w;
      }
      const k = next[best] as number;
      out.push(parts[best]?.[k] as CliSession);
      this.#owner[i] = best;
      this.#local[i] = k;
      next[best] = k + 1;
    }
    this.#members.forEach((m, w) => {
      m.count = parts[w]?.length ?? 0;
    });
    this.#orders = parts.map((p) => new Int32Array(p.length));
    for (let i = 0; i < total; i++)
      (this.#orders[this.#owner[i] as number] as Int32Array)[this.#local[i] as number] = i;
    return out;
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

  /** Gives every worker the detector of the requests to come (its JSON text crosses once per worker). */
  async #useDetector(detector: Detector, entity: string | null): Promise<void> {
    const saved = JSON.stringify(detector.toJSON());
    await Promise.all(
      this.#members.map((_, w) =>
        this.#request(w, { type: "detector", id: this.#nextId++, detector: saved, entity }),
      ),
    );
  }

  /**
   * markov-novelty's counts over every session, each worker counting its own (the categorical parameters
   * merged between its two steps) and the parts merged here: the counts one thread's training makes, to the
   * last bit of every score. The requests go out before the first await, so the caller may work meanwhile.
   */
  async countMarkovNovelty(entity: string | null): Promise<MarkovNoveltyCounts> {
    const ask = <T extends ThreadReply["type"]>(type: T, request: (w: number) => ThreadRequest) =>
      Promise.all(
        this.#members.map(async (_, w) => {
          const reply = await this.#request(w, request(w));
          if (reply.type !== type) throw new Error(`a worker thread answered ${reply.type} to count`);
          return reply as Extract<ThreadReply, { type: T }>;
        }),
      );
    const found = await ask("categorical", () => ({ type: "count", id: this.#nextId++, entity }));
    const categorical = mergeCategorical(found.map((r) => r.parts));
    const counted = await ask("counted", () => ({
      type: "count-with",
      id: this.#nextId++,
      categorical: [...categorical],
    }));
    return mergeMarkovNoveltyParts(
      counted.map((r, w) => ({ part: r.part, order: this.#orders[w] as Int32Array })),
      categorical,
    );
  }

  /** Each worker's share of `indices` (main thread's), in their order. */
  #byWorker(indices: ArrayLike<number>): number[][] {
    const byWorker = this.#members.map(() => [] as number[]);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      byWorker[this.#owner[i] as number]?.push(i);
    }
    return byWorker;
  }

  /** Worker indices of sessions given by main thread's indices. */
  #localOf(global: readonly number[]): Int32Array {
    return Int32Array.from(global, (i) => this.#local[i] as number);
  }

  /** The detector's scores of every session (held out: as if each had been left out of training), in order. */
  async score(detector: Detector, entity: string | null, heldOut: boolean): Promise<number[]> {
    await this.#useDetector(detector, entity);
    const all = Array.from({ length: this.#owner.length }, (_, i) => i);
    const scores = new Array<number>(this.#owner.length);
    await Promise.all(
      this.#byWorker(all).map(async (global, w) => {
        const id = this.#nextId++;
        const reply = await this.#request(w, { type: "score", id, indices: this.#localOf(global), heldOut });
        if (reply.type !== "scores") throw new Error(`a worker thread answered ${reply.type} to score`);
        global.forEach((g, k) => {
          scores[g] = reply.scores[k] as number;
        });
      }),
    );
    return scores;
  }

  /**
   * The detector's explanations of these sessions (main thread's indices), by index. The main thread takes
   * a share with `here` (its trained detector, which remembers what it worked out for its training sessions,
   * explains them faster) while each worker explains its own, chunk by chunk, until none are left.
   */
  async explain(
    detector: Detector,
    entity: string | null,
    indices: ArrayLike<number>,
    here: (index: number) => DetectorExplanation,
  ): Promise<Map<number, DetectorExplanation>> {
    await this.#useDetector(detector, entity);
    const queues = this.#byWorker(indices);
    const out = new Map<number, DetectorExplanation>();
    // Workers take chunks from the front of their own queue, the main thread smaller ones from the back of the longest.
    const feed = async (w: number): Promise<void> => {
      const queue = queues[w] as number[];
      for (
        let chunk = queue.splice(0, WORKER_CHUNK);
        chunk.length > 0;
        chunk = queue.splice(0, WORKER_CHUNK)
      ) {
        const id = this.#nextId++;
        const reply = await this.#request(w, { type: "explain", id, indices: this.#localOf(chunk) });
        if (reply.type !== "explanations")
          throw new Error(`a worker thread answered ${reply.type} to explain`);
        chunk.forEach((g, k) => {
          out.set(g, reply.explanations[k] as DetectorExplanation);
        });
      }
    };
    // Two requests in flight per worker: one is worked on while the reply of the other crosses.
    const workers = Promise.all(this.#members.flatMap((_, w) => [feed(w), feed(w)]));
    let failed = false;
    workers.catch(() => {
      failed = true;
    });
    for (;;) {
      const longest = queues.reduce((a, q) => (q.length > a.length ? q : a), [] as number[]);
      if (longest.length === 0 || failed) break;
      for (const i of longest.splice(-MAIN_CHUNK)) out.set(i, here(i));
      // Lets the workers' replies in, so they are fed again while this thread works.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await workers;
    return out;
  }

  /** How many sessions each worker holds. */
  get sessionsPerWorker(): number[] {
    return this.#members.map((m) => m.count);
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
