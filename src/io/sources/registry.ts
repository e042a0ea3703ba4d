import { formatOf, type InputFormat } from "../formats.js";
import { auditSource } from "./audit.js";
import { csvSource, tsvSource } from "./csv.js";
import { historySource } from "./history.js";
import { jsonSource } from "./json.js";
import { jsonlSource } from "./jsonl.js";
import { parquetSource } from "./parquet.js";
import type { InputSource } from "./types.js";

/** Every input format and its source: a new format is one module and one line here. */
export const SOURCES: Readonly<Record<InputFormat, InputSource>> = {
  csv: csvSource,
  tsv: tsvSource,
  jsonl: jsonlSource,
  json: jsonSource,
  parquet: parquetSource,
  history: historySource,
  audit: auditSource,
};

/** The source reading a file, from its name. */
export function sourceFor(path: string): InputSource {
  return SOURCES[formatOf(path)];
}
