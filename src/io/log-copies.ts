import { closeSync, createReadStream, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip, gunzipSync } from "node:zlib";
import { SeqhuntError } from "../errors.js";
import { AUDIT_FIELDS, auditSyscall } from "../parse/audit.js";
import { HISTORY_FIELDS, historyEntries, historyShell, unmetafy } from "../parse/history.js";
import { formatOf, type InputFormat } from "./formats.js";
import { BufferedFile } from "./write.js";

const gzipped = (path: string) => /\.(gz|gzip)$/i.test(path);

/** The error for a file that cannot be read (missing, unreadable, a broken gzip stream). */
const unreadable = (path: string, err: unknown) =>
  err instanceof SeqhuntError
    ? err
    : new SeqhuntError(`${path}: cannot read it: ${(err as Error).message}`, { file: path });

/** A history file's text: decompressed, and for zsh its metafied bytes undone before decoding UTF-8. */
function historyText(path: string): string {
  let bytes: Uint8Array;
  try {
    const raw = readFileSync(path);
    bytes = gzipped(path) ? gunzipSync(raw) : raw;
  } catch (err) {
    throw unreadable(path, err);
  }
  // The shell is told from ASCII markers, so reading the bytes as Latin-1 is enough to tell it.
  const head = Buffer.from(bytes.subarray(0, 64 * 1024))
    .toString("latin1")
    .split("\n");
  const plain = historyShell(head) === "zsh" ? unmetafy(bytes) : bytes;
  return new TextDecoder("utf-8").decode(plain);
}

/** A shell history's copy: `{file, line, time, command_line}` per command (epoch seconds or null). */
async function copyHistory(path: string, copy: string): Promise<void> {
  const lines = historyEntries(historyText(path)).map((e) =>
    JSON.stringify({
      [HISTORY_FIELDS.file]: path,
      [HISTORY_FIELDS.line]: e.line,
      [HISTORY_FIELDS.time]: e.time,
      [HISTORY_FIELDS.commandLine]: e.command,
    }),
  );
  writeFileSync(copy, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
}

/**
 * A Linux audit log's copy: `{file, line, time, host, pid, syscall, params}` per system call, line by line
 * (an audit log can be larger than a string may be).
 */
async function copyAudit(path: string, copy: string): Promise<void> {
  const fd = openSync(copy, "w");
  const input = createReadStream(path);
  try {
    const text = gzipped(path) ? input.pipe(createGunzip()) : input;
    // readline does not pass on its input's errors (a missing file, a broken gzip stream): they end the read.
    const failed = new Promise<never>((_, reject) => {
      input.on("error", reject);
      text.on("error", reject);
    });
    const reading = writeAuditRecords(createInterface({ input: text, crlfDelay: Infinity }), path, fd);
    reading.catch(() => undefined);
    await Promise.race([reading, failed]);
  } catch (err) {
    throw unreadable(path, err);
  } finally {
    // A bad line ends the read before the file does.
    input.destroy();
    closeSync(fd);
  }
}

/** Each line's system call as a record of the copy open at `fd`, its JSON written out field by field. */
async function writeAuditRecords(lines: AsyncIterable<string>, path: string, fd: number): Promise<void> {
  const out = new BufferedFile(fd);
  const F = AUDIT_FIELDS;
  const file = `{"${F.file}":${JSON.stringify(path)},"${F.line}":`;
  let number = 0;
  for await (const line of lines) {
    const call = auditSyscall(line, ++number, path);
    if (call === null) continue;
    let params = "";
    for (const [name, value] of Object.entries(call.params))
      params += `${params === "" ? "" : ","}${JSON.stringify(name)}:${JSON.stringify(value)}`;
    out.add(
      `${file}${call.line},"${F.time}":${call.time},"${F.host}":${call.host === null ? "null" : JSON.stringify(call.host)},"${F.pid}":${JSON.stringify(call.pid)},"${F.syscall}":${JSON.stringify(call.syscall)},"${F.params}":{${params}}}\n`,
    );
  }
  out.flush();
}

/** The text logs read here into records, by format: every record keeps the line it starts on. */
const PARSED: Partial<Record<InputFormat, (path: string, copy: string) => Promise<void>>> = {
  history: copyHistory,
  audit: copyAudit,
};

/** Whether files of `format` are text logs parsed here, read from their copies (numbered by their own lines). */
export function parsedHere(format: InputFormat): boolean {
  return PARSED[format] !== undefined;
}

/**
 * Copies of the text logs among `files` that are parsed here (shell histories, Linux audit logs) as JSON
 * Lines in `folder`, one record per command or system call, each with the line it starts on. Key: the file
 * as given; empty when no file is such a log.
 */
export async function parsedCopies(
  files: readonly string[],
  folder: () => string,
): Promise<Map<string, string>> {
  const copies = new Map<string, string>();
  for (const [i, f] of files.entries()) {
    const copy = PARSED[formatOf(f)];
    if (copy === undefined) continue;
    const path = join(folder(), `parsed-${i}.jsonl`);
    await copy(f, path);
    copies.set(f, path);
  }
  return copies;
}
