import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SeqhuntError } from "../errors.js";
import { AUDIT_FIELDS, auditSyscalls } from "../parse/audit.js";
import { HISTORY_FIELDS, historyEntries, historyShell, unmetafy } from "../parse/history.js";
import { formatOf, type InputFormat } from "./formats.js";

/** A file's bytes, decompressed when its name ends in .gz. */
function fileBytes(path: string): Uint8Array {
  try {
    const raw = readFileSync(path);
    return /\.(gz|gzip)$/i.test(path) ? gunzipSync(raw) : raw;
  } catch (err) {
    throw new SeqhuntError(`${path}: cannot read it: ${(err as Error).message}`, { file: path });
  }
}

/** A history file's text: for zsh its metafied bytes undone before decoding UTF-8. */
function historyText(path: string): string {
  const bytes = fileBytes(path);
  // The shell is told from ASCII markers, so reading the bytes as Latin-1 is enough to tell it.
  const head = Buffer.from(bytes.subarray(0, 64 * 1024))
    .toString("latin1")
    .split("\n");
  const plain = historyShell(head) === "zsh" ? unmetafy(bytes) : bytes;
  return new TextDecoder("utf-8").decode(plain);
}

/** A shell history's records: `{file, line, time, command_line}` (epoch seconds or null). */
function historyRecords(path: string): object[] {
  return historyEntries(historyText(path)).map((e) => ({
    [HISTORY_FIELDS.file]: path,
    [HISTORY_FIELDS.line]: e.line,
    [HISTORY_FIELDS.time]: e.time,
    [HISTORY_FIELDS.commandLine]: e.command,
  }));
}

/** A Linux audit log's records, one per system call: `{file, line, time, host, pid, syscall, params}`. */
function auditRecords(path: string): object[] {
  return auditSyscalls(new TextDecoder("utf-8").decode(fileBytes(path)), path).map((c) => ({
    [AUDIT_FIELDS.file]: path,
    [AUDIT_FIELDS.line]: c.line,
    [AUDIT_FIELDS.time]: c.time,
    [AUDIT_FIELDS.host]: c.host,
    [AUDIT_FIELDS.pid]: c.pid,
    [AUDIT_FIELDS.syscall]: c.syscall,
    [AUDIT_FIELDS.params]: c.params,
  }));
}

/** The text logs read here into records, by format: every record keeps the line it starts on. */
const PARSED: Partial<Record<InputFormat, (path: string) => object[]>> = {
  history: historyRecords,
  audit: auditRecords,
};

/**
 * Copies of the text logs among `files` that are parsed here (shell histories, Linux audit logs) as JSON
 * Lines in `folder`, one record per command or system call, each with the line it starts on. Key: the file
 * as given; empty when no file is such a log.
 */
export function parsedCopies(files: readonly string[], folder: () => string): Map<string, string> {
  const copies = new Map<string, string>();
  for (const [i, f] of files.entries()) {
    const records = PARSED[formatOf(f)];
    if (records === undefined) continue;
    const lines = records(f).map((r) => JSON.stringify(r));
    const copy = join(folder(), `parsed-${i}.jsonl`);
    writeFileSync(copy, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
    copies.set(f, copy);
  }
  return copies;
}
