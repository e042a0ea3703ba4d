import { HISTORY_FIELDS } from "../../parse/history.js";
import { duckdbReaderCall } from "./duckdb-options.js";
import { jsonPathOf } from "./fields.js";
import { jsonRecordsReader } from "./json-records.js";
import type { InputSource } from "./types.js";

/**
 * A shell history file (bash, zsh, fish), read from its JSON Lines copy (see `historyCopies`): one record
 * per command, numbered by the line of the history file it starts on, so errors name that line.
 */
export const historySource: InputSource = {
  format: "history",
  open: (con, file) => {
    const rejects = `rejects_${file.index}`;
    const lines = duckdbReaderCall(file.readFrom, { kind: "lines", rejects });
    const line = `CAST(json_extract(j, ${jsonPathOf([HISTORY_FIELDS.line])}) AS BIGINT)`;
    return jsonRecordsReader(con, file, `SELECT j, ${line} AS n FROM ${lines}`, rejects);
  },
};
