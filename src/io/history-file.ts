import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SeqhuntError } from "../errors.js";
import { HISTORY_FIELDS, historyEntries, historyShell, unmetafy } from "../parse/history.js";
import { formatOf } from "./formats.js";

/** A history file's text: decompressed, and for zsh its metafied bytes undone before decoding UTF-8. */
function historyText(path: string): string {
  let bytes: Uint8Array;
  try {
    const raw = readFileSync(path);
    bytes = /\.(gz|gzip)$/i.test(path) ? gunzipSync(raw) : raw;
  } catch (err) {
    throw new SeqhuntError(`${path}: cannot read it: ${(err as Error).message}`, { file: path });
  }
  // The shell is told from ASCII markers, so reading the bytes as Latin-1 is enough to tell it.
  const head = Buffer.from(bytes.subarray(0, 64 * 1024))
    .toString("latin1")
    .split("\n");
  const plain = historyShell(head) === "zsh" ? unmetafy(bytes) : bytes;
  return new TextDecoder("utf-8").decode(plain);
}

/**
 * Copies of the shell history files among `files` as JSON Lines in `folder`, one record per command:
 * `{file, line, time, command_line}` (the file as given, the line the command starts on, epoch seconds or
 * null). Key: the file as given; empty when no file is a shell history.
 */
export function historyCopies(files: readonly string[], folder: () => string): Map<string, string> {
  const copies = new Map<string, string>();
  for (const [i, f] of files.entries()) {
    if (formatOf(f) !== "history") continue;
    const lines = historyEntries(historyText(f)).map((e) =>
      JSON.stringify({
        [HISTORY_FIELDS.file]: f,
        [HISTORY_FIELDS.line]: e.line,
        [HISTORY_FIELDS.time]: e.time,
        [HISTORY_FIELDS.commandLine]: e.command,
      }),
    );
    const copy = join(folder(), `history-${i}.jsonl`);
    writeFileSync(copy, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
    copies.set(f, copy);
  }
  return copies;
}
