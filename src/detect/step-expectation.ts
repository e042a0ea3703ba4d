import { SeqhuntError } from "../errors.js";
import type { Vocabulary } from "../model/vocabulary.js";
import { namesOf } from "./base.js";
import type { WeightedSession } from "./types.js";

/**
 * Steps of weight that everyone's expected surprise carries in one command's: fixed before measuring (one
 * step, so a command followed once in training is half its own, half everyone's); sensitivity in the README.
 */
export const EXPECTATION_PRIOR = 1;

/**
 * One training session's held-out surprise per step at every order, summed by the command before each step
 * (its id), with the steps counted: what it adds to {@link StepSums}, kept so a repeat of it adds the same.
 */
export class FollowerSums {
  /** Sums by command: offset of its row in `#rows` (orders, then the step count). */
  readonly #rowOf = new Map<number, number>();
  #rows = new Float64Array(64);
  #used = 0;

  constructor(readonly orders: number) {}

  /** Adds one step after command `prev`: its surprise -ln p at each order from the probabilities `p`. */
  add(prev: number, p: Float64Array): void {
    const surprise = new Float64Array(this.orders);
    for (let k = 0; k < this.orders; k++) surprise[k] = -Math.log(p[k] as number);
    this.addSurprise(prev, surprise);
  }

  /** Adds one step after command `prev` of surprise `surprise[k]` nats at each order k (the log taken once by the caller). */
  addSurprise(prev: number, surprise: Float64Array): void {
    let at = this.#rowOf.get(prev);
    if (at === undefined) {
      at = this.#used;
      this.#used += this.orders + 1;
      if (this.#used > this.#rows.length) {
        const grown = new Float64Array(Math.max(this.#rows.length * 2, this.#used));
        grown.set(this.#rows);
        this.#rows = grown;
      }
      this.#rowOf.set(prev, at);
    }
    const rows = this.#rows;
    // x + (-ln p) is x - ln p to the bit: the same sums as subtracting the log.
    for (let k = 0; k < this.orders; k++) rows[at + k] = (rows[at + k] as number) + (surprise[k] as number);
    rows[at + this.orders] = (rows[at + this.orders] as number) + 1;
  }

  /** Numbers held: what a cache of these counts against its bound. */
  get size(): number {
    return this.#used;
  }

  /** Each command with its row: surprise sums by order, then the step count. */
  *rows(): Generator<[prev: number, row: Float64Array]> {
    for (const [prev, at] of this.#rowOf) yield [prev, this.#rows.subarray(at, at + this.orders + 1)];
  }
}

/**
 * Held-out surprise of the training steps by the command before them, at every order, weighted: adds up
 * over training sessions (each session's {@link FollowerSums} times its weight), so it merges by addition.
 */
export class StepSums {
  /** Per command id: surprise sums by order, then the steps' weight. */
  readonly #rows = new Map<number, Float64Array>();

  constructor(readonly orders: number) {}

  /** Adds one training session's sums, `weight` times. */
  add(sums: FollowerSums, weight: number): void {
    for (const [prev, row] of sums.rows()) {
      let mine = this.#rows.get(prev);
      if (mine === undefined) {
        mine = new Float64Array(this.orders + 1);
        this.#rows.set(prev, mine);
      }
      for (let k = 0; k <= this.orders; k++) mine[k] = (mine[k] as number) + weight * (row[k] as number);
    }
  }

  /**
   * What a step after each command costs at `order`: its mean held-out surprise, shrunk toward everyone's
   * mean with `prior` steps of weight.
   */
  at(order: number, prior = EXPECTATION_PRIOR): StepExpectation {
    let sum = 0;
    let steps = 0;
    // A loop, not Math.max(...keys): a vocabulary of a million commands is more arguments than a call takes.
    let size = 0;
    for (const [prev, row] of this.#rows) {
      sum += row[order] as number;
      steps += row[this.orders] as number;
      size = Math.max(size, prev + 1);
    }
    const everyone = steps > 0 ? sum / steps : 0;
    const byCommand = new Float64Array(size).fill(everyone);
    for (const [prev, row] of this.#rows)
      byCommand[prev] = ((row[order] as number) + prior * everyone) / ((row[this.orders] as number) + prior);
    return new StepExpectation(byCommand, everyone);
  }
}

/** {@link StepExpectation} as JSON. */
export interface StepExpectationJson {
  /** Expected surprise of a step after each command, by the context chain's token id. */
  readonly byCommand: readonly number[];
  /** Everyone's: after a command never seen in training. */
  readonly everyone: number;
}

/**
 * What a step costs, in nats of held-out surprise, given the command before it: a noisy program's ordinary
 * steps cost much, a predictable one's little, so a session's mean surprise less its mean expectation
 * ({@link StepExpectation.mean}) tells an unusual trace from an ordinary trace of a noisy kind.
 */
export class StepExpectation {
  constructor(
    readonly byCommand: Float64Array,
    readonly everyone: number,
  ) {}

  /** The mean expected surprise over a session's steps (the end included), its commands looked up in `vocabulary`. */
  mean(vocabulary: Vocabulary, s: WeightedSession): number {
    const names = namesOf(s.session);
    // The first step follows the start (id 0).
    let sum = this.#of(0);
    for (const name of names) sum += this.#of(vocabulary.lookup(name, -1));
    return sum / (names.length + 1);
  }

  #of(id: number): number {
    return id >= 0 && id < this.byCommand.length ? (this.byCommand[id] as number) : this.everyone;
  }

  /** As JSON. */
  toJSON(): StepExpectationJson {
    return { byCommand: [...this.byCommand], everyone: this.everyone };
  }

  /** An expectation saved with {@link StepExpectation.toJSON}; a damaged one throws a SeqhuntError. */
  static fromJSON(json: unknown): StepExpectation {
    const j = (json ?? {}) as Partial<StepExpectationJson>;
    if (
      !Array.isArray(j.byCommand) ||
      !j.byCommand.every((x) => typeof x === "number" && Number.isFinite(x)) ||
      typeof j.everyone !== "number" ||
      !Number.isFinite(j.everyone)
    )
      throw new SeqhuntError(
        "not a valid saved step expectation: expected a list of numbers and everyone's (a file from before it: train again)",
      );
    return new StepExpectation(Float64Array.from(j.byCommand), j.everyone);
  }
}
