import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { SeqhuntError } from "../errors.js";

const REASONS: Record<string, string> = {
  ENOENT: "the folder does not exist",
  ENOTDIR: "a part of the path is not a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a folder",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EROFS: "the file system is read-only",
};

/** "PATH: cannot write: why", from a file system error, in words. */
export function cannotWrite(path: string, err: unknown): SeqhuntError {
  if (err instanceof SeqhuntError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const why = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
  return new SeqhuntError(`${path}: cannot write: ${why}${code && REASONS[code] ? ` (${code})` : ""}`, {
    file: path,
  });
}

/** A temporary name beside `path` (same folder, so the final rename is atomic), hidden and unique. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Writes `path` all at once or not at all: `write` fills a temporary file beside it, which then replaces
 * `path` by a rename. When `write` fails the temporary file is removed and `path` is left as it was.
 */
export async function replaceAtomically(
  path: string,
  write: (temporary: string) => Promise<void>,
): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    await write(temporary);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw cannotWrite(path, err);
  }
}

/** Writes a whole text file atomically (see replaceAtomically). */
export function writeTextAtomically(path: string, text: string): void {
  const temporary = temporaryPathFor(path);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw cannotWrite(path, err);
  }
}
