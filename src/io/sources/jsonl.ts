import { duckdbReaderCall } from "./duckdb-options.js";
import { jsonRecordsReader } from "./json-records.js";
import type { InputSource } from "./types.js";

/** JSON Lines: one record per line; a line that is not JSON is one bad row. */
export const jsonlSource: InputSource = {
  format: "jsonl",
  open: (con, file) =>
    jsonRecordsReader(
      con,
      `SELECT j, row_number() OVER () AS n FROM ${duckdbReaderCall(file.path, { kind: "lines" })}`,
    ),
};
