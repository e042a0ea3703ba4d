import type { InputFormat } from "../formats.js";
import { duckdbReaderCall } from "./duckdb-options.js";
import { jsonPathOf } from "./fields.js";
import { jsonRecordsReader } from "./json-records.js";
import type { InputSource } from "./types.js";

/**
 * The source of a text log parsed here into a JSON Lines copy (see `parsedCopies`): its records numbered by
 * `lineField`, the line of the log each starts on, so errors name that line and not the copy's.
 */
export function parsedLinesSource(format: InputFormat, lineField: string): InputSource {
  return {
    format,
    open: (con, file) => {
      const rejects = `rejects_${file.index}`;
      const lines = duckdbReaderCall(file.readFrom, { kind: "lines", rejects });
      const line = `CAST(json_extract(j, ${jsonPathOf([lineField])}) AS BIGINT)`;
      return jsonRecordsReader(con, file, `SELECT j, ${line} AS n FROM ${lines}`, rejects);
    },
  };
}
