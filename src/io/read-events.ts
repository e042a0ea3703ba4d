import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqhuntError } from "../errors.js";
import { trustedCmd } from "../model/cmd.js";
import { timeFormatsFitting } from "../parse/time.js";
import { type ParamMode, type ParamsFormat, paramsFromJson } from "../presets/params.js";
import type { RecordFold } from "../presets/presets.js";
import { DEFAULT_EVENT_JOINER } from "../presets/records.js";
import type { Command } from "../types.js";
import { duckdb } from "./duckdb.js";
import { readError } from "./duckdb-errors.js";
import { formatOf } from "./formats.js";
import { HeldEvents } from "./held-events.js";
import { inputFiles } from "./input-files.js";
import { placeOf } from "./locate.js";
import { parsedCopies } from "./log-copies.js";
import { badJsonLine, unclosedQuoteError, withUnixLineEndings } from "./read-problems.js";
import { FIX_OR_SKIP, rejectError, rejectedRows, rescanRejects } from "./rejects.js";
import { duckdbMemory, readMode } from "./settings.js";
import { type SourceQuery, sourceQueries } from "./sources/query.js";
import type { EventFields, SourceFile } from "./sources/types.js";
import { registerTimeParser } from "./time-sql.js";

/** Which fields hold what, and how to read the parameters. Names may be dotted paths into nested records. */
export interface EventColumns {
  /** Identity fields (user, IP, host...). */
  readonly identity: readonly string[];
  /** Time field: ISO 8601 (UTC when no zone), the Azure portal's US format, epoch s/ms/us/ns, or a timestamp type. */
  readonly time: string;
  /** A strftime-like format of the time column's text (`--time-format`); absent: every format seqhunt knows. */
  readonly timeFormat?: string | undefined;
  /** Event (command) field, or several joined into one command (missing parts left out). */
  readonly event: string | readonly string[];
  /** What joins several event fields (default {@link DEFAULT_EVENT_JOINER}). */
  readonly eventJoiner?: string;
  /** Parameters field, or null. */
  readonly params: string | null;
  readonly paramsFormat: ParamsFormat;
  readonly paramMode: ParamMode;
  /** Records of one request or event counted once (a Kubernetes audit log's stages, copies of one record); absent: every record counts. */
  readonly fold?: RecordFold | undefined;
}

/** What to do with a bad row: stop with an error, or skip it and count it. */
export type BadRowPolicy = "fail" | "skip";

/** Rows read, used, skipped (by reason) and folded. Every row read is used, skipped or folded. */
export interface ReadStats {
  read: number;
  used: number;
  skipped: Map<string, number>;
  /** Rows folded into another record of the same request or event (set when the read folds records). */
  folded?: number;
}

/** One event in identity-then-time order. */
export type EventSink = (identity: readonly (string | null)[], timeMicros: number, command: Command) => void;

export interface ReadEventsOptions extends EventColumns {
  readonly onBadRow: BadRowPolicy;
  /** Called now and then with the rows read so far and the total (known when `wantTotal`). */
  readonly progress?: (rows: number, total: number | null) => void;
  readonly wantTotal?: boolean;
  /**
   * Sort in memory instead of in DuckDB: rows stream in file order (DuckDB reads in parallel, numbering
   * and sorting nothing) and are ordered here before any reaches the sink. Faster, but every event is held
   * until the last is read: for callers that keep every session anyway.
   */
  readonly sortInMemory?: boolean;
  /** Remakes each command before it is used (a whole command line parsed, parameter values shaped). */
  readonly transform?: ((command: Command) => Command) | undefined;
}

/** Bytes the files hold once decompressed, roughly (gzip counted five times its size); throws for a missing file. */
export function estimatedInputBytes(files: readonly string[]): number {
  return files.reduce((n, f) => n + statSync(f).size * (/\.(gz|gzip)$/i.test(f) ? 5 : 1), 0);
}

/** An open DuckDB: its connection, a second one on demand (for a side query while the first streams), and its closer. */
export interface OpenDuckDB {
  readonly con: DuckDBConnection;
  /** A second connection to the same database, made on the first call and closed with it. */
  readonly side: () => Promise<DuckDBConnection>;
  readonly close: () => void;
}

/** Opens an embedded DuckDB that spills to a private temporary folder, in UTC. */
export async function openDuckDB(): Promise<OpenDuckDB> {
  const spill = mkdtempSync(join(tmpdir(), "seqhunt-"));
  // DuckDB spills to disk beyond its memory limit, so a file larger than memory still reads.
  const memory = duckdbMemory();
  const { DuckDBInstance } = duckdb();
  const instance = await DuckDBInstance.create(":memory:", { temp_directory: spill, memory_limit: memory });
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  let second: DuckDBConnection | null = null;
  return {
    con,
    side: async () => {
      second ??= await instance.connect();
      return second;
    },
    close: () => {
      second?.closeSync();
      con.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
    },
  };
}

function quoteValue(v: string | null): string {
  if (v === null) return "(empty)";
  return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}...` : v);
}

/** The input file an engine error is about: the one its message names (a copy's index too), else the first. */
function fileNamedIn(err: unknown, files: readonly string[]): string {
  const message = err instanceof Error ? err.message : String(err);
  const copy = /lines-(\d+)\./.exec(message);
  if (copy) return files[Number(copy[1])] ?? (files[0] as string);
  return files.find((f) => message.includes(f)) ?? (files[0] as string);
}

/** An engine error in seqhunt's words, naming the one input file it is about (an unclosed quote found). */
async function readFailure(files: readonly string[], err: unknown): Promise<SeqhuntError> {
  const file = fileNamedIn(err, files);
  const format = formatOf(file);
  if (format === "csv" || format === "tsv") {
    const quote = await unclosedQuoteError(file, file);
    if (quote !== null) return quote;
  }
  return readError(err, file, format);
}

/**
 * Reads event files (or folders and globs of them) through DuckDB, ordered by identity, time and input
 * order (sorted by DuckDB, spilling to disk, or in memory), and streams each good event to `sink`. Bad rows
 * (a wrong number of fields, bad JSON, an unparseable time, a missing event, bad params) stop the read
 * with an error naming the file, line and field, or are skipped and counted by reason.
 */
export async function readEvents(
  inputs: readonly string[],
  options: ReadEventsOptions,
  sink: EventSink,
): Promise<ReadStats> {
  const files = inputFiles(inputs);
  const { con, side, close } = await openDuckDB();
  const paramsReader = new ParamsReader(side);
  let copies: string | null = null;
  const folder = () => {
    copies ??= mkdtempSync(join(tmpdir(), "seqhunt-lines-"));
    return copies;
  };
  try {
    // Shell histories and audit logs are read through JSON Lines copies, one record per command or call.
    const parsed = await parsedCopies(files, folder);
    const readFrom = files.map((f) => parsed.get(f) ?? f);
    try {
      return await readWith(con, files, readFrom, { ...options, paramsReader }, sink);
    } catch (err) {
      if (err instanceof SeqhuntError) throw err;
      // DuckDB stops at files mixing \r\n and \n: read copies with one kind (a failed read has sent no event).
      const fixed = await withUnixLineEndings(files, folder());
      if (fixed === null) throw err;
      return await readWith(
        con,
        files,
        files.map((f, i) => fixed.get(f) ?? (readFrom[i] as string)),
        { ...options, paramsReader },
        sink,
      );
    }
  } catch (err) {
    if (err instanceof SeqhuntError) throw err;
    throw await readFailure(files, err);
  } finally {
    close();
    if (copies !== null) rmSync(copies, { recursive: true, force: true });
  }
}

/** One row as it crosses from DuckDB, decoded by name. */
interface EventRow {
  /** Index of the input file. */
  readonly file: number;
  /** Record number in the file, or null when the reader numbers rows as they come. */
  readonly seq: number | null;
  readonly identity: (string | null)[];
  /** The time as written, sent only when it did not parse. */
  readonly rawTime: string | null;
  /** Epoch microseconds, null when missing or unparseable. */
  readonly ts: number | null;
  readonly event: string | null;
  /** The parameters: parsed already where DuckDB and JSON.parse agree on the text, else the text (parsed here), null when missing or empty. */
  readonly params: unknown;
  /** Whether `params` came parsed (the text embedded as JSON) rather than as text. */
  readonly paramsParsed: boolean;
  /** True when the record itself is broken (bad JSON). */
  readonly bad: boolean;
  /** The further records of the same request folded into this one (0 without a fold). */
  readonly folded: number;
}

/** SQL of a value as JSON text, `null` when it is NULL. */
const jsonText = (sql: string) => `coalesce(to_json(${sql})::VARCHAR, 'null')`;
/**
 * SQL of a number (a time in microseconds, a record number) as JSON text, `null` when NULL: whole numbers
 * through BIGINT, whose text DuckDB writes several times faster than a DOUBLE's (the same number to JSON).
 */
const jsonNumber = (sql: string) =>
  `CASE WHEN ${sql} IS NULL THEN 'null' WHEN ${sql} = trunc(${sql}) THEN CAST(CAST(${sql} AS BIGINT) AS VARCHAR) ELSE CAST(${sql} AS VARCHAR) END`;

/**
 * Text DuckDB's JSON reader and JSON.parse may read differently: trailing commas, NaN and infinities
 * (which DuckDB allows), anywhere in the text (inside a string too: such text only takes the slower path).
 */
const LENIENT_JSON = String.raw`'(?i),\s*[\]}]|[\[,:]\s*[-+]?(nan|inf)'`;

/** SQL: whether parameters text can be embedded in the row's JSON as it is (JSON to both readers). */
const embeddable = (p: string) =>
  `${p} IS NULL OR ${p} = '' OR (json_valid(${p}) AND NOT regexp_matches(${p}, ${LENIENT_JSON}))`;

/** Adds `__embed` (see {@link embeddable}) to a source's query, computed once per row. */
const withEmbed = (sql: string) => `SELECT *, ${embeddable("__params")} AS __embed FROM (${sql})`;

/**
 * The SQL of a row's JSON text, each field of an {@link EventRow} in order. Built by concatenation: DuckDB
 * validates the parameters text but neither parses it into a value nor writes it again.
 */
function eventRowSql(identityCount: number, what: { withParams: boolean; folded: boolean }): string {
  const { withParams } = what;
  const ids = Array.from({ length: identityCount }, (_, i) => jsonText(`__id${i}`));
  const fields: Record<keyof EventRow, string> = {
    file: "CAST(__file AS VARCHAR)",
    seq: jsonNumber("__seq"),
    identity: `concat('[', ${ids.join(", ',', ")}, ']')`,
    // Only what the sessionizer needs is sent: the raw time only where it failed to parse.
    rawTime: jsonText("CASE WHEN __ts IS NULL THEN __time END"),
    ts: jsonNumber("__ts"),
    event: jsonText("__event"),
    // Embedded as JSON where both readers agree, else as text for ParamsReader.
    params: withParams
      ? "CASE WHEN __params IS NULL OR __params = '' THEN 'null' WHEN __embed THEN __params ELSE to_json(__params)::VARCHAR END"
      : "'null'",
    paramsParsed: withParams ? "CAST(__embed AS VARCHAR)" : "'true'",
    bad: "coalesce(CAST(__bad AS VARCHAR), 'false')",
    folded: what.folded ? "CAST(__folded AS VARCHAR)" : "'0'",
  };
  // One concat: each || would make a string of its own.
  return `concat('[', ${Object.values(fields).join(", ',', ")}, ']')`;
}

/**
 * Decodes a row sent as {@link eventRowSql} wrote it; with `names`, each event name is the one string
 * kept there for it (held events keep every command: a copy per row costs memory, collection and hashing).
 */
function decodeEventRow(r: readonly unknown[], names: Map<string, string> | null): EventRow {
  const event = r[5] as string | null;
  return {
    file: r[0] as number,
    seq: r[1] as number | null,
    identity: r[2] as (string | null)[],
    rawTime: r[3] as string | null,
    ts: r[4] as number | null,
    event: names === null || event === null ? event : interned(names, event),
    params: r[6],
    paramsParsed: r[7] as boolean,
    bad: r[8] as boolean,
    folded: r[9] as number,
  };
}

/** The string `names` keeps for `text`: the first seen of its content. */
function interned(names: Map<string, string>, text: string): string {
  const kept = names.get(text);
  if (kept !== undefined) return kept;
  names.set(text, text);
  return text;
}

/** Rows DuckDB joins into one string as it streams them (each string crossing into JavaScript costs a native call). */
export const ROWS_PER_STRING = 8;

/**
 * Rows of `rowsSql` (one JSON text column `__r`, in order) joined into JSON arrays of up to
 * {@link ROWS_PER_STRING}, in order, each on the row that closes it (NULL on the others). Streaming
 * windows (row number, lag, lead) keep DuckDB streaming: a grouped aggregate would hold every row before
 * the first left, and filtering out the other rows held back the first chunk until DuckDB was about half done.
 */
export function joinedRowsSql(rowsSql: string): string {
  const k = ROWS_PER_STRING;
  const back = Array.from({ length: k - 1 }, (_, i) => k - 1 - i);
  // The last row closes a shorter batch: it takes only the rows since the last full one.
  const earlier = back.map((j) => `CASE WHEN __rn % ${k} = 0 OR ${j} < __rn % ${k} THEN __l${j} END`);
  const lags = back.map((j) => `lag(__r, ${j}) OVER () AS __l${j}`);
  return `SELECT CASE WHEN __rn % ${k} = 0 OR __more IS NULL THEN '[' || concat_ws(',', ${[...earlier, "__r"].join(", ")}) || ']' END AS __rows
    FROM (SELECT __r, ${lags.join(", ")}, row_number() OVER () AS __rn, lead(1) OVER () AS __more FROM (${rowsSql}))`;
}

/** Matches a JSON escape of a UTF-16 surrogate, which DuckDB's JSON reader refuses unless paired. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** What {@link ParamsReader.parse} gives for text only DuckDB can judge. */
const ASK_DUCKDB: unique symbol = Symbol("ask DuckDB");

/**
 * Parses parameters text as DuckDB's JSON reader reads it (trailing commas allowed, lone surrogate
 * escapes refused): JSON.parse, and DuckDB's own verdict (on a side connection) only where the two may
 * differ. `undefined` when the text is no JSON.
 */
class ParamsReader {
  constructor(private readonly side: () => Promise<DuckDBConnection>) {}

  /** The parsed text, or {@link ASK_DUCKDB} (then {@link duckdb} reads it): no promise per row. */
  parse(text: string): unknown {
    if (text.includes("\\u") && SURROGATE_ESCAPE.test(text)) return ASK_DUCKDB;
    try {
      return JSON.parse(text);
    } catch {
      return ASK_DUCKDB; // DuckDB may still read it (trailing commas)
    }
  }

  /** DuckDB's reading of the text. */
  async duckdb(text: string): Promise<unknown> {
    const con = await this.side();
    const sql = "SELECT CASE WHEN json_valid($1) THEN json_array($1::JSON)::VARCHAR END AS j";
    const j = (await con.runAndReadAll(sql, [text])).getRows()[0]?.[0];
    if (typeof j !== "string") return undefined;
    try {
      return (JSON.parse(j) as unknown[])[0];
    } catch {
      return undefined; // DuckDB's reading holds what JSON cannot (NaN, Infinity)
    }
  }
}

/** The fields the sources look for, from the options. */
function eventFields(options: EventColumns): EventFields {
  return {
    identity: options.identity,
    time: options.time,
    timeFormat: options.timeFormat,
    event: typeof options.event === "string" ? [options.event] : options.event,
    eventJoiner: options.eventJoiner ?? DEFAULT_EVENT_JOINER,
    params: options.params,
    paramsFormat: options.paramsFormat,
    fold: options.fold ?? null,
  };
}

/** The event name as the user named it, for error messages. */
function eventName(options: EventColumns): string {
  return typeof options.event === "string" ? options.event : options.event.join(",");
}

/** What to give `--time-format` for a time no format seqhunt knows reads (see {@link timeFormatsFitting}). */
function timeFormatAdvice(value: string | null): string {
  const formats = value === null ? [] : timeFormatsFitting(value);
  const quoted = formats.map((f) => `--time-format '${f}'`);
  if (quoted.length === 2)
    return ` (day or month first? give the column's format: ${quoted[0]} or ${quoted[1]})`;
  if (quoted.length === 1) return ` (give the column's format: ${quoted[0]})`;
  return " (give the column's format with --time-format)";
}

/** Counts and reports bad rows: stops at the first (naming file, line, field, value) or counts by reason. */
class BadRows {
  constructor(
    private readonly sources: readonly SourceQuery[],
    private readonly policy: BadRowPolicy,
    private readonly stats: ReadStats,
    private readonly timeFormat: string | undefined,
  ) {}

  #count(reason: string): void {
    this.stats.read++;
    this.stats.skipped.set(reason, (this.stats.skipped.get(reason) ?? 0) + 1);
  }

  /** A row seqhunt found bad. */
  async row(index: number, seq: number, field: string, reason: string, value: string | null): Promise<void> {
    if (this.policy === "skip") return this.#count(reason);
    const s = this.sources.find((q) => q.files.some((f) => f.index === index)) as SourceQuery;
    const file = s.files.find((f) => f.index === index) as SourceFile;
    // The rejected rows are known only once the read ends: find them now, to count lines past them.
    const rejects =
      s.rejectsTable === null
        ? []
        : await rescanRejects(s.sql, s.rejectsTable, file.readFrom, { format: this.timeFormat });
    const place = await placeOf(file.path, s.format, seq, new Set(rejects.map((r) => r.line)));
    const first = rejects[0];
    if (first !== undefined && (place.kind !== "line" || first.line < place.number))
      throw rejectError(file.path, first);
    const at =
      place.kind === "line" ? `${file.path}:${place.number}` : `${file.path} ${place.kind} ${place.number}`;
    const what =
      reason === "bad JSON" && s.format === "jsonl" && place.kind === "line"
        ? await badJsonLine(file.readFrom, place.number)
        : reason === "missing time" && s.format === "history"
          ? `no time: the shell wrote none for this command (bash writes #<epoch> lines only with HISTTIMEFORMAT set, zsh only with EXTENDED_HISTORY)`
          : `column ${JSON.stringify(field)}: ${reason}: ${quoteValue(value)}${reason === "unparseable time" && this.timeFormat === undefined ? timeFormatAdvice(value) : ""}`;
    throw new SeqhuntError(`${at}: ${what}; ${FIX_OR_SKIP}`, {
      file: file.path,
      ...(place.kind === "line" ? { line: place.number } : {}),
      field,
    });
  }

  /** The lines DuckDB's CSV reader rejected (visible once the streaming query is done). */
  async loadRejects(con: DuckDBConnection): Promise<void> {
    for (const s of this.sources) {
      const table = s.rejectsTable;
      if (table === null) continue;
      for (const file of s.files)
        for (const r of await rejectedRows(con, table, file.readFrom)) {
          if (this.policy === "fail") throw rejectError(file.path, r);
          this.#count(r.reason);
        }
    }
  }
}

/**
 * The rows of `sql` with one record per request: of the records sharing `__key`, the one of the lowest
 * `__rank` (then input order), with `__folded` the others' count; records without a key are each kept.
 * DuckDB partitions (spilling to disk as it sorts), so no request is held in JavaScript.
 */
function foldedRowsSql(sql: string): string {
  // One window for both (count over the whole partition, row number in its order): one partitioned sort.
  return `SELECT *, CASE WHEN __key IS NULL THEN 0 ELSE count(*) OVER request - 1 END AS __folded
    FROM (${sql})
    WINDOW request AS (PARTITION BY __key ORDER BY __rank, __file, __seq ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    QUALIFY __key IS NULL OR row_number() OVER request = 1`;
}

/**
 * Sources read into one table before DuckDB folds and sorts them, beyond this many when they are small:
 * each source of a union is a pipeline of its own into the sort's windows, whose per-pipeline state made
 * 200 small files take seconds under the memory limit (a CloudTrail folder of 4,000 records: 3.0 s against
 * 1.1 s through a table). Large sources go straight to the sort (30 files of 10,000 records: 14.9-22.7 s
 * against 17.2-26.9 s through a table).
 */
const SOURCES_BEFORE_TABLE = 8;

/** The largest average size (bytes, decompressed) of sources read into one table first. */
const SMALL_SOURCE_BYTES = 4 * 1024 * 1024;

/** SQL of every source's rows, one after another. */
const unionSql = (sources: readonly SourceQuery[]) => sources.map((s) => s.sql).join("\nUNION ALL\n");

/** SQL of every source's rows (a table of them, made here, when there are many small sources). */
async function unionOf(
  con: DuckDBConnection,
  sources: readonly SourceQuery[],
  inputBytes: number,
): Promise<string> {
  const all = unionSql(sources);
  if (sources.length <= SOURCES_BEFORE_TABLE || inputBytes / sources.length > SMALL_SOURCE_BYTES) return all;
  await con.run(`CREATE OR REPLACE TEMP TABLE __events AS ${all}`);
  return "SELECT * FROM __events";
}

/** The queries to stream: one per file in file order (sorting in memory), else one sorted query of `all`. */
function streamQueries(
  sources: readonly SourceQuery[],
  all: string,
  options: ReadEventsOptions,
  inputBytes: number,
): { queries: string[]; batched: boolean } {
  const withParams = options.paramMode !== "none" && options.params !== null;
  // Rows cross into JavaScript as JSON text (one string to decode and parse instead of a value per column).
  const folded = options.fold !== undefined;
  const row = eventRowSql(options.identity.length, { withParams, folded });
  const checked = (sql: string) => (withParams ? withEmbed(sql) : sql);
  if (options.sortInMemory === true)
    return {
      queries: sources.map((s) => joinedRowsSql(`SELECT ${row} AS __r FROM (${checked(s.sql)})`)),
      batched: true,
    };
  // A request's records may lie in two files (a log rotated between its stages): folded over the union.
  const union = folded ? foldedRowsSql(all) : all;
  const order = [
    ...options.identity.map((_, i) => `__id${i} NULLS LAST`),
    "__ts NULLS FIRST",
    "__file",
    "__seq",
  ].join(", ");
  // Small inputs go in batches of 4,096 rows per string (fastest); large ones one string per row, since
  // only a plain ORDER BY spills to disk.
  const mode = readMode();
  const batched = mode === "auto" ? inputBytes <= 256e6 : mode === "batches";
  const query = batched
    ? `WITH sorted AS (SELECT *, row_number() OVER (ORDER BY ${order}) AS __rn FROM (${checked(union)}))
         SELECT '[' || string_agg(${row}, ',' ORDER BY __rn) || ']' AS __rows FROM sorted GROUP BY __rn // 4096 ORDER BY __rn // 4096`
    : `SELECT ${row} AS __row FROM (${checked(union)}) ORDER BY ${order}`;
  return { queries: [query], batched };
}

/** A good row's command, or what is wrong with it (field, reason, value); `params` is the parsed parameters text. */
function commandOf(
  row: EventRow,
  params: unknown,
  options: ReadEventsOptions,
): Command | { field: string; reason: string; value: string | null } {
  if (row.bad) return { field: "(line)", reason: "bad JSON", value: null };
  if (row.ts === null)
    return {
      field: options.time,
      reason: row.rawTime === null ? "missing time" : "unparseable time",
      value: row.rawTime,
    };
  if (row.event === null || row.event === "")
    return { field: eventName(options), reason: "missing event", value: row.event };
  const mode = options.paramMode;
  if (mode === "none") return row.event;
  if (options.params === null) return trustedCmd(row.event, mode === "names" ? new Set() : {});
  const parsed =
    params === undefined ? "bad params JSON" : paramsFromJson(params, options.paramsFormat, mode);
  if (typeof parsed === "string")
    return {
      field: options.params,
      reason: parsed,
      value:
        params === undefined
          ? (row.params as string)
          : typeof params === "string"
            ? params
            : JSON.stringify(params),
    };
  return trustedCmd(row.event, parsed);
}

/** Builds the sources, streams their rows in order to `sink` (or holds them to sort in memory). */
async function readWith(
  con: DuckDBConnection,
  files: readonly string[],
  readFrom: readonly string[],
  options: ReadEventsOptions & { readonly paramsReader: ParamsReader },
  sink: EventSink,
): Promise<ReadStats> {
  // Long because building the sources, counting, streaming chunks and replaying held rows share one connection and one in-flight fetch.
  registerTimeParser(con, { format: options.timeFormat });
  // Folding partitions every record in DuckDB, which then sorts too: no rows in file order to hold.
  const inMemory = options.sortInMemory === true && options.fold === undefined;
  // Nothing to sort: one DuckDB thread reads while JavaScript, on the other core, takes the rows.
  if (inMemory) await con.run("SET threads = 1");
  const fields = eventFields(options);
  // An engine error here goes up raw: readEvents retries files mixing line endings, then words it.
  const sources = await sourceQueries(
    con,
    files.map((path, index) => ({ path, readFrom: readFrom[index] ?? path, index, numbered: !inMemory })),
    fields,
  );
  const stats: ReadStats = {
    read: 0,
    used: 0,
    skipped: new Map(),
    ...(options.fold === undefined ? {} : { folded: 0 }),
  };
  const inputBytes = inMemory ? 0 : estimatedInputBytes(files);
  // Held in memory, each source streams on its own.
  const all = inMemory ? unionSql(sources) : await unionOf(con, sources, inputBytes);
  let total: number | null = null;
  if (options.wantTotal) {
    const rows = (await con.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM (${all})`)).getRowObjectsJson();
    total = Number(rows[0]?.n ?? 0);
  }
  const bad = new BadRows(sources, options.onBadRow, stats, options.timeFormat);
  const { queries, batched } = streamQueries(
    sources,
    all,
    { ...options, sortInMemory: inMemory },
    inputBytes,
  );
  const { paramsReader } = options;
  let previous: (string | null)[] = [];
  const held = inMemory ? new HeldEvents(options.identity.length, 0) : null;
  // Only held events share names: a streamed read keeps none, and a map of every name would grow unbounded.
  const names = inMemory ? new Map<string, string>() : null;
  for (const sql of queries) {
    const result = await con.stream(sql);
    // Rows of an unnumbered source arrive in file order: their number is their position.
    let position = 0;
    // The next chunk is asked for before this one is handled, so DuckDB reads while JavaScript works.
    let next = result.fetchChunk();
    try {
      for (;;) {
        const chunk = await next;
        if (chunk === null || chunk.rowCount === 0) break;
        next = result.fetchChunk();
        for (const text of chunk.getColumns()[0] as (string | null)[]) {
          if (text === null) continue; // a row whose batch a later row closes
          const parsed = JSON.parse(text) as unknown[];
          for (const raw of (batched ? parsed : [parsed]) as unknown[][]) {
            position++;
            const row = decodeEventRow(raw, names);
            if (row.folded > 0) {
              stats.read += row.folded;
              stats.folded = (stats.folded ?? 0) + row.folded;
            }
            let params = row.paramsParsed ? row.params : paramsReader.parse(row.params as string);
            if (params === ASK_DUCKDB) params = await paramsReader.duckdb(row.params as string);
            const command = commandOf(row, params, options);
            if (typeof command === "object" && "reason" in command) {
              const seq = row.seq ?? position;
              await bad.row(row.file, seq, command.field, command.reason, command.value);
              continue;
            }
            stats.read++;
            stats.used++;
            const made = options.transform === undefined ? command : options.transform(command);
            if (held !== null) {
              held.add(row.identity, row.ts as number, made);
              continue;
            }
            // The same identity is handed over as the same array.
            const identity = row.identity;
            let same = previous.length === identity.length;
            for (let i = 0; same && i < identity.length; i++) same = previous[i] === identity[i];
            if (!same) previous = identity;
            sink(previous, row.ts as number, made);
          }
        }
        options.progress?.(stats.read, total);
      }
    } catch (err) {
      // A chunk still being fetched must land before the connection closes.
      await next.catch(() => null);
      throw err;
    }
  }
  held?.replay(sink);
  await bad.loadRejects(con);
  return stats;
}
