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
  // Per parameter id: its distinct values so far, or null once there are too many to model.
  const distinct: (Set<string> | null | undefined)[] = [];
  return {
    command,
    param,
    value: (value, p) => {
      if (!value) return NO_ID;
      let seen = distinct[p];
      if (seen === null) {
        defer(p, value);
        return DEFERRED_ID;
      }
      if (seen === undefined) {
        seen = new Set();
        distinct[p] = seen;
      }
      if (!seen.has(value)) {
        seen.add(value);
        if (seen.size > MODELLABLE_DISTINCT) distinct[p] = null;
      }
      return values.intern(value);
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

/** Encodes validated sessions of the given type to ids. */
export function encodeSessions(
  sessions: readonly Session[],
  sessionType: SessionTypeName,
  resolve: IdResolver,
): EncodedSessions {
  const sessionStart = new Int32Array(sessions.length + 1);
  const commands = new IntBuffer();
  const withParams = sessionType !== SessionType.cmdsOnly;
  const withValues = sessionType === SessionType.cmdsParamsValues;
  const paramStart = new IntBuffer();
  const params = new IntBuffer();
  const values = new IntBuffer();
  for (let s = 0; s < sessions.length; s++) {
    const session = sessions[s] as Session;
    for (const cmd of session) {
      if (typeof cmd === "string") {
        commands.push(resolve.command(cmd));
        continue;
      }
      commands.push(resolve.command(cmd.name));
      if (!withParams) continue;
      paramStart.push(params.length);
      const p = cmd.params;
      if (p instanceof Set) {
        for (const name of p) {
          params.push(resolve.param(name));
          if (withValues) values.push(NO_ID);
        }
      } else {
        const record = p as Readonly<Record<string, string | null>>;
        for (const name of Object.keys(record)) {
          const param = resolve.param(name);
          params.push(param);
          if (withValues) values.push(resolve.value(valueKey(record[name]), param));
        }
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
