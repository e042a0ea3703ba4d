import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqhuntError } from "../errors.js";
import { trustedCmd } from "../model/cmd.js";
import type { Command } from "../types.js";
import { csvReader } from "./csv-reader.js";
import { duckdb } from "./duckdb.js";
import { LINE_LIMITS, MAX_LINE_BYTES, readError } from "./duckdb-errors.js";
import { formatOf, type InputFormat, jsonPath, sqlIdentifier, sqlString } from "./formats.js";
import { HeldEvents } from "./held-events.js";
import { placeOf } from "./locate.js";
import { type ParamMode, type ParamsFormat, paramsFromJson } from "./params.js";
import { badJsonLine, noJsonObjectError, unclosedQuoteError, withUnixLineEndings } from "./read-problems.js";
import { FIX_OR_SKIP, rejectError, rejectedRows, rescanRejects } from "./rejects.js";
import { registerTimeParser, timeMicrosSql } from "./time-sql.js";

/** Which columns hold what, and how to read the parameters. */
export interface EventColumns {
  /** Identity columns (user, IP, host...). */
  readonly identity: readonly string[];
  /** Time column: ISO 8601 (UTC when no zone), the Azure portal's US format, epoch s/ms/us/ns, or a timestamp type. */
  readonly time: string;
  /** A strftime-like format of the time column's text (`--time-format`); absent: every format seqhunt knows. */
  readonly timeFormat?: string | undefined;
  /** Event (command) column. */
  readonly event: string;
  /** Parameters column, or null. */
  readonly params: string | null;
  readonly paramsFormat: ParamsFormat;
  readonly paramMode: ParamMode;
}

/** What to do with a bad row: stop with an error, or skip it and count it. */
export type BadRowPolicy = "fail" | "skip";

/** Rows read, used and skipped (by reason). Every row read is either used or skipped. */
export interface ReadStats {
  read: number;
  used: number;
  skipped: Map<string, number>;
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

interface Source {
  readonly path: string;
  /** The file DuckDB reads: the path, or a copy with its line endings made consistent. */
  readonly readFrom: string;
  readonly format: InputFormat;
  readonly sql: string;
  readonly rejectsTable: string | null;
}

/** Bytes the files hold once decompressed, roughly (gzip counted five times its size); throws for a missing file. */
export function estimatedInputBytes(files: readonly string[]): number {
  return files.reduce((n, f) => n + statSync(f).size * (/\.(gz|gzip)$/i.test(f) ? 5 : 1), 0);
}

function missingColumn(
  path: string,
  column: string,
  existing: readonly string[],
  role: string,
): SeqhuntError {
  return new SeqhuntError(
    `${path}: no ${role} column ${JSON.stringify(column)}; the columns are: ${existing.map((c) => JSON.stringify(c)).join(", ")}`,
    { file: path, field: column },
  );
}

function checkColumns(path: string, columns: EventColumns, existing: readonly string[]): void {
  const has = new Set(existing);
  for (const c of columns.identity) if (!has.has(c)) throw missingColumn(path, c, existing, "identity");
  if (!has.has(columns.time)) throw missingColumn(path, columns.time, existing, "time");
  if (!has.has(columns.event)) throw missingColumn(path, columns.event, existing, "event");
  if (columns.params !== null && !has.has(columns.params))
    throw missingColumn(path, columns.params, existing, "params");
}

async function describe(con: DuckDBConnection, from: string): Promise<{ name: string; type: string }[]> {
  const rows = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJson();
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** Builds one file's subquery with the standard columns __file, __seq, __id*, __time, __ts, __event, __params, __bad. */
async function buildSource(
  con: DuckDBConnection,
  path: string,
  index: number,
  columns: EventColumns,
  numbered: boolean,
  readFrom: string,
): Promise<Source> {
  const format = formatOf(path);
  const file = sqlString(readFrom);
  /** The standard columns every source yields, from how this source reads a column as text. */
  const standard = (parts: {
    seq: string;
    text: (c: string) => string;
    ts?: string;
    params?: string;
    bad: string;
  }) =>
    [
      `${index} AS __file`,
      `${parts.seq} AS __seq`,
      ...columns.identity.map((c, i) => `${parts.text(c)} AS __id${i}`),
      `${parts.text(columns.time)} AS __time`,
      `${parts.ts ?? timeMicrosSql(parts.text(columns.time), { format: columns.timeFormat })} AS __ts`,
      `${parts.text(columns.event)} AS __event`,
      `${parts.params ?? (columns.params === null ? "NULL" : parts.text(columns.params))} AS __params`,
      `${parts.bad} AS __bad`,
    ].join(", ");
  if (format === "csv" || format === "tsv") {
    const rejectsTable = `rejects_${index}`;
    const { reader, names } = await csvReader({
      path,
      file: readFrom,
      delim: format === "tsv" ? "\t" : null,
      options: `store_rejects = true, rejects_table = '${rejectsTable}', rejects_scan = 'scans_${index}', ${LINE_LIMITS}`,
    });
    checkColumns(path, columns, names);
    // Numbering rows takes a window, which makes every later step single-threaded: unnumbered rows (NULL)
    // are numbered by the reader as they arrive in file order.
    const seq = numbered ? "CAST(row_number() OVER () AS DOUBLE)" : "NULL";
    const sql = `SELECT ${standard({ seq, text: sqlIdentifier, bad: "false" })} FROM ${reader}`;
    return { path, readFrom, format, sql, rejectsTable };
  }
  if (format === "jsonl" || format === "json") {
    // Each record as JSON text: JSONL one line at a time (so a bad line is a bad row, not a failed file).
    const rejectsTable = format === "jsonl" ? `rejects_${index}` : null;
    const lines =
      format === "jsonl"
        ? `SELECT j, row_number() OVER () AS n FROM read_csv(${file}, columns = {'j': 'VARCHAR'}, header = false, delim = '\\x1f', quote = '', escape = '', auto_detect = false, ${LINE_LIMITS}, store_rejects = true, rejects_table = '${rejectsTable}', rejects_scan = 'scans_${index}')`
        : `SELECT json::VARCHAR AS j, row_number() OVER () AS n FROM read_json_objects(${file}, format = 'array', maximum_object_size = ${MAX_LINE_BYTES})`;
    const records = `(SELECT j, n, json_valid(j) AS ok FROM (${lines}) WHERE j IS NOT NULL AND trim(j) <> '')`;
    const keys = (
      await con.runAndReadAll(
        `SELECT DISTINCT unnest(json_keys(j)) AS k FROM (SELECT j FROM ${records} WHERE ok LIMIT 1000)`,
      )
    )
      .getRowObjectsJson()
      .map((r) => String(r.k));
    if (keys.length === 0) await noJsonObjectError(path, readFrom);
    checkColumns(path, columns, keys);
    const text = (c: string) => `CASE WHEN ok THEN json_extract_string(j, ${jsonPath(c)}) END`;
    const params =
      columns.params === null
        ? "NULL"
        : `CASE WHEN ok THEN (CASE WHEN json_type(j, ${jsonPath(columns.params)}) = 'VARCHAR' THEN json_extract_string(j, ${jsonPath(columns.params)}) ELSE json_extract(j, ${jsonPath(columns.params)})::VARCHAR END) END`;
    const sql = `SELECT ${standard({ seq: "CAST(n AS DOUBLE)", text, params, bad: "NOT ok" })} FROM ${records}`;
    return { path, readFrom, format, sql, rejectsTable };
  }
  const reader = `read_parquet(${file}, file_row_number = true)`;
  const described = await describe(con, reader);
  const existing = described.map((c) => c.name).filter((c) => c !== "file_row_number");
  checkColumns(path, columns, existing);
  const typeOf = new Map(described.map((c) => [c.name, c.type]));
  const col = (c: string) => sqlIdentifier(c);
  const asText = (c: string) => {
    const t = typeOf.get(c) ?? "VARCHAR";
    if (t === "VARCHAR") return col(c);
    return /^(STRUCT|MAP)|\[\]$/.test(t) ? `to_json(${col(c)})::VARCHAR` : `CAST(${col(c)} AS VARCHAR)`;
  };
  const timeType = typeOf.get(columns.time) ?? "VARCHAR";
  const ts = /^TIMESTAMP|^DATE/.test(timeType)
    ? `CAST(epoch_us(CAST(${col(columns.time)} AS TIMESTAMPTZ)) AS DOUBLE)`
    : timeMicrosSql(asText(columns.time), { format: columns.timeFormat });
  const sql = `SELECT ${standard({ seq: "CAST(file_row_number + 1 AS DOUBLE)", text: asText, ts, bad: "false" })} FROM ${reader}`;
  return { path, readFrom, format, sql, rejectsTable: null };
}

/** Opens an embedded DuckDB that spills to a private temporary folder, in UTC. */
export async function openDuckDB(): Promise<{ con: DuckDBConnection; close: () => void }> {
  const spill = mkdtempSync(join(tmpdir(), "seqhunt-"));
  // DuckDB spills to disk beyond its memory limit, so a file larger than memory still reads.
  const memory = process.env.SEQHUNT_DUCKDB_MEMORY ?? "1GB";
  const { DuckDBInstance } = duckdb();
  const instance = await DuckDBInstance.create(":memory:", { temp_directory: spill, memory_limit: memory });
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  return {
    con,
    close: () => {
      con.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
    },
  };
}

function checkFiles(files: readonly string[]): void {
  if (files.length === 0) throw new SeqhuntError("no input files given");
  for (const f of files) {
    if (!existsSync(f)) throw new SeqhuntError(`${f}: no such file`, { file: f });
    if (!statSync(f).isFile()) throw new SeqhuntError(`${f}: not a file`, { file: f });
  }
}

function quoteValue(v: string | null): string {
  if (v === null) return "(empty)";
  return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}...` : v);
}

/**
 * Reads event files through DuckDB, which sorts them by identity, time and input order (spilling to disk
 * when they exceed memory), and streams each good event to `sink`. Bad rows (a wrong number of fields,
 * bad JSON, an unparseable time, a missing event, bad params) stop the read with an error naming the
 * file, line and field, or are skipped and counted by reason.
 */
export async function readEvents(
  files: readonly string[],
  options: ReadEventsOptions,
  sink: EventSink,
): Promise<ReadStats> {
  checkFiles(files);
  const { con, close } = await openDuckDB();
  let copies: string | null = null;
  try {
    try {
      return await readWith(con, files, files, options, sink);
    } catch (err) {
      if (err instanceof SeqhuntError) throw err;
      // DuckDB stops at files mixing \r\n and \n: read copies with one kind (a failed read has sent no event).
      copies = mkdtempSync(join(tmpdir(), "seqhunt-lines-"));
      const fixed = await withUnixLineEndings(files, copies);
      if (fixed === null) throw err;
      return await readWith(
        con,
        files,
        files.map((f) => fixed.get(f) ?? f),
        options,
        sink,
      );
    }
  } catch (err) {
    if (err instanceof SeqhuntError) throw err;
    const file = fileNamedIn(err, files);
    const format = formatOf(file);
    if (format === "csv" || format === "tsv") {
      const quote = await unclosedQuoteError(file, file);
      if (quote !== null) throw quote;
    }
    throw readError(err, file, format);
  } finally {
    close();
    if (copies !== null) rmSync(copies, { recursive: true, force: true });
  }
}

/** The input file an engine error is about: the one its message names, else the first. */
function fileNamedIn(err: unknown, files: readonly string[]): string {
  const message = err instanceof Error ? err.message : String(err);
  const copy = /lines-(\d+)\./.exec(message);
  if (copy) return files[Number(copy[1])] ?? (files[0] as string);
  return files.find((f) => message.includes(f)) ?? (files[0] as string);
}

async function readWith(
  con: DuckDBConnection,
  files: readonly string[],
  readFrom: readonly string[],
  options: ReadEventsOptions,
  sink: EventSink,
): Promise<ReadStats> {
  registerTimeParser(con, { format: options.timeFormat });
  const inMemory = options.sortInMemory === true;
  // Nothing to sort: one DuckDB thread reads while JavaScript, on the other core, takes the rows.
  if (inMemory) await con.run("SET threads = 1");
  const sources: Source[] = [];
  for (const [i, f] of files.entries())
    sources.push(await buildSource(con, f, i, options, !inMemory, readFrom[i] ?? f));
  const union = sources.map((s) => s.sql).join("\nUNION ALL\n");
  const order = [
    ...options.identity.map((_, i) => `__id${i} NULLS LAST`),
    "__ts NULLS FIRST",
    "__file",
    "__seq",
  ].join(", ");
  const stats: ReadStats = { read: 0, used: 0, skipped: new Map() };
  let total: number | null = null;
  if (options.wantTotal) {
    const rows = (
      await con.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM (${union})`)
    ).getRowObjectsJson();
    total = Number(rows[0]?.n ?? 0);
  }
  const rejected = new Map<number, Set<number>>();
  const loadRejects = async () => {
    for (const [i, s] of sources.entries()) {
      if (s.rejectsTable === null) continue;
      const rows = await rejectedRows(con, s.rejectsTable, s.readFrom);
      rejected.set(i, new Set(rows.map((r) => r.line)));
      for (const r of rows) {
        if (options.onBadRow === "fail") throw rejectError(s.path, r);
        stats.read++;
        stats.skipped.set(r.reason, (stats.skipped.get(r.reason) ?? 0) + 1);
      }
    }
  };
  const bad = async (file: number, seq: number, field: string, reason: string, value: string | null) => {
    stats.read++;
    if (options.onBadRow === "skip") {
      stats.skipped.set(reason, (stats.skipped.get(reason) ?? 0) + 1);
      return;
    }
    const s = sources[file] as Source;
    // The rejected rows are known only once the read ends: find them now, to count lines past them.
    const rejects =
      s.rejectsTable === null
        ? []
        : await rescanRejects(s.sql, s.rejectsTable, s.readFrom, { format: options.timeFormat });
    const place = await placeOf(s.path, s.format, seq, new Set(rejects.map((r) => r.line)));
    const first = rejects[0];
    if (first !== undefined && (place.kind !== "line" || first.line < place.number))
      throw rejectError(s.path, first);
    const at =
      place.kind === "line" ? `${s.path}:${place.number}` : `${s.path} ${place.kind} ${place.number}`;
    const what =
      reason === "bad JSON" && s.format === "jsonl" && place.kind === "line"
        ? await badJsonLine(s.readFrom, place.number)
        : `column ${JSON.stringify(field)}: ${reason}: ${quoteValue(value)}`;
    throw new SeqhuntError(`${at}: ${what}; ${FIX_OR_SKIP}`, {
      file: s.path,
      ...(place.kind === "line" ? { line: place.number } : {}),
      field,
    });
  };

  // Rows cross into JavaScript as JSON text (one string to decode and parse instead of a value per column),
  // with the params JSON already parsed by DuckDB's threads. Small inputs go in batches of 4,096 rows per
  // string (fastest); large ones one string per row, since only a plain ORDER BY spills to disk.
  // Only what the sessionizer needs is sent: the raw time only where it failed to parse.
  const ids = options.identity.map((_, i) => `__id${i}`);
  const withParams = options.paramMode !== "none" && options.params !== null;
  const params = withParams
    ? "CASE WHEN __params IS NULL OR __params = '' THEN NULL WHEN __pv THEN __params::JSON ELSE to_json(__params) END, __pv"
    : "NULL, true";
  const fields = [
    "__file",
    "__seq",
    ...ids,
    "CASE WHEN __ts IS NULL THEN __time END",
    "__ts",
    "__event",
    params,
    "__bad",
  ];
  const row = `json_array(${fields.join(", ")})::VARCHAR`;
  // Params are checked once per row (json_valid), then parsed once (the JSON cast).
  const checked = (sql: string) =>
    withParams ? `SELECT *, json_valid(__params) AS __pv FROM (${sql})` : sql;
  const inputBytes = estimatedInputBytes(files);
  const batched =
    !inMemory && (process.env.SEQHUNT_READ_MODE ?? (inputBytes <= 256e6 ? "batches" : "rows")) === "batches";
  // In memory: one query per file, rows in file order. Otherwise one sorted query over every file.
  const queries = inMemory
    ? sources.map((s) => `SELECT ${row} AS __row FROM (${checked(s.sql)})`)
    : [
        batched
          ? `WITH sorted AS (SELECT *, row_number() OVER (ORDER BY ${order}) AS __rn FROM (${checked(union)}))
         SELECT '[' || string_agg(${row}, ',' ORDER BY __rn) || ']' AS __rows FROM sorted GROUP BY __rn // 4096 ORDER BY __rn // 4096`
          : `SELECT ${row} AS __row FROM (${checked(union)}) ORDER BY ${order}`,
      ];
  const nIds = options.identity.length;
  let previous: (string | null)[] = [];
  const held = inMemory ? new HeldEvents(nIds, 2) : null;
  const mode = options.paramMode;
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
        for (const text of chunk.getColumns()[0] as string[]) {
          const parsed = JSON.parse(text) as unknown[];
          const rows = (batched ? parsed : [parsed]) as unknown[][];
          for (const row of rows) {
            position++;
            const file = row[0] as number;
            const seq = (row[1] as number | null) ?? position;
            const ts = row[3 + nIds] as number | null;
            const event = row[4 + nIds] as string | null;
            if (row[7 + nIds] === true) {
              await bad(file, seq, "(line)", "bad JSON", null);
              continue;
            }
            if (ts === null) {
              const raw = row[2 + nIds] as string | null;
              await bad(file, seq, options.time, raw === null ? "missing time" : "unparseable time", raw);
              continue;
            }
            if (event === null || event === "") {
              await bad(file, seq, options.event, "missing event", event);
              continue;
            }
            let command: Command = event;
            if (withParams) {
              const value = row[5 + nIds] as unknown;
              const params =
                row[6 + nIds] === false
                  ? "bad params JSON"
                  : paramsFromJson(value, options.paramsFormat, mode as "names" | "values");
              if (typeof params === "string") {
                await bad(
                  file,
                  seq,
                  options.params as string,
                  params,
                  typeof value === "string" ? value : JSON.stringify(value),
                );
                continue;
              }
              command = trustedCmd(event, params);
            } else if (mode !== "none") {
              command = trustedCmd(event, mode === "names" ? new Set() : {});
            }
            if (options.transform !== undefined) command = options.transform(command);
            stats.read++;
            stats.used++;
            if (held !== null) {
              held.add(row, ts, command);
              continue;
            }
            let same = previous.length === nIds;
            for (let i = 0; same && i < nIds; i++) same = previous[i] === row[2 + i];
            if (!same) previous = row.slice(2, 2 + nIds) as (string | null)[];
            sink(previous, ts, command);
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
  // The rejects tables become visible once the streaming query is done.
  await loadRejects();
  return stats;
}
