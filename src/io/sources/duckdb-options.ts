import { LINE_LIMITS } from "../duckdb-errors.js";
import { sqlString } from "../formats.js";

/** The DuckDB table functions seqhunt reads files with (CSV goes through csvReader, which reads the header). */
export type DuckDBReader =
  | { readonly kind: "lines"; readonly rejects: string }
  | { readonly kind: "json-objects" }
  | { readonly kind: "parquet" };

/** The largest JSON value read whole: a container (CloudTrail's `{"Records": [...]}`) is one value. */
export const MAX_JSON_VALUE_BYTES = 128 * 1024 * 1024;

/**
 * The options seqhunt passes to DuckDB's CSV reader: line limits, and where rejected lines go (or, for a
 * sample, that they are skipped rather than stored twice). One of the two places reading options are set.
 */
export function csvReaderOptions(rejects: string | null): string {
  const stored =
    rejects === null
      ? "ignore_errors = true"
      : `store_rejects = true, rejects_table = '${rejects}', rejects_scan = 'scans_${rejects}'`;
  return `${stored}, ${LINE_LIMITS}`;
}

/**
 * The DuckDB call reading `path` with every option seqhunt passes to DuckDB's other readers: the other
 * place where reading options (limits, rejects, delimiters) are set.
 */
export function duckdbReaderCall(path: string, reader: DuckDBReader): string {
  const file = sqlString(path);
  switch (reader.kind) {
    case "lines":
      // One line per row, whatever it holds: a bad JSON line is one bad row, not a failed file.
      return `read_csv(${file}, columns = {'j': 'VARCHAR'}, header = false, delim = '\\x1f', quote = '', escape = '', auto_detect = false, ${csvReaderOptions(reader.rejects)})`;
    case "json-objects":
      // format 'auto': a JSON array of records, one object (a container such as CloudTrail's), or one per line.
      return `read_json_objects(${file}, format = 'auto', maximum_object_size = ${MAX_JSON_VALUE_BYTES})`;
    case "parquet":
      return `read_parquet(${file}, file_row_number = true)`;
  }
}
