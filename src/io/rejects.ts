import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqhuntError } from "../errors.js";
import type { TimeParserOptions } from "../parse/time.js";
import { duckdb } from "./duckdb.js";
import { rejectedRow } from "./duckdb-errors.js";
import { sqlString } from "./formats.js";
import { scansTable } from "./sources/duckdb-options.js";
import { linesAtBytes } from "./text-file.js";
import { registerTimeParser } from "./time-sql.js";

/** A row DuckDB's reader rejected: its line as an editor counts, and what is wrong, in words. */
export interface RejectedRow {
  readonly line: number;
  readonly reason: string;
  readonly detail: string;
}

/** What to do about a bad row, said after each. */
export const FIX_OR_SKIP = "fix the row, or skip bad rows with --on-bad-row skip";

/**
 * The rows of a rejects table, one per row (a short row has one entry per missing column, the first
 * counts), in line order; lines found from byte offsets in `readFrom`, so quoted line breaks count.
 */
export async function rejectedRows(
  con: DuckDBConnection,
  table: string,
  readFrom: string,
): Promise<RejectedRow[]> {
  // A table of a set of files holds every file's: this one's, by the scans table its reader names.
  const rows = (
    await con.runAndReadAll(
      `SELECT min(line_byte_position)::DOUBLE AS at, arg_min(error_type, coalesce(column_idx, 0)) AS error_type, arg_min(error_message, coalesce(column_idx, 0)) AS error_message FROM ${table}
       WHERE file_id IN (SELECT file_id FROM ${scansTable(table)} WHERE file_path = ${sqlString(readFrom)}) GROUP BY line ORDER BY line`,
    )
  ).getRowObjectsJson();
  const lineAt = await linesAtBytes(
    readFrom,
    rows.map((r) => Number(r.at)),
  );
  return rows.map((r) => ({
    line: lineAt.get(Number(r.at)) ?? 0,
    ...rejectedRow(String(r.error_type), String(r.error_message)),
  }));
}

/**
 * The rejected rows of one source, read by scanning it again in a DuckDB of its own: a streaming query's
 * rejects table fills only once it ends. For an error message only (a second read of the file).
 */
export async function rescanRejects(
  sourceSql: string,
  table: string,
  readFrom: string,
  time: TimeParserOptions,
): Promise<RejectedRow[]> {
  const instance = await duckdb().DuckDBInstance.create(":memory:", { threads: "1" });
  const con = await instance.connect();
  try {
    // The source's SQL calls seqhunt's time parser: this connection needs it too.
    registerTimeParser(con, time);
    await con.run(`SELECT count(*) FROM (${sourceSql})`);
    return await rejectedRows(con, table, readFrom);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** The error for a rejected row, in seqhunt's words. */
export function rejectError(path: string, row: RejectedRow): SeqhuntError {
  return new SeqhuntError(`${path}:${row.line}: ${row.reason}: ${row.detail}; ${FIX_OR_SKIP}`, {
    file: path,
    line: row.line,
  });
}
