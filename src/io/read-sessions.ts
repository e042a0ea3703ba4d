import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { SeqhuntError } from "../errors.js";
import { Cmd } from "../model/cmd.js";
import type { Command } from "../types.js";
import type { BadRowPolicy, ReadStats } from "./read-events.js";

/** A session read from a sessions file, with the other fields of its line. */
export interface ReadSession {
  readonly commands: Command[];
  /** The line's other fields (JSONL only), e.g. `label`, `entity`, `count`. */
  readonly fields: Record<string, unknown>;
  readonly file: string;
  readonly line: number;
}

function toCommand(value: unknown): Command | string {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && typeof (value as { name?: unknown }).name === "string") {
    const { name, params } = value as { name: string; params?: unknown };
    if (params === undefined || Array.isArray(params)) {
      if (params?.some((p) => typeof p !== "string")) return "parameter names must be strings";
      return new Cmd(name, new Set((params as string[] | undefined) ?? []));
    }
    if (params !== null && typeof params === "object") {
      const entries = Object.entries(params);
      if (entries.some(([, v]) => v !== null && typeof v !== "string"))
        return "parameter values must be strings or null";
      return new Cmd(name, Object.fromEntries(entries) as Record<string, string | null>);
    }
    return "params must be a list of names or an object of values";
  }
  return "a command must be a string or {name, params}";
}

/** A session from its JSON form (a list of names or `{name, params}`), or what is wrong with it. */
export function sessionFromJson(session: unknown): Command[] | string {
  if (!Array.isArray(session)) return 'no "session" list';
  if (session.length === 0) return "empty session";
  const commands: Command[] = [];
  for (const item of session) {
    const c = toCommand(item);
    if (typeof c === "string" && !(typeof item === "string")) return c;
    commands.push(c as Command);
  }
  return commands;
}

/** Parses one JSONL line to a session, or says what is wrong. */
function parseJsonLine(text: string): { commands: Command[]; fields: Record<string, unknown> } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "bad JSON";
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    return "a line must be a JSON object";
  const { session, ...fields } = parsed as Record<string, unknown>;
  const commands = sessionFromJson(session);
  return typeof commands === "string" ? commands : { commands, fields };
}

/**
 * Reads sessions directly: JSONL (`.jsonl`, `.ndjson`, `.json`) with a `session` list per line, or plain
 * text with one session per line as space-separated tokens. Blank lines are not sessions.
 */
export async function readSessionFiles(
  files: readonly string[],
  onBadRow: BadRowPolicy,
): Promise<{ sessions: ReadSession[]; stats: ReadStats }> {
  const sessions: ReadSession[] = [];
  const stats: ReadStats = { read: 0, used: 0, skipped: new Map() };
  for (const file of files) {
    const json = /\.(jsonl|ndjson|json)(\.gz)?$/i.test(file);
    let input: NodeJS.ReadableStream = createReadStream(file);
    const opened = new Promise<void>((resolve, reject) => {
      (input as ReturnType<typeof createReadStream>).once("open", () => resolve()).once("error", reject);
    });
    try {
      await opened;
    } catch {
      throw new SeqhuntError(`${file}: no such file or not readable`, { file });
    }
    if (/\.gz$/i.test(file)) input = input.pipe(createGunzip());
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      line++;
      if (text.trim() === "") continue;
      stats.read++;
      const parsed = json ? parseJsonLine(text) : { commands: text.trim().split(/\s+/), fields: {} };
      if (typeof parsed === "string") {
        if (onBadRow === "fail") throw new SeqhuntError(`${file}:${line}: ${parsed}`, { file, line });
        stats.skipped.set(parsed, (stats.skipped.get(parsed) ?? 0) + 1);
        continue;
      }
      stats.used++;
      sessions.push({ ...parsed, file, line });
    }
  }
  return { sessions, stats };
}
