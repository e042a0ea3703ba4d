import { closeSync, openSync, writeSync } from "node:fs";
import { SeqhuntError } from "../errors.js";
import { replaceAtomically } from "./atomic.js";

/** Output formats, chosen by the file's extension. */
export type OutputFormat = "jsonl" | "json" | "csv";

/** The output format of a path (`.jsonl`/`.ndjson`, `.json`, `.csv`). */
export function outputFormatOf(path: string): OutputFormat {
  const name = path.toLowerCase();
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return "jsonl";
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".csv")) return "csv";
  throw new SeqhuntError(`${path}: the output format comes from the extension: use .jsonl, .json or .csv`, {
    file: path,
  });
}

/**
 * A CSV cell that is safe to open in a spreadsheet: text beginning with = + - @ (or a tab or carriage
 * return) gets a leading apostrophe so it is never run as a formula; numbers are written as they are.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Marks a record whose field `key` was written as JSON text beforehand (`json`): the record holds 0 in its
 * place, and the text goes there as written. The keys before it hold no object (so the first `"key":0` of
 * the record's JSON is that field).
 */
export const PREPARED: unique symbol = Symbol("a field's JSON text made beforehand");

/** What {@link PREPARED} marks: the field and its JSON text. */
export interface PreparedField {
  readonly key: string;
  readonly json: string;
}

/** A record to write, perhaps with a field whose JSON text was made beforehand ({@link PREPARED}). */
export type OutputRecord = Record<string, unknown> & { [PREPARED]?: PreparedField };

/** JSON text where NaN and infinities become null (JSON has no such numbers); a prepared field as it was made. */
export function jsonLine(record: OutputRecord): string {
  // JSON.stringify itself writes non-finite numbers as null; a replacer function would cost a call per value.
  const text = JSON.stringify(record);
  const prepared = record[PREPARED];
  if (prepared === undefined) return text;
  const placeholder = `${JSON.stringify(prepared.key)}:0`;
  const at = text.indexOf(placeholder) + placeholder.length - 1;
  return text.slice(0, at) + prepared.json + text.slice(at + 1);
}

/** A record's value of `column` as its CSV cell takes it: a prepared field's JSON text. */
export const csvValueOf = (record: OutputRecord, column: string): unknown =>
  record[PREPARED]?.key === column ? record[PREPARED].json : record[column];

/** Writes records to a file in the format its extension names, atomically; CSV columns are `columns`, in order. */
export async function writeRecords(
  path: string,
  records: Iterable<OutputRecord>,
  columns: readonly string[],
): Promise<void> {
  const format = outputFormatOf(path);
  await replaceAtomically(path, async (temporary) => writeRecordsTo(temporary, format, records, columns));
}

/** Bytes a JavaScript string takes in UTF-8 at most: three per UTF-16 code unit. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * Text appended to an open file through one reused buffer, written when full: no string is joined and
 * none is queued (joining 1 MB pieces cost as much as making the JSON of hunt's --out).
 */
export class BufferedFile {
  readonly #fd: number;
  readonly #buffer: Buffer;
  #used = 0;

  /** Appends to the open file `fd` through a buffer of `size` bytes. */
  constructor(fd: number, size = 1 << 20) {
    this.#fd = fd;
    this.#buffer = Buffer.allocUnsafe(size);
  }

  /** Appends `text` (UTF-8). */
  add(text: string): void {
    const most = text.length * MAX_UTF8_BYTES_PER_UNIT;
    if (this.#used + most > this.#buffer.length) this.flush();
    if (most > this.#buffer.length) this.#writeAll(Buffer.from(text, "utf8"));
    else this.#used += this.#buffer.write(text, this.#used);
  }

  /** Writes what the buffer holds. */
  flush(): void {
    this.#writeAll(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }

  #writeAll(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; ) at += writeSync(this.#fd, bytes, at, bytes.length - at);
  }
}

function writeRecordsTo(
  path: string,
  format: OutputFormat,
  records: Iterable<OutputRecord>,
  columns: readonly string[],
): void {
  const fd = openSync(path, "w");
  try {
    const out = new BufferedFile(fd);
    if (format === "csv") {
      out.add(`${columns.map(csvCell).join(",")}\n`);
      for (const record of records)
        out.add(`${columns.map((c) => csvCell(csvValueOf(record, c))).join(",")}\n`);
    } else if (format === "jsonl") {
      for (const record of records) {
        out.add(jsonLine(record));
        out.add("\n");
      }
    } else {
      let first = true;
      out.add("[");
      for (const record of records) {
        out.add(first ? "\n" : ",\n");
        out.add(jsonLine(record));
        first = false;
      }
      out.add("\n]\n");
    }
    out.flush();
  } finally {
    closeSync(fd);
  }
}
