import { readFileSync } from "node:fs";
import { SeqhuntError } from "../errors.js";
import { sessionFromJson } from "../io/read-sessions.js";
import { Model } from "../model/model.js";
import { type Io, publish } from "./commands.js";
import { isReference } from "./detect-glue.js";
import { commandLists, type MethodScores, scoreAndRank } from "./rank.js";
import { type CliSession, type LoadedSessions, loadModel } from "./sessions.js";

/** The ranking detector's scores, percentiles and reasons as the scores file recorded them (none: the reference ranks). */
function recordedMethod(records: readonly Record<string, unknown>[]): MethodScores | undefined {
  const first = records[0];
  if (first === undefined || typeof first.method !== "string") return undefined;
  const number = (v: unknown) => (typeof v === "number" ? v : Number.NaN);
  const scores = records.map((r) => number(r.score));
  const percentiles = new Map(records.map((r, i) => [scores[i] as number, number(r.percentile)]));
  const reasons = records.map((r) => (typeof r.reason === "string" ? r.reason : ""));
  return {
    name: first.method,
    scores,
    percentile: (score) => percentiles.get(score) ?? Number.NaN,
    explain: isReference(first.method) ? undefined : (i) => ({ steps: [], reason: reasons[i] ?? "" }),
  };
}

/** The records of a scores file (JSON list or JSON lines), checked to be seqhunt scores. */
function readScoresFile(scores: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(scores, "utf8");
  } catch (err) {
    throw new SeqhuntError(`${scores}: cannot read: ${(err as Error).message}`, { file: scores });
  }
  let records: Record<string, unknown>[];
  if (scores.toLowerCase().endsWith(".json")) {
    try {
      records = JSON.parse(text) as Record<string, unknown>[];
    } catch (err) {
      throw new SeqhuntError(`${scores}: not a JSON list of scores: ${(err as Error).message}`, {
        file: scores,
      });
    }
    if (!Array.isArray(records))
      throw new SeqhuntError(`${scores}: not a JSON list of scores`, { file: scores });
  } else {
    const lines = text.split("\n");
    records = [];
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        throw new SeqhuntError(`${scores}:${i + 1}: bad JSON`, { file: scores, line: i + 1 });
      }
    });
  }
  if (records.length === 0) throw new SeqhuntError(`${scores}: no sessions`, { file: scores });
  const first = records[0] as Record<string, unknown>;
  const keys = Object.keys(first);
  if (!keys.includes("session") || !keys.includes("start")) {
    throw new SeqhuntError(`${scores}: not a seqhunt scores file (no "session" and "start" fields)`, {
      file: scores,
    });
  }
  return records;
}

/** The sessions of scores records: identity columns are the fields before "start". */
function sessionsFromScores(
  scores: string,
  records: readonly Record<string, unknown>[],
): { sessions: CliSession[]; identityColumns: string[] } {
  const keys = Object.keys(records[0] as Record<string, unknown>);
  const identityColumns = keys.slice(0, keys.indexOf("start"));
  const commands = records.map((r, i) => {
    const session = sessionFromJson(r.session);
    if (typeof session === "string")
      throw new SeqhuntError(`${scores}: session ${i + 1}: ${session}`, { file: scores });
    return session;
  });
  const micros = (v: unknown) =>
    typeof v === "string" && !Number.isNaN(Date.parse(v)) ? Date.parse(v) * 1000 : null;
  const sessions: CliSession[] = records.map((r, i) => ({
    identity: identityColumns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))),
    start: micros(r.start),
    end: micros(r.end),
    commands: commands[i] ?? [],
    fields: {},
  }));
  return { sessions, identityColumns };
}

/** report: the HTML report of a scores file written by hunt or score (sessions, identities and times come from it). */
export async function reportCommand(
  scores: string,
  options: {
    out: string;
    model?: string;
    window?: number;
    tokens: boolean;
    geoMean: boolean;
    quiet: boolean;
  },
  io: Io,
): Promise<void> {
  const records = readScoresFile(scores);
  const { sessions, identityColumns } = sessionsFromScores(scores, records);
  const window =
    options.window ??
    Math.max(
      1,
      ...records.map((r) => (Array.isArray(r.rarestWindow) ? (r.rarestWindow as unknown[]).length : 0)),
    );
  const loaded: LoadedSessions = {
    sessions,
    stats: { read: records.length, used: records.length, skipped: new Map() },
    identityColumns,
  };
  let model: Model;
  if (options.model) model = loadModel(options.model, null);
  else {
    model = new Model(commandLists(sessions));
    model.train();
  }
  const scoring = { window, tokens: options.tokens, geoMean: options.geoMean };
  const ranking = scoreAndRank(model, sessions, scoring, recordedMethod(records));
  await publish(
    model,
    ranking,
    loaded,
    {
      ...scoring,
      top: 0,
      report: options.out,
      quiet: true,
      modelSource: options.model ?? `trained on the sessions of ${scores}`,
      files: [scores],
    },
    io,
  );
  if (!options.quiet) io.err(`wrote the report of ${records.length} sessions to ${options.out}`);
}
