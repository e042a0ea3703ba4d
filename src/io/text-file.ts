import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createGunzip } from "node:zlib";

/** The bytes of a text input, decompressed when its name ends in .gz. */
function bytes(path: string): AsyncIterable<Buffer> {
  const raw = createReadStream(path);
  return (/\.(gz|gzip)$/i.test(path) ? raw.pipe(createGunzip()) : raw) as AsyncIterable<Buffer>;
}

const CR = 13;
const LF = 10;
const QUOTE = 34;

/** True when the file holds nothing but white space and a byte order mark: no header, no rows. */
export async function isBlankFile(path: string): Promise<boolean> {
  let first = true;
  for await (const chunk of bytes(path)) {
    let text = chunk.toString("utf8");
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    if (text.trim() !== "") return false;
  }
  return true;
}

/** How a file ends its lines, outside CSV quotes when `quoted`: `\r\n` and bare `\n` counts. */
export async function lineEndings(
  path: string,
  options: { quoted: boolean },
): Promise<{ crlf: number; lf: number }> {
  let crlf = 0;
  let lf = 0;
  let inQuotes = false;
  let previous = -1;
  for await (const chunk of bytes(path)) {
    for (const b of chunk) {
      if (options.quoted && b === QUOTE) inQuotes = !inQuotes;
      else if (b === LF && !inQuotes) {
        if (previous === CR) crlf++;
        else lf++;
      }
      previous = b;
    }
  }
  return { crlf, lf };
}

/**
 * Copies a text file with every line ending outside CSV quotes (when `quoted`) made `\n`: DuckDB's reader
 * stops at a file that mixes `\r\n` and `\n`. Values inside quotes keep their bytes; line numbers stay.
 */
export async function copyWithUnixLineEndings(
  path: string,
  dest: string,
  options: { quoted: boolean },
): Promise<void> {
  const out = createWriteStream(dest);
  let inQuotes = false;
  let heldCr = false;
  for await (const chunk of bytes(path)) {
    const kept: number[] = [];
    for (const b of chunk) {
      if (heldCr) {
        heldCr = false;
        if (b !== LF) kept.push(CR);
      }
      if (options.quoted && b === QUOTE) inQuotes = !inQuotes;
      if (b === CR && !inQuotes) {
        heldCr = true;
        continue;
      }
      kept.push(b);
    }
    if (!out.write(Buffer.from(kept))) await once(out, "drain");
  }
  if (heldCr) out.write(Buffer.from([CR]));
  out.end();
  await once(out, "finish");
}

/** The line (1-based, as an editor counts) at each byte offset of the (decompressed) file. */
export async function linesAtBytes(path: string, offsets: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const found = new Map<number, number>();
  let line = 1;
  let position = 0;
  let next = 0;
  for await (const chunk of bytes(path)) {
    for (const b of chunk) {
      while (next < wanted.length && (wanted[next] as number) <= position)
        found.set(wanted[next++] as number, line);
      if (next === wanted.length) return found;
      if (b === LF) line++;
      position++;
    }
  }
  while (next < wanted.length) found.set(wanted[next++] as number, line);
  return found;
}

/** The text of one line (1-based), cut to `max` characters; null past the end of the file. */
export async function lineText(path: string, line: number, max: number): Promise<string | null> {
  let current = 1;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of bytes(path)) {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== LF) continue;
      if (current === line) {
        parts.push(chunk.subarray(from, i));
        return Buffer.concat(parts).toString("utf8").replace(/\r$/, "").slice(0, max);
      }
      current++;
      from = i + 1;
    }
    // Past the wanted line's first `max * 4` bytes (UTF-8) the rest is not needed.
    if (current === line && size < max * 4) {
      parts.push(chunk.subarray(from));
      size += chunk.length - from;
    }
  }
  return current === line ? Buffer.concat(parts).toString("utf8").slice(0, max) : null;
}

/** The first record of a CSV file (up to the first line end outside quotes), without a byte order mark. */
export async function firstRecord(path: string, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  let inQuotes = false;
  for await (const chunk of bytes(path)) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === QUOTE) inQuotes = !inQuotes;
      else if (b === LF && !inQuotes) {
        parts.push(chunk.subarray(0, i));
        return Buffer.concat(parts)
          .toString("utf8")
          .replace(/^\uFEFF/, "")
          .replace(/\r$/, "");
      }
    }
    parts.push(chunk);
    size += chunk.length;
    if (size > max) break;
  }
  return Buffer.concat(parts)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .replace(/\r$/, "");
}

/** The line (1-based) where the CSV quote still open at the end of the file opened; null when none is. */
export async function openQuoteAtEnd(path: string): Promise<number | null> {
  let line = 1;
  let opened = 0;
  let inQuotes = false;
  for await (const chunk of bytes(path)) {
    for (const b of chunk) {
      if (b === QUOTE) {
        inQuotes = !inQuotes;
        if (inQuotes) opened = line;
      } else if (b === LF) line++;
    }
  }
  return inQuotes ? opened : null;
}
