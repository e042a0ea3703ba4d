// Every command end to end through the built binary.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_METHOD } from "../../src/detect/registry.js";
import { Model } from "../../src/index.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { DEMO_CSV, fixturePath } from "../helpers/shared.js";

const dir = tempDir();
const demo = DEMO_CSV;
const cols = ["--user", "UserId,ClientIP", "--time", "TimeGenerated", "--event", "Operation"];
const readJsonl = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("train then score", () => {
  it("scores exactly like hunt on the training data", async () => {
    const model = join(dir, "model.json");
    expect(
      (
        await runCli([
          "train",
          demo,
          ...cols,
          "--params",
          "Parameters",
          "--param-mode",
          "values",
          "--out",
          model,
          "--quiet",
        ])
      ).code,
    ).toBe(0);
    const loaded = Model.fromJSON(JSON.parse(readFileSync(model, "utf8")));
    expect(loaded.sessionType).toBe("cmds_params_values");
    const scored = join(dir, "scored.jsonl");
    const hunted = join(dir, "hunted.jsonl");
    const common = [demo, ...cols, "--params", "Parameters", "--param-mode", "values", "--quiet"];
    expect((await runCli(["score", ...common, "--model", model, "--out", scored])).code).toBe(0);
    expect((await runCli(["hunt", ...common, "--out", hunted])).code).toBe(0);
    expect(readJsonl(scored)).toEqual(readJsonl(hunted));
  });

  it("refuses a model of another session type", async () => {
    const model = join(dir, "plain.json");
    expect((await runCli(["train", demo, ...cols, "--out", model, "--quiet"])).code).toBe(0);
    const r = await runCli([
      "score",
      demo,
      ...cols,
      "--params",
      "Parameters",
      "--param-mode",
      "names",
      "--model",
      model,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("trained on cmds_only sessions but these are cmds_params_only");
  });
});

describe("hunt output", () => {
  it("writes every field of the contract, ranked", async () => {
    const out = join(dir, "all.jsonl");
    expect((await runCli(["hunt", demo, ...cols, "--quiet", "--out", out])).code).toBe(0);
    const rows = readJsonl(out);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "UserId",
      "ClientIP",
      "start",
      "end",
      "length",
      "session",
      "rarestWindow",
      "rarestWindowStart",
      "rarestWindowLikelihood",
      "rarestWindowLogLikelihood",
      "likelihood",
      "logLikelihood",
      "rank",
      "score",
      "percentile",
      "method",
      "reason",
    ]);
    // Ranked by the default detector's score; the reference's fields stay beside it.
    const scores = rows.map((r) => r.score as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(rows.every((r) => r.method === DEFAULT_METHOD)).toBe(true);
    expect(rows.every((r) => (r.percentile as number) >= 0 && (r.percentile as number) <= 1)).toBe(true);
    expect(rows.some((r) => r.rarestWindowLogLikelihood !== null)).toBe(true);
    expect(rows.map((r) => r.reason).join("\n")).not.toMatch(/##(START|END|UNK)##/);
    expect(rows[0]?.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("prints the top N with identity, start, length, the ranking method's score, percentile and reason", async () => {
    const r = await runCli(["hunt", demo, ...cols, "--top", "3"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `│ rank +│ UserId +│ ClientIP +│ start +│ length +│ ${DEFAULT_METHOD} score +│ percentile +│ reason`,
      ),
    );
    expect(r.stdout).not.toMatch(/##(START|END|UNK)##/);
    expect(r.stdout.match(/^│ [123] /gm)).toHaveLength(3);
    expect(r.stderr).toContain("read 1334 rows: used 1334, skipped 0");
  });

  it("changes the numbers with --no-tokens, --geo-mean and --window", async () => {
    const run = async (extra: string[]) => {
      const out = join(dir, `opt${extra.join("")}.jsonl`);
      expect((await runCli(["hunt", demo, ...cols, "--quiet", "--out", out, ...extra])).code).toBe(0);
      return readJsonl(out).map((r) => r.rarestWindowLikelihood);
    };
    const base = await run([]);
    for (const extra of [["--no-tokens"], ["--geo-mean"], ["--window", "2"]])
      expect(await run(extra)).not.toEqual(base);
  });

  it("writes CSV that a spreadsheet cannot run as a formula", async () => {
    const path = join(dir, "evil.csv");
    writeFileSync(
      path,
      [
        "UserId,TimeGenerated,Operation",
        '=HYPERLINK("http://x"),2026-01-01T00:00:00Z,@SUM(A1)',
        "+1,2026-01-01T00:00:10Z,-cmd",
      ].join("\n"),
    );
    const out = join(dir, "evil-out.csv");
    expect((await runCli(["hunt", path, "--user", "UserId", "--quiet", "--out", out])).code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text).toContain("'+1,");
    expect(text).not.toMatch(/(^|,)[=+@]/m);
  });

  it("writes a JSON array with .json", async () => {
    const out = join(dir, "all.json");
    expect((await runCli(["hunt", demo, ...cols, "--quiet", "--out", out])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveLength(400);
  });

  it("shows attacker-controlled text in the table without terminal escapes", async () => {
    const path = join(dir, "ansi.jsonl");
    const evil = "\u001b]0;pwned\u0007\u001b[31mred";
    writeFileSync(
      path,
      `${JSON.stringify({ UserId: evil, TimeGenerated: "2026-01-01T00:00:00Z", Operation: evil })}\n`,
    );
    const r = await runCli(["hunt", path, "--user", "UserId"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("\u001b");
    expect(r.stdout).toContain("\\u001b");
  });
});

describe("--sessions", () => {
  it("reads JSONL sessions, keeping other fields", async () => {
    const path = join(dir, "sessions.jsonl");
    writeFileSync(
      path,
      [
        JSON.stringify({ session: ["a", "b", "c"], label: 0 }),
        JSON.stringify({ session: ["a", "b"], label: 0 }),
        JSON.stringify({ session: ["c", "a", "z"], label: 1 }),
      ].join("\n"),
    );
    const out = join(dir, "sessions-out.jsonl");
    expect((await runCli(["hunt", "--sessions", path, "--quiet", "--out", out, "--window", "2"])).code).toBe(
      0,
    );
    const rows = readJsonl(out);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.label).sort()).toEqual([0, 0, 1]);
    expect(rows[0]?.start).toBeNull();
  });

  it("reads Cmd sessions from JSONL", async () => {
    const path = join(dir, "cmds.jsonl");
    writeFileSync(
      path,
      JSON.stringify({
        session: [
          { name: "a", params: { x: "1" } },
          { name: "b", params: {} },
        ],
      }),
    );
    const out = join(dir, "cmds-out.jsonl");
    expect((await runCli(["hunt", "--sessions", path, "--quiet", "--out", out])).code).toBe(0);
    expect(readJsonl(out)[0]?.session).toEqual([
      { name: "a", params: { x: "1" } },
      { name: "b", params: {} },
    ]);
  });

  it("reads plain-text sessions, one per line", async () => {
    const out = join(dir, "sea-out.jsonl");
    const r = await runCli([
      "hunt",
      "--sessions",
      fixturePath("datasets", "sea", "User1"),
      "--quiet",
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(readJsonl(out)).toHaveLength(15000);
  });

  it("names the line of a bad session", async () => {
    const path = join(dir, "bad-sessions.jsonl");
    writeFileSync(path, `${JSON.stringify({ session: ["a"] })}\n${JSON.stringify({ session: [] })}\n`);
    const r = await runCli(["hunt", "--sessions", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:2: empty session`);
  });
});

describe("sessionize", () => {
  it("writes the reference's 400 sessions of the demo data", async () => {
    const out = join(dir, "sessions.csv");
    expect((await runCli(["sessionize", demo, ...cols, "--quiet", "--out", out])).code).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n")[0]).toBe("UserId,ClientIP,start,end,length,session");
    const stdout = (await runCli(["sessionize", demo, ...cols, "--quiet"])).stdout.trim().split("\n");
    expect(stdout).toHaveLength(400);
    expect(stdout.map((l) => (JSON.parse(l) as { length: number }).length).reduce((a, b) => a + b, 0)).toBe(
      1334,
    );
  });
});

describe("help and version", () => {
  it.each([[[]], [["hunt"]], [["score"]], [["train"]], [["sessionize"]], [["demo"]]])(
    "%j --help shows examples",
    async (args) => {
      const r = await runCli([...args, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples?:\n\s+\$ seqhunt/);
    },
  );

  it("--version prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
      version: string;
    };
    expect((await runCli(["--version"])).stdout.trim()).toBe(pkg.version);
  });
});

describe("demo", () => {
  it("generates a log, hunts it with default options, writes scores, and ranks the five injected attacks 1-5", async () => {
    const out = join(dir, "demo");
    const r = await runCli(["demo", "--out", out]);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, "exchange_admin_log.csv"))).toBe(true);
    const ranks = [...r.stdout.matchAll(/rank (\d+): /g)].map((m) => Number(m[1]));
    expect(ranks).toEqual([1, 2, 3, 4, 5]);
    expect(readJsonl(join(out, "scores.jsonl")).length).toBeGreaterThan(2000);
  });
});
