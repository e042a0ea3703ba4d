import { duckdbReaderCall } from "./duckdb-options.js";
import { jsonRecordsReader } from "./json-records.js";
import type { InputSource } from "./types.js";

/** JSON Lines: one record per line; a line that is not JSON is one bad row. */
export const jsonlSource: InputSource = {
  format: "jsonl",
  open: (con, file) => {
    // A line too long is rejected by the reader, and counted and located as a bad row.
    const rejects = `rejects_${file.index}`;
    return jsonRecordsReader(
      con,
      file,
      `SELECT j, row_number() OVER () AS n FROM ${duckdbReaderCall(file.readFrom, { kind: "lines", rejects })}`,
      rejects,
    );
  },
};
