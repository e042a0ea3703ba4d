import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The built CLI entry point. */
export const BIN = join(ROOT, "dist", "cli", "main.js");

/** Runs the built binary; returns its exit code and output. */
export function seqhunt(
  args: string[],
  cwd = ROOT,
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "seqhunt-test-"));
}

/** Runs the built binary with `--quiet --out out`, expects it to succeed silently, and returns out's JSONL records. */
export function seqhuntRecords<T = unknown>(args: string[], out: string): T[] {
  const r = seqhunt([...args, "--quiet", "--out", out]);
  if (r.code !== 0 || r.stderr !== "")
    throw new Error(`seqhunt ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as T);
}
