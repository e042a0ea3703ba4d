// The built binary as a user starts it: an executable file that npx can run, the quick start's
// `npx seqhunt demo`, and exit codes as the shell sees them. Everything else runs in process (runCli).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seqhunt, tempDir } from "../helpers/cli.js";

const npx = (args: string[], cwd?: string) =>
  spawnSync("npx", ["--no-install", "seqhunt", ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
  });

describe("the seqhunt command", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
    version: string;
    bin: { seqhunt: string };
  };

  it("is an executable file after a build from nothing", () => {
    expect(statSync(pkg.bin.seqhunt).mode & 0o111).not.toBe(0);
    expect(readFileSync(pkg.bin.seqhunt, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("runs through npx, as the quick start does", () => {
    const run = npx(["--version"]);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(pkg.version);
    expect(run.status).toBe(0);
  });

  it("runs the quick start's `npx seqhunt demo`", () => {
    const out = join(tempDir(), "demo");
    const run = npx(["demo", "--out", out]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/rank \d+: /);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    expect(existsSync(join(out, "scores.jsonl"))).toBe(true);
  });

  it("exits 0 on success, 1 on bad input, 2 on a usage error, saying why on stderr", () => {
    expect(seqhunt(["--help"]).code).toBe(0);
    const missing = seqhunt(["hunt", join(tempDir(), "nope.csv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.csv");
    expect(missing.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const usage = seqhunt(["hunt", "x.csv", "--bogus"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown option '--bogus'");
  });

  it("ends quietly with exit 0 when the reader of its output stops early (`| head`)", () => {
    const dir = tempDir();
    expect(seqhunt(["demo", "--out", dir, "--quiet"]).code).toBe(0);
    // Thousands of sessions on stdout: far more than a pipe holds once head has gone.
    const run = spawnSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" dist/cli/main.js sessionize "${join(dir, "exchange_admin_log.csv")}" | head -1; exit \${PIPESTATUS[0]}`,
      ],
      { encoding: "utf8" },
    );
    expect(run.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(run.stderr).not.toContain("error");
    expect(run.status).toBe(0);
  });
});
