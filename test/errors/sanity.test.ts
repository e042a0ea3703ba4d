// Results that are surely wrong come with a warning on stderr and in the report header.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SanityCheck } from "../../src/cli/sanity.js";
import { COLUMNS, cli, folder, put } from "./helpers.js";

const dir = folder();
const at = (i: number) =>
  `2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}Z`;

describe("sanity warnings", () => {
  it("an identity column with IP:port: named, with the --user to use instead, also in the report", async () => {
    const rows = Array.from(
      { length: 200 },
      (_, i) => `u${i % 3},10.0.0.${i % 4}:${40000 + i},${at(i)},Op${i % 3}`,
    );
    const path = put(dir, "ipport.csv", `UserId,ClientIP,TimeGenerated,Operation\n${rows.join("\n")}\n`);
    const report = join(dir, "ipport.html");
    const r = await cli([
      "hunt",
      path,
      ...COLUMNS,
      "--user",
      "UserId,ClientIP",
      "--report",
      report,
      "--quiet",
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      'seqhunt: warning: identity column "ClientIP" takes 200 different values in 200 rows (values like "10.0.0.0:40000" carry a port',
    );
    expect(r.err).toContain("leave it out of --user (--user UserId)");
    expect(r.err).toContain("seqhunt: warning: 200 of 200 sessions (100%) have one event");
    expect(r.err).not.toContain('identity column "UserId"');
    expect(readFileSync(report, "utf8")).toContain('"warnings":["identity column \\"ClientIP\\" takes 200');
  });

  it("times all within one second", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `u${i % 4},1700000000,Op${i % 3}`);
    const r = await cli([
      "sessionize",
      put(dir, "second.csv", `UserId,TimeGenerated,Operation\n${rows.join("\n")}\n`),
      ...COLUMNS,
    ]);
    expect(r.err).toContain("seqhunt: warning: every time falls within one second");
  });

  it("times spanning centuries", async () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) =>
        `u${i % 4},${i === 0 ? "1826-09-01T00:00:00Z" : new Date(1.7e12 + i * 1e4).toISOString()},Op${i % 3}`,
    );
    const r = await cli([
      "sessionize",
      put(dir, "ages.csv", `UserId,TimeGenerated,Operation\n${rows.join("\n")}\n`),
      ...COLUMNS,
    ]);
    expect(r.err).toMatch(/seqhunt: warning: times span \d+ years/);
  });

  it("nothing to say about ordinary sessions", () => {
    const check = new SanityCheck(["UserId"]);
    for (let i = 0; i < 50; i++)
      check.add({ identity: [`u${i % 5}`], start: i * 6e7, end: i * 6e7 + 3e7, commands: ["a", "b", "c"] });
    expect(check.warnings()).toEqual([]);
  });
});

describe("--params without --param-mode", () => {
  it("means --param-mode values, and says so", async () => {
    const rows = Array.from(
      { length: 12 },
      (_, i) => `u${i % 2},${at(i)},Set-Mailbox,"[{""Name"":""Identity"",""Value"":""box${i}""}]"`,
    );
    const path = put(dir, "params.csv", `UserId,TimeGenerated,Operation,Parameters\n${rows.join("\n")}\n`);
    const r = await cli(["sessionize", path, ...COLUMNS, "--params", "Parameters"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      "seqhunt: warning: --params Parameters without --param-mode: using --param-mode values",
    );
    expect(r.out).toContain('"Identity":"box0"');
  });
});
