// Progress goes to stderr on a terminal only: rows read, rows/s and ETA; never when piped or with --quiet.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { DEMO_CSV } from "../helpers/shared.js";

const demo = DEMO_CSV;

/** Runs the CLI under a pseudo-terminal (util-linux `script`), returning everything the terminal showed. */
function onTerminal(args: string[]): string {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe("progress", () => {
  it("shows rows read of the total, rows/s and ETA on a terminal", async () => {
    const screen = onTerminal(["hunt", demo, "--user", "UserId,ClientIP", "--top", "1"]);
    expect(screen).toMatch(/reading .* 1334\/1334 rows \| \d+ rows\/s \| ETA/);
  });

  it("stays silent on a terminal with --quiet, and when stderr is not a terminal", async () => {
    expect(onTerminal(["hunt", demo, "--user", "UserId,ClientIP", "--quiet"])).not.toContain("reading");
    expect((await runCli(["hunt", demo, "--user", "UserId,ClientIP", "--top", "1"])).stderr).not.toContain(
      "reading",
    );
  });
});
