import { once } from "node:events";
import { createWriteStream } from "node:fs";
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

/** JSON text where NaN and infinities become null (JSON has no such numbers). */
export function jsonLine(record: unknown): string {
  // JSON.stringify itself writes non-finite numbers as null; a replacer function would cost a call per value.
  return JSON.stringify(record);
}

/** Writes records to a file in the format its extension names, atomically; CSV columns are `columns`, in order. */
export async function writeRecords(
  path: string,
  records: Iterable<Record<string, unknown>>,
  columns: readonly string[],
): Promise<void> {
  const format = outputFormatOf(path);
  await replaceAtomically(path, (temporary) => writeRecordsTo(temporary, format, records, columns));
}

async function writeRecordsTo(
  path: string,
  format: OutputFormat,
  records: Iterable<Record<string, unknown>>,
  columns: readonly string[],
): Promise<void> {
  const out = createWriteStream(path);
  const failed = once(out, "error").then(([err]) => {
    throw err;
  });
  failed.catch(() => null); // raced below; never left unhandled
  // Lines are gathered into ~1 MB pieces: one write per line would dominate the cost.
  let pending: string[] = [];
  let pendingSize = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    pendingSize = 0;
    if (!out.write(text)) await Promise.race([once(out, "drain"), failed]);
  };
  // Adding a line is synchronous (no promise per record); only a full piece waits for the file.
  const add = (text: string): boolean => {
    pending.push(text);
    pendingSize += text.length;
    return pendingSize >= 1 << 20;
  };
  const line =
    format === "csv"
      ? (record: Record<string, unknown>) => `${columns.map((c) => csvCell(record[c])).join(",")}\n`
      : format === "jsonl"
        ? (record: Record<string, unknown>) => `${jsonLine(record)}\n`
        : (record: Record<string, unknown>, first: boolean) => `${first ? "\n" : ",\n"}${jsonLine(record)}`;
  try {
    if (format === "csv") add(`${columns.map(csvCell).join(",")}\n`);
    if (format === "json") add("[");
    let first = true;
    for (const record of records) {
      if (add(line(record, first))) await flush();
      first = false;
    }
    if (format === "json") add("\n]\n");
    await flush();
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  } catch (err) {
    out.destroy();
    throw err;
  }
}
