import type { Command, Session, SessionTypeName } from "../types.js";
import { type Cmd, valueKey } from "./cmd.js";
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
  /**
   * Per command, an id of its parameter list, or null for plain commands: commands with the same list id
   * have the same command id and the same parameter ids in the same order (not conversely), so what
   * depends only on those is worked out once per list.
   */
  readonly paramLists: Int32Array | null;
  /** Per list id, the index of the first command with that list. */
  readonly listFirst: Int32Array | null;
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
  // Per parameter id: its distinct values so far and their ids (a short list: compared, not hashed), or
  // null once there are too many to model.
  const knownValues: (string[] | null | undefined)[] = [];
  const knownIds: number[][] = [];
  return {
    command,
    param,
    value: (value, p) => {
      if (!value) return NO_ID;
      let seen = knownValues[p];
      if (seen === null) {
        defer(p, value);
        return DEFERRED_ID;
      }
      if (seen === undefined) {
        seen = [];
        knownValues[p] = seen;
        knownIds[p] = [];
      }
      const ids = knownIds[p] as number[];
      for (let k = 0; k < seen.length; k++) if (seen[k] === value) return ids[k] as number;
      const id = values.intern(value);
      seen.push(value);
      ids.push(id);
      if (seen.length > MODELLABLE_DISTINCT) knownValues[p] = null;
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

/** Object.prototype.hasOwnProperty: V8 proves it true inside a for-in over the same object (Object.hasOwn costs 4x). */
const hasOwn = Object.prototype.hasOwnProperty;

/** Encodes validated sessions of the given type to ids. */
export function encodeSessions(
  sessions: readonly Session[],
  sessionType: SessionTypeName,
  resolve: IdResolver,
): EncodedSessions {
  const count = sessions.length;
  const sessionStart = new Int32Array(count + 1);
  let total = 0;
  for (let s = 0; s < count; s++) total += (sessions[s] as Session).length;
  const commands = new Int32Array(total);
  if (sessionType === SessionType.cmdsOnly) {
    let i = 0;
    for (let s = 0; s < count; s++) {
      const session = sessions[s] as Session;
      for (let c = 0; c < session.length; c++) {
        const cmd = session[c] as Command;
        commands[i++] = resolve.command(typeof cmd === "string" ? cmd : cmd.name);
      }
      sessionStart[s + 1] = i;
    }
    return {
      count,
      sessionStart,
      commands,
      paramStart: null,
      params: null,
      values: null,
      paramLists: null,
      listFirst: null,
    };
  }
  return encodeWithParams(sessions, sessionType === SessionType.cmdsParamsValues, resolve, {
    count,
    sessionStart,
    commands,
  });
}

/**
 * The parameter ids of the last parameter names seen with each command: a command's records mostly list
 * the same names in the same order, and a name that is the same string costs a pointer comparison
 * instead of a lookup. Use: {@link ParamNameCache.start}, then {@link ParamNameCache.id} per name in order,
 * then {@link ParamNameCache.end}. Cached names and ids stay paired, so a stale list costs lookups, never a
 * wrong id; it is cut to what the latest list shared with it, then extended, so it holds one list per command.
 * A command's cached list gets a new list id whenever it changes, so a list id names one list.
 */
class ParamNameCache {
  readonly #names: string[][] = [];
  readonly #ids: number[][] = [];
  /** Per command: the list id of its cached list, -1 before it has one. */
  readonly #lists: number[] = [];
  /** Per list id: the index of the first command with it. */
  readonly listFirst = new IntBuffer();
  #command = 0;
  names: string[] = [];
  ids: number[] = [];
  /** Names matched so far against the cached list; -1 once one differs (the rest then replace it). */
  matched = 0;

  constructor(readonly resolve: IdResolver) {}

  /** Begins a command's parameter list. */
  start(command: number): void {
    let names = this.#names[command];
    if (names === undefined) {
      names = [];
      this.#names[command] = names;
      this.#ids[command] = [];
      this.#lists[command] = -1;
    }
    this.#command = command;
    this.names = names;
    this.ids = this.#ids[command] as number[];
    this.matched = 0;
  }

  /** The id of the next parameter name of the current command. */
  id(name: string): number {
    const matched = this.matched;
    if (matched >= 0 && this.names[matched] === name) {
      this.matched = matched + 1;
      return this.ids[matched] as number;
    }
    return this.#miss(name);
  }

  #miss(name: string): number {
    if (this.matched >= 0) {
      this.names.length = this.matched;
      this.ids.length = this.matched;
      this.matched = -1;
    }
    const id = this.resolve.param(name);
    this.names.push(name);
    this.ids.push(id);
    return id;
  }

  /** Ends the current command's list (the command at index `at`): its list id; drops cached names it did not reach. */
  end(at: number): number {
    const matched = this.matched;
    const list = this.#lists[this.#command] as number;
    if (matched === this.names.length && list >= 0) return list;
    if (matched >= 0) {
      this.names.length = matched;
      this.ids.length = matched;
    }
    const fresh = this.listFirst.length;
    this.listFirst.push(at);
    this.#lists[this.#command] = fresh;
    return fresh;
  }
}

/** A copy of `from` in a new array of `capacity` values. */
function grown(from: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const to = new Int32Array(capacity);
  to.set(from);
  return to;
}

/** Parameters are counted over the first 1/PARAM_SAMPLE of the sessions to size their buffers. */
const PARAM_SAMPLE = 32;

/** Encodes sessions of Cmds (parameter names, and values when `withValues`) into `into`'s command arrays and new parameter arrays. */
function encodeWithParams(
  sessions: readonly Session[],
  withValues: boolean,
  resolve: IdResolver,
  into: { count: number; sessionStart: Int32Array; commands: Int32Array },
): EncodedSessions {
  // Long because it is the hot encoding loop: typed arrays in locals, grown here, not behind a call per entry.
  const { count, sessionStart, commands } = into;
  const total = commands.length;
  const paramStart = new Int32Array(total + 1);
  const paramLists = new Int32Array(total);
  let capacity = Math.max(16, total);
  let params = new Int32Array(capacity);
  let values = new Int32Array(withValues ? capacity : 0);
  const cache = new ParamNameCache(resolve);
  // Sized once from the first sessions' rate instead of grown by doubling (the model keeps these arrays).
  const estimateAt = Math.max(1, Math.floor(count / PARAM_SAMPLE));
  let i = 0;
  let j = 0;
  for (let s = 0; s < count; s++) {
    if (s === estimateAt && i > 0) {
      const expected = Math.ceil((j / i) * total * 1.1) + 16;
      if (expected > capacity) {
        capacity = expected;
        params = grown(params, capacity);
        if (withValues) values = grown(values, capacity);
      }
    }
    const session = sessions[s] as Session;
    for (let c = 0; c < session.length; c++) {
      const cmd = session[c] as Cmd;
      const command = resolve.command(cmd.name);
      commands[i] = command;
      paramStart[i] = j;
      cache.start(command);
      const p = cmd.params;
      if (p instanceof Set) {
        // Room for a Set's names is made once.
        if (j + p.size > capacity) {
          capacity = Math.max(2 * capacity, j + p.size);
          params = grown(params, capacity);
          if (withValues) values = grown(values, capacity);
        }
        for (const name of p) {
          params[j] = cache.id(name);
          if (withValues) values[j] = NO_ID;
          j++;
        }
        paramLists[i] = cache.end(i);
        i++;
        continue;
      }
      const record = p as Readonly<Record<string, string | null>>;
      // for-in with an own-property check visits what Object.keys lists, in its order, without an array.
      for (const name in record) {
        if (!hasOwn.call(record, name)) continue;
        if (j === capacity) {
          capacity *= 2;
          params = grown(params, capacity);
          if (withValues) values = grown(values, capacity);
        }
        const param = cache.id(name);
        params[j] = param;
        if (withValues) values[j] = resolve.value(valueKey(record[name]), param);
        j++;
      }
      paramLists[i] = cache.end(i);
      i++;
    }
    sessionStart[s + 1] = i;
  }
  paramStart[total] = j;
  return {
    count,
    sessionStart,
    commands,
    paramStart,
    params: params.subarray(0, j),
    values: withValues ? values.subarray(0, j) : null,
    paramLists,
    listFirst: cache.listFirst.toArray(),
  };
}
