import type { Session, SessionTypeName } from "../types.js";
import { Cmd, valueKey } from "./cmd.js";
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

/**
 * The distinct parameter lists of encoded sessions: commands with the same list id have the same command id
 * and the same parameter ids in the same order (not conversely), so a command's parameters are stored once
 * per list, and what depends only on them is worked out once per list.
 */
export interface ParamLists {
  /** Offsets: list l holds parameters `start[l] .. start[l+1]-1` (length lists+1). */
  readonly start: Int32Array;
  /** Parameter ids, lists concatenated; NO_ID for a parameter the vocabulary does not know. */
  readonly params: Int32Array;
  /** Per list, the id of the command that lists it. */
  readonly command: Int32Array;
}

/** Sessions as flat arrays of ids: the form every hot loop works on. */
export interface EncodedSessions {
  /** Number of sessions. */
  readonly count: number;
  /** Offsets: session s holds commands `sessionStart[s] .. sessionStart[s+1]-1`. */
  readonly sessionStart: Int32Array;
  /** Command ids, all sessions concatenated. */
  readonly commands: Int32Array;
  /** Per command, the id of its parameter list in `lists`, or null for plain commands. */
  readonly paramLists: Int32Array | null;
  /** The parameter lists, or null for plain commands. */
  readonly lists: ParamLists | null;
  /**
   * Sessions with values: offsets into `values` per command (length commands+1); command i's k-th
   * parameter's value is `values[valueStart[i] + k]`. Null otherwise.
   */
  readonly valueStart: Int32Array | null;
  /** Value id per parameter of each command (sessions with values), NO_ID when null/empty or unknown. */
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
  // Per parameter id: its distinct values so far and their ids, or null once there are too many to model.
  // Hashed: a scan compares the text of every other equal-length value (same-length values are the rule).
  const knownValues: (Map<string, number> | null | undefined)[] = [];
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
        seen = new Map();
        knownValues[p] = seen;
      }
      const known = seen.get(value);
      if (known !== undefined) return known;
      const id = values.intern(value);
      seen.set(value, id);
      if (seen.size > MODELLABLE_DISTINCT) knownValues[p] = null;
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
  const encoded = encodeOrRefuse(sessions, sessionType, resolve);
  if (encoded === null) throw new Error(`sessions validated as ${sessionType} did not encode as such`);
  return encoded;
}

/**
 * Sessions not yet validated, encoded in the same pass as they are checked when every session is a
 * non-empty array and every command is of the common kind of the type the first command decides (names,
 * or Cmds): one pass over the commands instead of two. Null otherwise: then validate them (which throws
 * or converts) and encode what it gives, with fresh vocabularies (these may have grown).
 */
export function encodeIfCommon(
  sessions: unknown,
  resolve: IdResolver,
): { sessions: Session[]; sessionType: SessionTypeName; encoded: EncodedSessions } | null {
  if (!Array.isArray(sessions) || sessions.length === 0) return null;
  const first: unknown = Array.isArray(sessions[0]) ? sessions[0][0] : undefined;
  const sessionType =
    typeof first === "string"
      ? SessionType.cmdsOnly
      : first instanceof Cmd
        ? first.params instanceof Set
          ? SessionType.cmdsParamsOnly
          : SessionType.cmdsParamsValues
        : null;
  if (sessionType === null) return null;
  const encoded = encodeOrRefuse(sessions as Session[], sessionType, resolve);
  return encoded === null ? null : { sessions: sessions.slice(), sessionType, encoded };
}

// The loops below are functions of their own, ending with their loop: see countSessions (counts.ts).

/** The number of commands in all sessions, or -1 when a session is not a non-empty array. */
function commandCount(sessions: readonly Session[]): number {
  let total = 0;
  for (let s = 0; s < sessions.length; s++) {
    const session: unknown = sessions[s];
    if (!Array.isArray(session) || session.length === 0) return -1;
    total += session.length;
  }
  return total;
}

/** Encodes sessions of command names into `sessionStart` and `commands`; false at a command that is not a name. */
function encodeNames(
  sessions: readonly Session[],
  resolve: IdResolver,
  sessionStart: Int32Array,
  commands: Int32Array,
): boolean {
  let i = 0;
  for (let s = 0; s < sessions.length; s++) {
    const session = sessions[s] as Session;
    for (let c = 0; c < session.length; c++) {
      const cmd = session[c];
      if (typeof cmd !== "string") return false;
      commands[i++] = resolve.command(cmd);
    }
    sessionStart[s + 1] = i;
  }
  return true;
}

/**
 * Encodes sessions of the given type, or null when a session is not a non-empty array or a command not of
 * the type's common kind (a name; a Cmd with a Set of names; any Cmd), which validated sessions never are.
 */
function encodeOrRefuse(
  sessions: readonly Session[],
  sessionType: SessionTypeName,
  resolve: IdResolver,
): EncodedSessions | null {
  const count = sessions.length;
  const sessionStart = new Int32Array(count + 1);
  const total = commandCount(sessions);
  if (total < 0) return null;
  const commands = new Int32Array(total);
  if (sessionType === SessionType.cmdsOnly) {
    if (!encodeNames(sessions, resolve, sessionStart, commands)) return null;
    return { count, sessionStart, commands, paramLists: null, lists: null, valueStart: null, values: null };
  }
  return encodeWithParams(sessions, sessionType === SessionType.cmdsParamsValues, resolve, {
    count,
    sessionStart,
    commands,
  });
}

/**
 * The parameter ids of the last parameter names seen with each command, and the lists made so far: a
 * command's records mostly list the same names in the same order, and a name that is the same string costs
 * a pointer comparison instead of a lookup. Use: {@link ParamNameCache.start}; then per name in order, while
 * none differed, compare it with `names[k]` (its id is `ids[k]`), else {@link ParamNameCache.miss}; then
 * {@link ParamNameCache.end}. Cached names and ids stay paired, so a stale list costs lookups, never a
 * wrong id; it is cut to what the latest list shared with it, then extended, so it holds one list per command.
 * A command's cached list becomes a new list whenever it changes, so a list id names one list.
 */
class ParamNameCache {
  readonly #names: string[][] = [];
  readonly #ids: number[][] = [];
  /** Per command: the list id of its cached list, -1 before it has one. */
  readonly #lists: number[] = [];
  // Small to start: scoring encodes a session or a few at a time.
  readonly #start = new IntBuffer(64);
  readonly #params = new IntBuffer(64);
  readonly #command = new IntBuffer(64);
  #current = 0;
  /** The current command's cached names, and their ids at the same places. */
  names: string[] = [];
  ids: number[] = [];

  constructor(readonly resolve: IdResolver) {
    this.#start.push(0);
  }

  /** Begins a command's parameter list. */
  start(command: number): void {
    let names = this.#names[command];
    if (names === undefined) {
      names = [];
      this.#names[command] = names;
      this.#ids[command] = [];
      this.#lists[command] = -1;
    }
    this.#current = command;
    this.names = names;
    this.ids = this.#ids[command] as number[];
  }

  /**
   * The id of the next name, which is not the cached one: `matched` names matched before it, or -1 after an
   * earlier miss (the caller passes -1 from then on). The cached list is cut there and gets the name.
   */
  miss(name: string, matched: number): number {
    if (matched >= 0) {
      this.names.length = matched;
      this.ids.length = matched;
    }
    const id = this.resolve.param(name);
    this.names.push(name);
    this.ids.push(id);
    return id;
  }

  /** Ends the current command's list (`matched` names matched, -1 after a miss): its list id. */
  end(matched: number): number {
    const list = this.#lists[this.#current] as number;
    if (matched === this.names.length && list >= 0) return list;
    if (matched >= 0) {
      // Drops cached names the command did not reach.
      this.names.length = matched;
      this.ids.length = matched;
    }
    const fresh = this.#command.length;
    this.#command.push(this.#current);
    for (const id of this.ids) this.#params.push(id);
    this.#start.push(this.#params.length);
    this.#lists[this.#current] = fresh;
    return fresh;
  }

  /** The lists made. */
  lists(): ParamLists {
    return { start: this.#start.toArray(), params: this.#params.toArray(), command: this.#command.toArray() };
  }
}

/** A copy of the first `used` values of `from` in a new array of `capacity` values. */
function grown(from: Int32Array, capacity: number, used: number): Int32Array<ArrayBuffer> {
  const to = new Int32Array(capacity);
  to.set(from.subarray(0, used));
  return to;
}

/** Values are counted over the first 1/VALUE_SAMPLE of the sessions to size their buffer. */
const VALUE_SAMPLE = 32;

/**
 * Encodes sessions of Cmds (parameter names, and values when `withValues`) into `into`'s command arrays and
 * new parameter lists (and values); null at a command that is not a Cmd, or without values not one with a
 * Set of names.
 */
function encodeWithParams(
  sessions: readonly Session[],
  withValues: boolean,
  resolve: IdResolver,
  into: { count: number; sessionStart: Int32Array; commands: Int32Array },
): EncodedSessions | null {
  // Long because it is the hot encoding loop: typed arrays and the cached names in locals, grown here, not
  // behind a call per entry.
  const { count, sessionStart, commands } = into;
  const total = commands.length;
  const paramLists = new Int32Array(total);
  const valueStart = withValues ? new Int32Array(total + 1) : null;
  // Enough for the sample below at a few values a command; the estimate then sizes the array.
  let capacity = withValues ? Math.max(1024, Math.ceil(total / 8)) : 0;
  let values = new Int32Array(capacity);
  const cache = new ParamNameCache(resolve);
  // Sized once from the first sessions' rate instead of grown by doubling (the model keeps this array).
  const estimateAt = Math.max(1, Math.floor(count / VALUE_SAMPLE));
  let i = 0;
  let j = 0;
  for (let s = 0; s < count; s++) {
    if (withValues && s === estimateAt && i > 0) {
      const expected = Math.ceil((j / i) * total * 1.1) + 16;
      if (expected > capacity) {
        capacity = expected;
        values = grown(values, capacity, j);
      }
    }
    const session = sessions[s] as Session;
    for (let c = 0; c < session.length; c++) {
      const cmd = session[c];
      if (!(cmd instanceof Cmd)) return null;
      const command = resolve.command(cmd.name);
      commands[i] = command;
      cache.start(command);
      const names = cache.names;
      const ids = cache.ids;
      // Names matched against the cached list so far; -1 once one differed.
      let matched = 0;
      const p = cmd.params;
      if (p instanceof Set) {
        if (withValues) {
          // Room for a Set's names is made once.
          if (j + p.size > capacity) {
            capacity = Math.max(2 * capacity, j + p.size);
            values = grown(values, capacity, j);
          }
          (valueStart as Int32Array)[i] = j;
          values.fill(NO_ID, j, j + p.size);
          j += p.size;
        }
        for (const name of p) {
          if (matched >= 0 && names[matched] === name) matched++;
          else {
            cache.miss(name, matched);
            matched = -1;
          }
        }
        paramLists[i] = cache.end(matched);
        i++;
        continue;
      }
      if (!withValues) return null;
      (valueStart as Int32Array)[i] = j;
      const record = p as Readonly<Record<string, string | null>>;
      // for-in with an own-property check visits what Object.keys lists, in its order, without an array.
      for (const name in record) {
        if (!hasOwn.call(record, name)) continue;
        if (j === capacity) {
          capacity *= 2;
          values = grown(values, capacity, j);
        }
        let param: number;
        if (matched >= 0 && names[matched] === name) param = ids[matched++] as number;
        else {
          param = cache.miss(name, matched);
          matched = -1;
        }
        values[j] = resolve.value(valueKey(record[name]), param);
        j++;
      }
      paramLists[i] = cache.end(matched);
      i++;
    }
    sessionStart[s + 1] = i;
  }
  if (valueStart !== null) valueStart[total] = j;
  return {
    count,
    sessionStart,
    commands,
    paramLists,
    lists: cache.lists(),
    valueStart,
    values: withValues ? values.subarray(0, j) : null,
  };
}
