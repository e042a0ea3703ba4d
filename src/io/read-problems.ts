import { join } from "node:path";
import { SeqhuntError } from "../errors.js";
import { formatOf } from "./formats.js";
import { parsedHere } from "./log-copies.js";
import { copyWithUnixLineEndings, isBlankFile, lineEndings, lineText, openQuoteAtEnd } from "./text-file.js";

/** Characters of a bad line shown in a message. */
const SHOWN = 80;

/** Throws "the file is empty" when it is; returns when the file has content (the caller then says what is missing). */
export async function emptyFileError(readFrom: string, path = readFrom): Promise<void> {
  if (await isBlankFile(readFrom))
    throw new SeqhuntError(
      `${path}: the file is empty; check that the export finished and the right file is given`,
      { file: path },
    );
}

/** Throws for a JSON Lines file none of whose first lines is a JSON object: empty, or the first such line's problem. */
export async function noJsonObjectError(path: string, readFrom: string): Promise<never> {
  await emptyFileError(readFrom, path);
  for (let line = 1; ; line++) {
    const text = await lineText(readFrom, line, 10);
    if (text === null) break;
    if (text.trim() === "") continue;
    throw new SeqhuntError(
      `${path}:${line}: not JSON Lines: ${await badJsonLine(readFrom, line)}; each line must be one JSON object`,
      { file: path, line },
    );
  }
  throw new SeqhuntError(`${path}: no line is a JSON object`, { file: path });
}

/** What is wrong with a line that is not JSON: the parser's complaint and how the line starts. */
export async function badJsonLine(path: string, line: number): Promise<string> {
  const text = await lineText(path, line, 100_000);
  if (text === null) return "bad JSON";
  let problem = "not a JSON object";
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return "bad JSON";
  } catch (err) {
    problem = (err as Error).message.replace(/^JSON\.parse: /, "");
  }
  const start = text.length > SHOWN ? `${text.slice(0, SHOWN)}...` : text;
  return `bad JSON (${problem}); the line starts ${JSON.stringify(start)}`;
}

/**
 * Copies of the CSV, TSV and JSON Lines files that mix `\r\n` and `\n` line endings, made with `\n` only
 * in `folder` (DuckDB stops at such files); null when no file mixes them. Key: the file as given.
 */
export async function withUnixLineEndings(
  files: readonly string[],
  folder: string,
): Promise<Map<string, string> | null> {
  const copies = new Map<string, string>();
  for (const [i, f] of files.entries()) {
    const format = formatOf(f);
    // Parsed logs are read from copies written with \n.
    if (format === "json" || format === "parquet" || parsedHere(format)) continue;
    // Outside quotes first (values keep their \r\n); a stray quote hides line ends, so then everywhere.
    for (const quoted of format === "jsonl" ? [false] : [true, false]) {
      const endings = await lineEndings(f, { quoted });
      if (endings.crlf === 0 || endings.lf === 0) continue;
      const copy = join(folder, `lines-${i}.${format}`);
      await copyWithUnixLineEndings(f, copy, { quoted });
      copies.set(f, copy);
      break;
    }
  }
  return copies.size === 0 ? null : copies;
}

/** The error for a CSV file whose last quote never closes, at the line it opens; null when every quote closes. */
export async function unclosedQuoteError(path: string, readFrom: string): Promise<SeqhuntError | null> {
  const line = await openQuoteAtEnd(readFrom);
  if (line === null) return null;
  return new SeqhuntError(
    `${path}:${line}: a quote opens on this line and never closes, so the rest of the file would read as one value: close the quote, or double a quote that is part of a value ("")`,
    { file: path, line },
  );
}
