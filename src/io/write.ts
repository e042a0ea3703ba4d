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
  return JSON.stringify(record, (_key, value) =>
    typeof value === "number" && !Number.isFinite(value) ? null : value,
  );
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
  const write = async (text: string) => {
    pending.push(text);
    pendingSize += text.length;
    if (pendingSize >= 1 << 20) await flush();
  };
  try {
    if (format === "csv") await write(`${columns.map(csvCell).join(",")}\n`);
    if (format === "json") await write("[");
    let first = true;
    for (const record of records) {
      if (format === "csv") await write(`${columns.map((c) => csvCell(record[c])).join(",")}\n`);
      else if (format === "jsonl") await write(`${jsonLine(record)}\n`);
      else {
        await write(`${first ? "\n" : ",\n"}${jsonLine(record)}`);
        first = false;
      }
    }
    if (format === "json") await write("\n]\n");
    await flush();
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  } catch (err) {
    out.destroy();
    throw err;
  }
}
