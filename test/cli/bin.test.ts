// The quick start runs `npx seqhunt`: the built CLI must be an executable file that npx can start.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";

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
    const run = spawnSync("npx", ["--no-install", "seqhunt", "--version"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(pkg.version);
    expect(run.status).toBe(0);
  });
});
