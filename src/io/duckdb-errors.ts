import { SeqhuntError } from "../errors.js";
import type { InputFormat } from "./formats.js";

/** The longest line (or CSV record, or JSON record) seqhunt reads; longer ones are bad rows. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** The longest line, in words, for messages and the README. */
export const MAX_LINE_WORDS = "16 MiB";

/**
 * DuckDB's CSV options for lines up to MAX_LINE_BYTES. Its read buffer defaults to 16 times the longest
 * line (256 MiB here, per file, beyond the 1 GB memory limit with a few files): two lines' worth is enough.
 */
export const LINE_LIMITS = `max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${2 * MAX_LINE_BYTES}`;

const FORMAT_NAMES: Record<InputFormat, string> = {
  csv: "CSV",
  tsv: "TSV",
  jsonl: "JSON Lines",
  json: "a JSON array",
  parquet: "Parquet",
  history: "a shell history",
  audit: "a Linux audit log",
};

/** The engine's message on its first line, without its "Xxx Error: " prefix. */
function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split("\n")[0] ?? "").replace(/^[A-Za-z ]*Error: /, "").trim();
}

/**
 * A DuckDB error met while reading `path`, in seqhunt's words: what is wrong with the file and what to do.
 * Known failures get their own message; any other keeps the engine's first line as a quoted detail.
 */
export function readError(err: unknown, path: string, format: InputFormat): SeqhuntError {
  const raw = err instanceof Error ? err.message : String(err);
  const at = { file: path };
  if (
    /maximum line size|line size over|Parallel CSV Reader|maximum_object_size|object .* too large/i.test(raw)
  )
    return new SeqhuntError(
      `${path}: a line or record is longer than ${MAX_LINE_WORDS}, the longest seqhunt reads; skip it with --on-bad-row skip, or split the file`,
      at,
    );
  if (/sniffing file|state machine reached an invalid state|dialect/i.test(raw))
    return new SeqhuntError(
      `${path}: cannot read it as ${FORMAT_NAMES[format]}: the delimiter, quotes or line endings are not consistent; check that the file is ${FORMAT_NAMES[format]} with a header row and the same number of fields on every line`,
      at,
    );
  if (/invalid unicode|invalid utf|not utf-?8|encoding/i.test(raw))
    return new SeqhuntError(`${path}: not UTF-8 text: convert it to UTF-8 (e.g. iconv -t UTF-8)`, at);
  if (/gzip|zlib|decompress/i.test(raw))
    return new SeqhuntError(`${path}: not a valid gzip file: decompress it or drop the .gz suffix`, at);
  if (/magic bytes|parquet/i.test(raw) && format === "parquet")
    return new SeqhuntError(
      `${path}: not a Parquet file, or a damaged one: check the file and its extension`,
      at,
    );
  if (/malformed JSON|JSON/i.test(raw) && format === "json")
    return new SeqhuntError(
      `${path}: not a JSON array of objects (${firstLine(err)}); for one object per line name the file .jsonl`,
      at,
    );
  if (/out of memory|memory limit/i.test(raw))
    return new SeqhuntError(
      `${path}: ran out of memory while reading: raise SEQHUNT_DUCKDB_MEMORY (default 1GB) or free disk space for spilling`,
      at,
    );
  return new SeqhuntError(
    `${path}: cannot be read as ${FORMAT_NAMES[format]} (the reader said: ${firstLine(err)}); check the file and its extension`,
    at,
  );
}

/** A row DuckDB's CSV reader rejected, in seqhunt's words: the summary's reason and what is wrong. */
export function rejectedRow(errorType: string, message: string): { reason: string; detail: string } {
  const type = errorType.toUpperCase();
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  const fields = counts ? `the header has ${counts[1]} fields, this row ${counts[2]}` : "";
  switch (type) {
    case "TOO MANY COLUMNS":
      return {
        reason: "too many columns",
        detail: `${fields}: check the row's delimiters and quotes (a delimiter inside a value needs quotes)`,
      };
    case "MISSING COLUMNS":
      return {
        reason: "missing columns",
        detail: `${fields}: the row is cut short, or a quote opened in it never closes`,
      };
    case "LINE SIZE OVER MAXIMUM":
      return {
        reason: "line too long",
        detail: `the line is longer than ${MAX_LINE_WORDS}, the longest seqhunt reads`,
      };
    case "UNQUOTED VALUE":
      return {
        reason: "bad quotes",
        detail: "a quote inside a value that is not quoted itself: quote the value and double its quotes",
      };
    case "INVALID ENCODING":
    case "INVALID UNICODE":
      return { reason: "not UTF-8", detail: "the row is not UTF-8 text: convert the file to UTF-8" };
    default:
      return { reason: type.toLowerCase(), detail: message.split("\n")[0] ?? "" };
  }
}
