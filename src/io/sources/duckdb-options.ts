import { closeSync, openSync, readSync, statSync } from "node:fs";
import { LINE_LIMITS } from "../duckdb-errors.js";
import { sqlString } from "../formats.js";

/** The DuckDB table functions seqhunt reads files with (CSV goes through csvReader, which reads the header). */
export type DuckDBReader =
  | { readonly kind: "lines"; readonly rejects: string }
  | { readonly kind: "json-objects" }
  | { readonly kind: "parquet" };

/** The largest JSON value read whole: a container (CloudTrail's `{"Records": [...]}`) is one value. */
export const MAX_JSON_VALUE_BYTES = 128 * 1024 * 1024;

/** DuckDB's own limit on a JSON value: a lower one reads no faster. */
const DUCKDB_JSON_VALUE_BYTES = 16 * 1024 * 1024;

/** Decompressed bytes per gzip byte assumed of a file whose trailer may not tell its size (several members). */
const GZIP_RATIO_BOUND = 32;

/**
 * The JSON value limit to read `path` with: what the file can hold, between DuckDB's own limit and
 * {@link MAX_JSON_VALUE_BYTES}. DuckDB makes room for the limit in every file it opens: 200 small CloudTrail
 * files read under the largest took 2-3 times as long. A plain file holds at most its size; a gzip file's
 * trailer tells its size decompressed (its last member's, so never less than a generous ratio is assumed).
 */
export function jsonValueLimit(path: string): number {
  const size = statSync(path).size;
  const bound = gzipped(path) ? Math.max(decompressedBytes(path), size * GZIP_RATIO_BOUND) : size;
  return Math.min(MAX_JSON_VALUE_BYTES, Math.max(DUCKDB_JSON_VALUE_BYTES, bound + 1));
}

/** True for a file named as gzip-compressed. */
export const gzipped = (path: string): boolean => /\.(gz|gzip)$/i.test(path);

/** A file's size, decompressed as its gzip trailer says (of its last member: less for a file of several). */
export function decompressedBytes(path: string): number {
  const size = statSync(path).size;
  if (!gzipped(path) || size < 4) return size;
  const trailer = Buffer.alloc(4);
  const fd = openSync(path, "r");
  try {
    readSync(fd, trailer, 0, 4, size - 4);
  } finally {
    closeSync(fd);
  }
  return trailer.readUInt32LE(0);
}

/** The table naming the files (and their ids) whose rejected lines `rejects` holds. */
export const scansTable = (rejects: string): string => `scans_${rejects}`;

/**
 * The options seqhunt passes to DuckDB's CSV reader: line limits, and where rejected lines go (or, for a
 * sample, that they are skipped rather than stored twice). One of the two places reading options are set.
 */
export function csvReaderOptions(rejects: string | null): string {
  const stored =
    rejects === null
      ? "ignore_errors = true"
      : `store_rejects = true, rejects_table = '${rejects}', rejects_scan = '${scansTable(rejects)}'`;
  return `${stored}, ${LINE_LIMITS}`;
}

/**
 * The DuckDB call reading `path` with every option seqhunt passes to DuckDB's other readers: the other
 * place where reading options (limits, rejects, delimiters) are set.
 */
export function duckdbReaderCall(path: string | readonly string[], reader: DuckDBReader): string {
  // Several files are one scan, each row naming its file (`filename`).
  const file = typeof path === "string" ? sqlString(path) : `[${path.map(sqlString).join(", ")}]`;
  const named = typeof path === "string" ? "" : ", filename = true";
  switch (reader.kind) {
    case "lines":
      // One line per row, whatever it holds: a bad JSON line is one bad row, not a failed file.
      return `read_csv(${file}, columns = {'j': 'VARCHAR'}, header = false, delim = '\\x1f', quote = '', escape = '', auto_detect = false, ${csvReaderOptions(reader.rejects)}${named})`;
    case "json-objects":
      // format 'auto': a JSON array of records, one object (a container such as CloudTrail's), or one per line.
      return `read_json_objects(${file}, format = 'auto', maximum_object_size = ${Math.max(...[path].flat().map(jsonValueLimit))}${named})`;
    case "parquet":
      return `read_parquet(${file}, file_row_number = true${named})`;
  }
}
