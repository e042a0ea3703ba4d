// Two ways to run the CLI in a test. Prefer runCli: it calls the CLI's own run(argv, io) in the test's
// process (no build, no spawn, ~1 s less per call). Use seqhunt (the built binary, spawned) only where the
// process itself is under test: the bin file, exit codes set by Node, npx. Those tests live in test/e2e/.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/main.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The built CLI entry point. */
export const BIN = join(ROOT, "dist", "cli", "main.js");

/** What one CLI run gave: its exit code and what it printed, each line ended by a newline as on a terminal. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of a CLI run in the test's process. */
export interface RunCliOptions {
  /** Environment variables set for the run only (restored afterwards). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs `seqhunt <argv>` in the test's process through the CLI's run(argv, io), as the binary would
 * (relative paths are read from the repository root, vitest's working folder). Example:
 * `const r = await runCli(["hunt", csv, "--quiet", "--out", out]); expect(r.code).toBe(0);`
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const restore = setEnv(options.env ?? {});
  try {
    const code = await run(argv, {
      out: (text) => {
        stdout += `${text}\n`;
      },
      err: (text) => {
        stderr += `${text}\n`;
      },
    });
    return { code, stdout, stderr };
  } finally {
    restore();
  }
}

function setEnv(vars: Readonly<Record<string, string>>): () => void {
  const before = new Map(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Runs `seqhunt <args> --quiet --out out` in process, expects it to succeed silently, and returns out's JSONL records. */
export async function runCliRecords<T = unknown>(args: readonly string[], out: string): Promise<T[]> {
  const r = await runCli([...args, "--quiet", "--out", out]);
  if (r.code !== 0 || r.stderr !== "")
    throw new Error(`seqhunt ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as T);
}

/**
 * Runs `seqhunt hunt <args> --quiet --out <a new file in dir>` in process; returns its exit code, stderr
 * and the sessions written, in rank order (none when it failed).
 */
export async function huntSessions(dir: string, args: readonly string[]) {
  const out = join(dir, `scores-${Math.random().toString(36).slice(2)}.jsonl`);
  const r = await runCli(["hunt", ...args, "--quiet", "--out", out]);
  const sessions =
    r.code === 0
      ? readFileSync(out, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  return { ...r, sessions };
}

/** Spawns the built binary (test/e2e only: the e2e global setup builds it); returns its exit code and output. */
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
