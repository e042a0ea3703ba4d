import type { SessionPasses, WeightedSession } from "./types.js";

/** What a pass does with each session (and its index in the pass). */
export type Visit = (s: WeightedSession, index: number) => void;

/**
 * A training written once for both ways of reading sessions: it yields one visitor per pass over the
 * training sessions (each visitor sees every session before the next is asked for) and returns its result.
 */
export type PassTraining<T> = Generator<Visit, T, void>;

/** Runs a pass-wise training over sessions held in memory. */
export function trainInMemory<T>(training: PassTraining<T>, sessions: readonly WeightedSession[]): T {
  for (let step = training.next(); ; step = training.next()) {
    if (step.done) return step.value;
    const visit = step.value;
    for (let i = 0; i < sessions.length; i++) visit(sessions[i] as WeightedSession, i);
  }
}

/** Runs a pass-wise training over sessions read pass after pass. */
export async function trainInPasses<T>(training: PassTraining<T>, sessions: SessionPasses): Promise<T> {
  for (let step = training.next(); ; step = training.next()) {
    if (step.done) return step.value;
    await sessions.pass(step.value);
  }
}

/** Sessions in memory read as passes (each pass visits the same objects). */
export function sessionPassesOf(sessions: readonly WeightedSession[]): SessionPasses {
  return {
    pass: async (visit) => {
      for (let i = 0; i < sessions.length; i++) visit(sessions[i] as WeightedSession, i);
    },
  };
}

/** Two trainings over the same passes: each pass visits every session with both (a finished one drops out). */
export function* together<A, B>(a: PassTraining<A>, b: PassTraining<B>): PassTraining<[A, B]> {
  let stepA = a.next();
  let stepB = b.next();
  while (!stepA.done || !stepB.done) {
    const visitA = stepA.done ? null : stepA.value;
    const visitB = stepB.done ? null : stepB.value;
    yield (s, i) => {
      visitA?.(s, i);
      visitB?.(s, i);
    };
    if (visitA !== null) stepA = a.next();
    if (visitB !== null) stepB = b.next();
  }
  return [stepA.value, stepB.value];
}

/** Numbers per block of a {@link NumberColumn}. */
const BLOCK = 1 << 16;

/**
 * A growing column of numbers, one per training session: what a pass keeps instead of the session. Kept in
 * fixed blocks (a doubling array held up to twice the numbers, and both copies while growing; a pass keeps
 * a dozen columns of a million sessions), joined once when read.
 */
export class NumberColumn {
  readonly #full: Float64Array[] = [];
  #block = new Float64Array(BLOCK);
  #length = 0;
  #joined: Float64Array | undefined;

  /** Appends one number. */
  push(x: number): void {
    const at = this.#length++ % BLOCK;
    if (at === 0 && this.#length > 1) {
      this.#full.push(this.#block);
      this.#block = new Float64Array(BLOCK);
    }
    this.#block[at] = x;
    this.#joined = undefined;
  }

  /** The numbers pushed, in order (joined on the first call after a push; the same array until the next). */
  values(): Float64Array {
    if (this.#joined === undefined) {
      const out = new Float64Array(this.#length);
      this.#full.forEach((block, i) => {
        out.set(block, i * BLOCK);
      });
      out.set(this.#block.subarray(0, this.#length - this.#full.length * BLOCK), this.#full.length * BLOCK);
      this.#joined = out;
    }
    return this.#joined;
  }
}
