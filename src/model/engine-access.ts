/**
 * What an engine that counts or scores outside this process (ClickHouse today) gets from the model, in one
 * place: a counts builder that owns the counting rules, the log tables of a trained model, and the shared
 * constants. Internal: not exported from the package entry. Engines import from here, never from the
 * model's other modules, so the rules below are never restated in an engine.
 */
import type { SessionTypeName } from "../types.js";
import { END_ID, RawCounts, START_ID } from "./counts.js";
import { type Model, modelFromRawCounts } from "./model.js";
import { SessionType } from "./session-type.js";

export { trustedCmd } from "./cmd.js";
export { END_ID, START_ID, UNK_ID } from "./counts.js";
export type { LogProbabilities } from "./likelihood.js";
export { logTablesOf, type Model } from "./model.js";
export { type ParamMode, SessionType, sessionTypeOf } from "./session-type.js";
export { END_TOKEN, START_TOKEN, UNK_TOKEN } from "./tokens.js";
export { TIE_TOLERANCE } from "./windows.js";

function addAt(list: number[], id: number, n: number): void {
  while (list.length <= id) list.push(0);
  list[id] = (list[id] as number) + n;
}

/**
 * Raw counts from count rows an engine computed elsewhere, keyed by names. It owns the counting rules an
 * engine would otherwise restate: every session has one START and one END, its first command follows
 * START and END follows its last; a parameter's total is the sum of its (command, parameter) pairs and a
 * value's total the sum of its (parameter, value) pairs. Rows may come in any number of parts (one per
 * shard, say): counts add. Names are interned in the order they first arrive.
 */
export class CountsBuilder {
  readonly #counts = new RawCounts();

  constructor(readonly sessionType: SessionTypeName) {}

  /** `n` sessions: each counts one START and one END. */
  addSessions(n: number): void {
    addAt(this.#counts.seq1, START_ID, n);
    addAt(this.#counts.seq1, END_ID, n);
    this.#counts.sessions += n;
  }

  /** `command` occurred `n` times. */
  addCommand(command: string, n: number): void {
    addAt(this.#counts.seq1, this.#counts.commands.intern(command), n);
  }

  /** `n` sessions started with `command` (the transition from START). */
  addFirstCommand(command: string, n: number): void {
    this.#counts.seq2.add(START_ID, this.#counts.commands.intern(command), n);
  }

  /** `n` sessions ended with `command` (the transition to END). */
  addLastCommand(command: string, n: number): void {
    this.#counts.seq2.add(this.#counts.commands.intern(command), END_ID, n);
  }

  /** `next` followed `previous` inside a session `n` times. */
  addTransition(previous: string, next: string, n: number): void {
    const { commands } = this.#counts;
    this.#counts.seq2.add(commands.intern(previous), commands.intern(next), n);
  }

  /** Parameter `param` occurred with `command` `n` times (and so `n` more times in all). */
  addCommandParam(command: string, param: string, n: number): void {
    const p = this.#counts.params.intern(param);
    this.#counts.cmdParam.add(this.#counts.commands.intern(command), p, n);
    addAt(this.#counts.param, p, n);
  }

  /** Non-empty value `value` of parameter `param` occurred `n` times (and so `n` more times in all). */
  addParamValue(param: string, value: string, n: number): void {
    const v = this.#counts.values.intern(value);
    this.#counts.paramValue.add(this.#counts.params.intern(param), v, n);
    addAt(this.#counts.value, v, n);
  }

  /** The trained model of the counts added, smoothed and turned into probabilities as in-process training does; call once. */
  build(): Model {
    this.#counts.fit();
    return modelFromRawCounts(this.#counts, this.sessionType);
  }
}

/** Whether sessions of this type carry parameter names, and values. */
export function parametersOf(sessionType: SessionTypeName): { names: boolean; values: boolean } {
  return {
    names: sessionType !== SessionType.cmdsOnly,
    values: sessionType === SessionType.cmdsParamsValues,
  };
}
