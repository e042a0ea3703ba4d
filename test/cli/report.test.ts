// seqhunt report: the HTML report of a scores file equals the one hunt --report writes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReportData } from "../../src/report/types.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { DEMO_CSV } from "../helpers/shared.js";

const embedded = (path: string) => {
  const html = readFileSync(path, "utf8");
  const json =
    html.split('<script type="application/json" id="seqhunt-data">')[1]?.split("</script>")[0] ?? "";
  return (JSON.parse(json) as { data: ReportData }).data;
};

describe("seqhunt report", () => {
  const dir = tempDir();
  const demo = DEMO_CSV;
  const cols = [
    "--user",
    "UserId,ClientIP",
    "--params",
    "Parameters",
    "--param-mode",
    "values",
    "--window",
    "2",
  ];

  it("rebuilds from a scores file the report hunt writes (sessions, ranks, rarity, steps)", async () => {
    const scores = join(dir, "scores.jsonl");
    const direct = join(dir, "direct.html");
    expect((await runCli(["hunt", demo, ...cols, "--quiet", "--out", scores, "--report", direct])).code).toBe(
      0,
    );
    const rebuilt = join(dir, "rebuilt.html");
    const r = await runCli(["report", scores, "--out", rebuilt]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote the report of 400 sessions to ${rebuilt}`);
    const a = embedded(direct);
    const b = embedded(rebuilt);
    expect(b.window).toBe(2);
    expect(b.identityColumns).toEqual(["UserId", "ClientIP"]);
    expect(b.sessions.map((s) => [s.rank, s.identity, s.start, s.rarity, s.steps])).toEqual(
      a.sessions.map((s) => [s.rank, s.identity, s.start, s.rarity, s.steps]),
    );
  });

  it("names a scores file that cannot be read", async () => {
    const r = await runCli(["report", join(dir, "missing.jsonl"), "--out", join(dir, "m.html")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.jsonl: cannot read: ENOENT/);
  });

  it("refuses a file that is not scores", async () => {
    const notScores = join(dir, "x.jsonl");
    writeFileSync(notScores, '{"a": 1}\n');
    const r = await runCli(["report", notScores, "--out", join(dir, "x.html")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a seqhunt scores file (no "session" and "start" fields)');
  });
});
