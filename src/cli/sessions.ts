import { readFileSync } from "node:fs";
import { type LoadedModelFile, type ReadModelFileOptions, readModelFile } from "../detect/model-file.js";
import { SeqhuntError } from "../errors.js";
import { type BadRowPolicy, type ReadStats, readEvents } from "../io/read-events.js";
import { readSessionFiles } from "../io/read-sessions.js";
import type { Model } from "../model/model.js";
import { SessionType, sessionTypeOf } from "../model/session-type.js";
import { fieldLabel } from "../presets/field-names.js";
import type { ParamMode, ParamsFormat } from "../presets/params.js";
import type { RecordFold } from "../presets/presets.js";
import { DEFAULT_EVENT_JOINER } from "../presets/records.js";
import { Sessionizer } from "../sessionize/sessionizer.js";
import type { Command, SessionTypeName } from "../types.js";
import { type CommandLineOptions, commandTransform } from "./command-line.js";
import { impliedParamModeNote, SanityCheck } from "./sanity.js";

/** The options every data command shares (names fixed by the CLI contract). */
export interface InputOptions extends CommandLineOptions {
  /** A product preset (`--source`), already applied to the fields by `withSourcePreset`. */
  source?: string;
  user: string[];
  time: string;
  /** One event field, or several comma-separated. */
  event: string;
  /** What joins several event fields (default `:`). */
  eventJoiner?: string;
  params?: string;
  paramsFormat: ParamsFormat;
  paramMode: ParamMode;
  maxGap: number;
  maxDuration: number;
  sessions: boolean;
  onBadRow: BadRowPolicy;
  /** Set when `--params` came without `--param-mode`, which then became `values`. */
  impliedParamMode?: boolean;
  /** Records of one request or event counted once: the `--source` preset's (Kubernetes audit stages, copies of one record). */
  fold?: RecordFold;
}

/** A session on its way through the CLI. */
export interface CliSession {
  /** Identity values in the order of `--user` (empty with `--sessions`). */
  readonly identity: readonly (string | null)[];
  /** First and last event, epoch microseconds (null with `--sessions`). */
  readonly start: number | null;
  readonly end: number | null;
  readonly commands: Command[];
  /** Other fields of a `--sessions` JSONL line. */
  readonly fields: Record<string, unknown>;
}

/** Sessions and what reading them cost. */
export interface LoadedSessions {
  readonly sessions: CliSession[];
  readonly stats: ReadStats;
  readonly identityColumns: readonly string[];
  /** What looks wrong in the sessions (see SanityCheck), one line each. */
  readonly warnings?: readonly string[];
}

export { sessionTypeOf };

/** Reads sessions: directly with `--sessions`, else events sessionized by the reference's two rules. */
export async function loadSessions(
  files: readonly string[],
  options: InputOptions,
  progress?: (rows: number, total: number | null) => void,
  onSession?: (session: CliSession) => void,
): Promise<LoadedSessions> {
  // Long because it maps every CLI input option onto readEvents' options in one place; the steps are already helpers.
  if (options.sessions) {
    const { sessions, stats } = await readSessionFiles(files, options.onBadRow);
    const all: CliSession[] = sessions.map((s) => ({
      identity: [],
      start: null,
      end: null,
      commands: s.commands,
      fields: s.fields,
    }));
    const sanity = new SanityCheck([]);
    for (const s of all) {
      sanity.add(s);
      onSession?.(s);
    }
    return { sessions: onSession ? [] : all, stats, identityColumns: [], warnings: sanity.warnings() };
  }
  if (options.paramMode !== "none" && options.params === undefined && options.commandLine === undefined) {
    throw new SeqhuntError(`--param-mode ${options.paramMode} needs --params COLUMN`);
  }
  const sessions: CliSession[] = [];
  const sanity = new SanityCheck(options.user);
  const sessionizer = new Sessionizer<Command>(
    { maxSessionTimeMins: options.maxDuration, maxEventSeparationMins: options.maxGap },
    (s) => {
      const session: CliSession = {
        identity: s.identity as (string | null)[],
        start: s.startMicros,
        end: s.endMicros,
        commands: s.events,
        fields: {},
      };
      sanity.add(session);
      // With a callback, sessions are handed over as they close and not kept: memory stays bounded.
      if (onSession) onSession(session);
      else sessions.push(session);
    },
  );
  const stats = await readEvents(
    files,
    {
      identity: options.user,
      time: options.time,
      timeFormat: options.timeFormat,
      // A command line is read as plain text and made a command with parameters by the transform.
      event:
        options.commandLine !== undefined
          ? [options.commandLine]
          : options.event.split(",").map((e) => e.trim()),
      eventJoiner: options.eventJoiner ?? DEFAULT_EVENT_JOINER,
      // Parameters are looked for only when used: a preset's need not be in a file read without them.
      params:
        options.commandLine === undefined && options.paramMode !== "none" ? (options.params ?? null) : null,
      paramsFormat: options.paramsFormat,
      paramMode: options.commandLine === undefined ? options.paramMode : "none",
      transform: commandTransform(options),
      onBadRow: options.onBadRow,
      fold: options.fold,
      // Every session is kept anyway: holding the events to sort them here costs little and saves DuckDB's sort.
      sortInMemory: onSession === undefined,
      ...(progress ? { progress, wantTotal: true } : {}),
    },
    (identity, time, command) => sessionizer.push(identity, time, command),
  );
  sessionizer.finish();
  // A field listing alternatives (userIdentity.arn|userIdentity.invokedBy) is labelled by its first.
  const identityColumns = options.user.map(fieldLabel);
  return { sessions, stats, identityColumns, warnings: warningsOf(options, sanity) };
}

/** The warnings of a read: the implied --param-mode note, then what looks wrong in the sessions. */
function warningsOf(options: InputOptions, sanity: SanityCheck): string[] {
  const notes = options.impliedParamMode && options.params ? [impliedParamModeNote(options.params)] : [];
  return [...notes, ...sanity.warnings()];
}

/** The warnings {@link loadSessions} gives for these sessions (read elsewhere: by worker threads). */
export function loadWarnings(options: InputOptions, sessions: readonly CliSession[]): string[] {
  const sanity = new SanityCheck(options.user);
  for (const s of sessions) sanity.add(s);
  return warningsOf(options, sanity);
}

/**
 * Loads a model file (version 2: reference model and detector; version 1: reference model) and checks it
 * fits the sessions' type.
 */
export function loadModelFile(
  path: string,
  expected: SessionTypeName | null,
  options: ReadModelFileOptions = {},
): LoadedModelFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new SeqhuntError(`${path}: no such file or not readable`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SeqhuntError(`${path}: not JSON: ${(err as Error).message}`, { file: path });
  }
  const inFile = (err: unknown) => new SeqhuntError(`${path}: ${(err as Error).message}`, { file: path });
  let file: LoadedModelFile;
  try {
    file = readModelFile(json, options);
  } catch (err) {
    throw inFile(err);
  }
  if (options.lazyDetector) file = lazilyInFile(file, inFile);
  const model = file.reference;
  if (expected !== null && model.sessionType !== expected) {
    throw new SeqhuntError(
      `${path}: the model was trained on ${model.sessionType} sessions but these are ${expected} (check --param-mode)`,
      { file: path },
    );
  }
  return file;
}

/** A model file whose detector, loaded on first use, fails in the file's words (as loading it now would). */
function lazilyInFile(file: LoadedModelFile, inFile: (err: unknown) => SeqhuntError): LoadedModelFile {
  const { reference, method, version, entity, trainingFingerprint } = file;
  return {
    reference,
    get detector() {
      try {
        return file.detector;
      } catch (err) {
        throw inFile(err);
      }
    },
    method,
    version,
    entity,
    trainingFingerprint,
  };
}

/** Loads a saved model's reference model and checks it fits the sessions' type. */
export function loadModel(path: string, expected: SessionTypeName | null): Model {
  return loadModelFile(path, expected).reference;
}

/** The session type of loaded sessions (from `--param-mode`, or from the first session with `--sessions`). */
export function typeOfLoaded(loaded: LoadedSessions, options: InputOptions): SessionTypeName | null {
  if (!options.sessions) return sessionTypeOf(options.paramMode);
  const first = loaded.sessions[0]?.commands[0];
  if (first === undefined) return null;
  if (typeof first === "string") return SessionType.cmdsOnly;
  return first.params instanceof Set ? SessionType.cmdsParamsOnly : SessionType.cmdsParamsValues;
}

/**
 * The skipped-rows summary: "read N rows: used N, skipped N (reason: count, ...)", and with records of one
 * request folded "..., folded N (further stage records of requests used: auditID)".
 */
export function readSummary(stats: ReadStats, fold?: RecordFold): string {
  const folded = stats.folded ?? 0;
  const skipped = stats.read - stats.used - folded;
  const reasons = skippedReasons(stats).map(([r, n]) => `${r}: ${n}`);
  const summary = `read ${stats.read} rows: used ${stats.used}, skipped ${skipped}${reasons.length ? ` (${reasons.join(", ")})` : ""}`;
  if (folded === 0) return summary;
  const what = fold === undefined ? "" : ` (further ${fold.records} used: ${fold.key})`;
  return `${summary}, folded ${folded}${what}`;
}

/** The reasons rows were skipped with their counts, most frequent first (then by name): however the rows were read. */
export function skippedReasons(stats: ReadStats): [string, number][] {
  return [...stats.skipped].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
