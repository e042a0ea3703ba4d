import type { Session, SessionTypeName } from "../types.js";
import { valueKey } from "./cmd.js";
import { IntBuffer } from "./int-buffer.js";
import { SessionType } from "./session-type.js";
import { UNK_TOKEN } from "./tokens.js";
import type { Vocabulary } from "./vocabulary.js";

/** Id of `##UNK##` in every vocabulary (it is interned first in the param and value ones). */
export const UNK_PARAM_ID = 0;
/** Id given to a parameter or value that is absent, falsy, or (when scoring) never seen. */
export const NO_ID = -1;
/** Id of a value held back as text while training: its parameter has too many distinct values to be modellable. */
export const DEFERRED_ID = -2;
/** The most distinct values a parameter may have and still be modellable (the reference's heuristic). */
export const MODELLABLE_DISTINCT = 20;

/** Sessions as flat arrays of ids: the form every hot loop works on. */
export interface EncodedSessions {
  /** Number of sessions. */
  readonly count: number;
  /** Offsets: session s holds commands `sessionStart[s] .. sessionStart[s+1]-1`. */
  readonly sessionStart: Int32Array;
  /** Command ids, all sessions concatenated. */
  readonly commands: Int32Array;
  /** Offsets into `params` per command (length commands+1), or null for plain commands. */
  readonly paramStart: Int32Array | null;
  /** Parameter ids; NO_ID for a parameter the vocabulary does not know. */
  readonly params: Int32Array | null;
  /** Value id per parameter (sessions with values), NO_ID when null/empty or unknown. */
  readonly values: Int32Array | null;
}

/** How names become ids: interning while training, looking up (never growing) while scoring. */
export interface IdResolver {
  command(name: string): number;
  param(name: string): number;
  /** The value's id (NO_ID for a falsy value, never counted), given the parameter's id. */
  value(value: string | null, param: number): number;
}

/**
 * Resolver that grows the vocabularies: used to train. With `defer`, once a parameter has shown more than
 * MODELLABLE_DISTINCT distinct values (so it cannot be modellable), its further values are handed to
 * `defer` as text and get DEFERRED_ID: interning free-text values is most of the cost of training on them,
 * and only the value tables, not the likelihoods, need them.
 */
export function internResolver(
  commands: Vocabulary,
  params: Vocabulary,
  values: Vocabulary,
  defer?: (param: number, value: string) => void,
): IdResolver {
  const command = (name: string) => commands.intern(name);
  const param = (name: string) => params.intern(name);
  if (defer === undefined)
    return { command, param, value: (value) => (value ? values.intern(value) : NO_ID) };
  // Per parameter id: its distinct values so far with their ids, or null once there are too many to model.
  const known: (Map<string, number> | null | undefined)[] = [];
  return {
    command,
    param,
    value: (value, p) => {
      if (!value) return NO_ID;
      let ids = known[p];
      if (ids === null) {
        defer(p, value);
        return DEFERRED_ID;
      }
      if (ids === undefined) {
        ids = new Map();
        known[p] = ids;
      }
      let id = ids.get(value);
      if (id === undefined) {
        id = values.intern(value);
        ids.set(value, id);
        if (ids.size > MODELLABLE_DISTINCT) known[p] = null;
      }
      return id;
    },
  };
}

/**
 * Resolver that leaves the vocabularies alone: unseen commands and values become `##UNK##`. Values are
 * looked up only for the parameters in `modelled` (by id): scoring never reads the others.
 */
export function lookupResolver(
  commands: Vocabulary,
  params: Vocabulary,
  values: Vocabulary,
  modelled?: Uint8Array,
): IdResolver {
  const unkCommand = commands.lookup(UNK_TOKEN, NO_ID);
  return {
    command: (name) => commands.lookup(name, unkCommand),
    // An unseen parameter matches no entry of the command's row (reference: ignored).
    param: (name) => params.lookup(name, NO_ID),
    value: (value, param) =>
      !value || (modelled !== undefined && modelled[param] !== 1)
        ? NO_ID
        : values.lookup(value, UNK_PARAM_ID),
  };
}

/**
 * The parameter ids of the last parameter names seen with each command: a command's records mostly list
 * the same names in the same order, and a name that is the same string costs a pointer comparison
 * instead of a lookup. Use: {@link ParamNameCache.start}, then {@link ParamNameCache.id} per name in order.
 * Cached names and ids stay paired, so a stale list costs lookups, never a wrong id; it is cut to what the
 * latest list shared with it, then extended, so it holds one list per command.
 */
class ParamNameCache {
  readonly #names: string[][] = [];
  readonly #ids: number[][] = [];
  #currentNames: string[] = [];
  #currentIds: number[] = [];
  /** Names matched so far against the cached list; -1 once one differs (the rest then replace it). */
  #matched = 0;

  constructor(readonly resolve: IdResolver) {}

  /** Begins a command's parameter list; ends the previous one. */
  start(command: number): void {
    this.#finish();
    let names = this.#names[command];
    if (names === undefined) {
      names = [];
      this.#names[command] = names;
      this.#ids[command] = [];
    }
    this.#currentNames = names;
    this.#currentIds = this.#ids[command] as number[];
    this.#matched = 0;
  }

  /** The id of the next parameter name of the current command. */
  id(name: string): number {
    const names = this.#currentNames;
    const ids = this.#currentIds;
    const matched = this.#matched;
    if (matched >= 0 && names[matched] === name) {
      this.#matched = matched + 1;
      return ids[matched] as number;
    }
    if (matched >= 0) {
      names.length = matched;
      ids.length = matched;
      this.#matched = -1;
    }
    const id = this.resolve.param(name);
    names.push(name);
    ids.push(id);
    return id;
  }

  /** Drops cached names the current command's list did not reach. */
  #finish(): void {
    const matched = this.#matched;
    if (matched >= 0 && matched < this.#currentNames.length) {
      this.#currentNames.length = matched;
      this.#currentIds.length = matched;
    }
  }
}

/** Object.prototype.hasOwnProperty: V8 proves it true inside a for-in over the same object (Object.hasOwn costs 4x). */
const hasOwn = Object.prototype.hasOwnProperty;

/** Parameters are counted over the first 1/PARAM_SAMPLE of the sessions to size their buffers. */
const PARAM_SAMPLE = 32;

/** Encodes validated sessions of the given type to ids. */
export function encodeSessions(
  sessions: readonly Session[],
  sessionType: SessionTypeName,
  resolve: IdResolver,
): EncodedSessions {
  // Long because it is the hot encoding loop: one pass with buffers sized up front, kept inline for speed (see bench).
  const sessionStart = new Int32Array(sessions.length + 1);
  const commands = new IntBuffer();
  const withParams = sessionType !== SessionType.cmdsOnly;
  const withValues = sessionType === SessionType.cmdsParamsValues;
  const paramStart = new IntBuffer();
  const params = new IntBuffer();
  const values = new IntBuffer();
  const cache = new ParamNameCache(resolve);
  // Sized once instead of grown by doubling: the commands exactly, the parameters from the first sessions' rate.
  let total = 0;
  for (const session of sessions) total += session.length;
  commands.reserve(total);
  if (withParams) paramStart.reserve(total + 1);
  const estimateAt = Math.max(1, Math.floor(sessions.length / PARAM_SAMPLE));
  for (let s = 0; s < sessions.length; s++) {
    if (s === estimateAt && withParams && commands.length > 0) {
      const expected = Math.ceil((params.length / commands.length) * total * 1.1) + 16;
      params.reserve(expected);
      if (withValues) values.reserve(expected);
    }
    const session = sessions[s] as Session;
    for (const cmd of session) {
      if (typeof cmd === "string") {
        commands.push(resolve.command(cmd));
        continue;
      }
      const command = resolve.command(cmd.name);
      commands.push(command);
      if (!withParams) continue;
      paramStart.push(params.length);
      cache.start(command);
      const p = cmd.params;
      if (p instanceof Set) {
        for (const name of p) {
          params.push(cache.id(name));
          if (withValues) values.push(NO_ID);
        }
        continue;
      }
      const record = p as Readonly<Record<string, string | null>>;
      // for-in with an own-property check visits what Object.keys lists, in its order, without an array.
      for (const name in record) {
        if (!hasOwn.call(record, name)) continue;
        const param = cache.id(name);
        params.push(param);
        if (withValues) values.push(resolve.value(valueKey(record[name]), param));
      }
    }
    sessionStart[s + 1] = commands.length;
  }
  if (withParams) paramStart.push(params.length);
  return {
    count: sessions.length,
    sessionStart,
    commands: commands.toArray(),
    paramStart: withParams ? paramStart.toArray() : null,
    params: withParams ? params.toArray() : null,
    values: withValues ? values.toArray() : null,
  };
}
