import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";

/** Runs the CLI in process (runCli); stdout and stderr without their last newline, as out and err. */
export async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(argv);
  return { code: r.code, out: r.stdout.replace(/\n$/, ""), err: r.stderr.replace(/\n$/, "") };
}

/** A fresh folder for one test file's inputs and outputs. */
export function folder(): string {
  return mkdtempSync(join(tmpdir(), "seqhunt-errors-"));
}

/** Writes `text` (exact bytes, line endings included) to `name` in `dir`; returns the path. */
export function put(dir: string, name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `n` CSV rows of user, time and event, a session of three users, one event every ten seconds. */
export function csvRows(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `u${i % 3},2026-01-01T00:${String(Math.floor(i / 6)).padStart(2, "0")}:${String((i % 6) * 10).padStart(2, "0")}Z,Op${i % 4}`,
  );
}

/** The same rows as JSON Lines. */
export function jsonlRows(n: number): string[] {
  return csvRows(n).map((r) => {
    const [UserId, TimeGenerated, Operation] = r.split(",");
    return JSON.stringify({ UserId, TimeGenerated, Operation });
  });
}

/** The column options for rows of csvRows and jsonlRows. */
export const COLUMNS = ["--user", "UserId", "--time", "TimeGenerated", "--event", "Operation"];
export const HEADER = "UserId,TimeGenerated,Operation";
