import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { InputFormat } from "./formats.js";
import { parsedHere } from "./log-copies.js";

/** Where a record is, in words: `line 12` for text files, `row 12` for Parquet, `record 12` for JSON arrays. */
export type Place = { kind: "line" | "row" | "record"; number: number };

function lines(path: string): NodeJS.ReadableStream {
  const raw = createReadStream(path);
  return /\.(gz|gzip)$/i.test(path) ? raw.pipe(createGunzip()) : raw;
}

/**
 * Finds the line where the n-th record (1-based) that DuckDB accepted from a CSV/TSV file starts,
 * skipping the header and the records it rejected (by their line). Scans the file; used only to report errors.
 */
export async function csvRecordLine(
  path: string,
  n: number,
  rejectedLines: ReadonlySet<number>,
): Promise<number> {
  let line = 1;
  let inQuotes = false;
  let recordStart = -1; // line of the record being read; -1 between records
  let accepted = 0;
  let header = true;
  let atLineStart = true;
  for await (const chunk of lines(path)) {
    const text = typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (recordStart < 0 && atLineStart && ch !== 10 && ch !== 13) recordStart = line;
      atLineStart = false;
      if (ch === 34) inQuotes = !inQuotes;
      else if (ch === 10) {
        // DuckDB starts afresh after a row it rejected, even inside a quote the row left open.
        if (inQuotes && rejectedLines.has(recordStart)) inQuotes = false;
        if (!inQuotes && recordStart >= 0) {
          if (header) header = false;
          else if (!rejectedLines.has(recordStart) && ++accepted === n) return recordStart;
          recordStart = -1;
        }
        line++;
        atLineStart = true;
      }
    }
  }
  return recordStart >= 0 && !header && accepted + 1 === n ? recordStart : -1;
}

/** The place of the n-th accepted record of a file, for an error message. */
export async function placeOf(
  path: string,
  format: InputFormat,
  n: number,
  rejectedLines: ReadonlySet<number>,
): Promise<Place> {
  // A shell history's and an audit log's records are numbered by the line they start on.
  if (format === "jsonl" || parsedHere(format)) return { kind: "line", number: n };
  if (format === "parquet") return { kind: "row", number: n };
  if (format === "json") return { kind: "record", number: n };
  const line = await csvRecordLine(path, n, rejectedLines);
  return line > 0 ? { kind: "line", number: line } : { kind: "record", number: n };
}
