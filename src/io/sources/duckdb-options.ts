import { sqlString } from "../formats.js";

/** The DuckDB table functions seqhunt reads files with. */
export type DuckDBReader =
  | { readonly kind: "csv"; readonly delimiter: "," | "\t"; readonly rejects: string | null }
  | { readonly kind: "lines" }
  | { readonly kind: "json-objects" }
  | { readonly kind: "parquet" };

/**
 * The DuckDB call reading `path`, with every option seqhunt passes to DuckDB's readers: the one place
 * where reading options (limits, rejects, delimiters) are set.
 */
export function duckdbReaderCall(path: string, reader: DuckDBReader): string {
  const file = sqlString(path);
  switch (reader.kind) {
    case "csv": {
      const delim = reader.delimiter === "\t" ? ", delim = '\\t'" : "";
      // Without a rejects table (a sample), bad lines are skipped rather than stored twice.
      const rejects =
        reader.rejects === null
          ? "ignore_errors = true"
          : `store_rejects = true, rejects_table = '${reader.rejects}', rejects_scan = 'scans_${reader.rejects}'`;
      return `read_csv(${file}, all_varchar = true, header = true, ${rejects}${delim})`;
    }
    case "lines":
      // One line per row, whatever it holds: a bad JSON line is one bad row, not a failed file.
      return `read_csv(${file}, columns = {'j': 'VARCHAR'}, header = false, delim = '\\x1f', quote = '', escape = '', auto_detect = false)`;
    case "json-objects":
      // format 'auto': a JSON array of records, one object (a container such as CloudTrail's), or one per line.
      // A container is one object: allow it the size of a large CloudTrail file.
      return `read_json_objects(${file}, format = 'auto', maximum_object_size = 134217728)`;
    case "parquet":
      return `read_parquet(${file}, file_row_number = true)`;
  }
}
