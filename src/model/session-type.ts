import { SeqhuntError } from "../errors.js";
import type { Command, Session, SessionTypeName } from "../types.js";
import { Cmd } from "./cmd.js";

/** The session types, with the reference's string values. */
export const SessionType = {
  /** Sessions of plain command names (strings). */
  cmdsOnly: "cmds_only",
  /** Sessions of Cmds whose params are a Set of names. */
  cmdsParamsOnly: "cmds_params_only",
  /** Sessions of Cmds whose params map names to values. */
  cmdsParamsValues: "cmds_params_values",
} as const satisfies Record<string, SessionTypeName>;

/** Which parts of each event's parameters are read: none, their names, or names and values. */
export type ParamMode = "none" | "names" | "values";

/** The session type a parameter mode produces. */
export function sessionTypeOf(mode: ParamMode): SessionTypeName {
  return mode === "none"
    ? SessionType.cmdsOnly
    : mode === "names"
      ? SessionType.cmdsParamsOnly
      : SessionType.cmdsParamsValues;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Set) return "a Set";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** A Cmd as it is (its constructor checked it), or a `{name, params}` object made into one; throws where it is wrong. */
function toCmd(value: unknown, session: number, command: number): Cmd {
  if (value instanceof Cmd) return value;
  const where = `session ${session}, command ${command}`;
  const location = { session, command };
  if (!(isPlainRecord(value) && typeof value.name === "string" && "params" in value)) {
    throw new SeqhuntError(
      `${where} is ${describe(value)}, neither a command name (string) nor a Cmd(name, params)`,
      location,
    );
  }
  const params = Array.isArray(value.params) ? new Set(value.params) : value.params;
  try {
    return new Cmd(value.name, params as Cmd["params"]);
  } catch (err) {
    throw new SeqhuntError(`${where}: ${(err as Error).message}`, location);
  }
}

function typeOfCommand(cmd: Command): SessionTypeName {
  if (typeof cmd === "string") return SessionType.cmdsOnly;
  return cmd.params instanceof Set ? SessionType.cmdsParamsOnly : SessionType.cmdsParamsValues;
}

/**
 * Checks sessions and decides their type from the first command of the first session, as the reference does.
 * Unlike the reference it checks every command, and rejects sessions that mix types.
 * A session of `{name, params}` objects comes back as Cmds; anything else wrong throws a {@link SeqhuntError}.
 */
export function validateSessions(
  sessions: unknown,
  expected?: SessionTypeName,
): { sessions: Session[]; sessionType: SessionTypeName } {
  if (!Array.isArray(sessions))
    throw new SeqhuntError(`sessions must be a list of sessions, got ${describe(sessions)}`);
  if (sessions.length === 0 && expected === undefined)
    throw new SeqhuntError("sessions is empty: give at least one session");
  let sessionType = expected;
  const out: Session[] = new Array(sessions.length);
  for (let s = 0; s < sessions.length; s++) {
    const session: unknown = sessions[s];
    if (!Array.isArray(session)) {
      throw new SeqhuntError(`session ${s} is ${describe(session)}, not a list of commands`, { session: s });
    }
    if (session.length === 0) throw new SeqhuntError(`session ${s} is empty`, { session: s });
    let converted: Command[] | null = null;
    for (let c = 0; c < session.length; c++) {
      const raw: unknown = session[c];
      // Plain names in plain sessions, and Cmds of the sessions' kind: the common cases, checked without building anything.
      if (typeof raw === "string") {
        if (sessionType === SessionType.cmdsOnly) continue;
      } else if (raw instanceof Cmd && converted === null) {
        // Any Cmd fits sessions with values: its params are not read (another memory access per command).
        if (sessionType === SessionType.cmdsParamsValues) continue;
        if (sessionType === SessionType.cmdsParamsOnly && raw.params instanceof Set) continue;
      }
      const cmd: Command = typeof raw === "string" ? raw : toCmd(raw, s, c);
      const type = typeOfCommand(cmd);
      if (sessionType === undefined) sessionType = type;
      // In sessions with values, a Cmd whose params are a Set maps each name to null (reference rule).
      const fits =
        type === sessionType ||
        (sessionType === SessionType.cmdsParamsValues && type === SessionType.cmdsParamsOnly);
      if (!fits) {
        throw new SeqhuntError(
          `session ${s}, command ${c} is of type ${type} but the sessions are ${sessionType} (decided by the first command of the first session); mixed session types are not allowed`,
          { session: s, command: c },
        );
      }
      if (cmd !== raw) converted ??= session.slice(0, c) as Command[];
      converted?.push(cmd);
    }
    out[s] = converted ?? (session as Command[]);
  }
  return { sessions: out, sessionType: sessionType ?? SessionType.cmdsOnly };
}
