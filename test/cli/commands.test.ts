// Every command end to end through the built binary.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_METHOD } from "../../src/detect/registry.js";
import { Model } from "../../src/index.js";
import { seqhunt, tempDir } from "../helpers/cli.js";
import { SHARED } from "../helpers/shared.js";

const dir = tempDir();
const demo = join(SHARED, "data", "demo_exchange_data.csv");
const cols = ["--user", "UserId,ClientIP", "--time", "TimeGenerated", "--event", "Operation"];
const readJsonl = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("train then score", () => {
  it("scores exactly like hunt on the training data", () => {
    const model = join(dir, "model.json");
    expect(
      seqhunt([
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
      ]).code,
    ).toBe(0);
    const loaded = Model.fromJSON(JSON.parse(readFileSync(model, "utf8")));
    expect(loaded.sessionType).toBe("cmds_params_values");
    const scored = join(dir, "scored.jsonl");
    const hunted = join(dir, "hunted.jsonl");
    const common = [demo, ...cols, "--params", "Parameters", "--param-mode", "values", "--quiet"];
    expect(seqhunt(["score", ...common, "--model", model, "--out", scored]).code).toBe(0);
    expect(seqhunt(["hunt", ...common, "--out", hunted]).code).toBe(0);
    expect(readJsonl(scored)).toEqual(readJsonl(hunted));
  });

  it("refuses a model of another session type", () => {
    const model = join(dir, "plain.json");
    expect(seqhunt(["train", demo, ...cols, "--out", model, "--quiet"]).code).toBe(0);
    const r = seqhunt([
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
  it("writes every field of the contract, ranked", () => {
    const out = join(dir, "all.jsonl");
    expect(seqhunt(["hunt", demo, ...cols, "--quiet", "--out", out]).code).toBe(0);
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

  it("prints the top N with identity, start, length, the ranking method's score, percentile and reason", () => {
    const r = seqhunt(["hunt", demo, ...cols, "--top", "3"]);
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

  it("changes the numbers with --no-tokens, --geo-mean and --window", () => {
    const run = (extra: string[]) => {
      const out = join(dir, `opt${extra.join("")}.jsonl`);
      expect(seqhunt(["hunt", demo, ...cols, "--quiet", "--out", out, ...extra]).code).toBe(0);
      return readJsonl(out).map((r) => r.rarestWindowLikelihood);
    };
    const base = run([]);
    for (const extra of [["--no-tokens"], ["--geo-mean"], ["--window", "2"]])
      expect(run(extra)).not.toEqual(base);
  });

  it("writes CSV that a spreadsheet cannot run as a formula", () => {
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
    expect(seqhunt(["hunt", path, "--user", "UserId", "--quiet", "--out", out]).code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text).toContain("'+1,");
    expect(text).not.toMatch(/(^|,)[=+@]/m);
  });

  it("writes a JSON array with .json", () => {
    const out = join(dir, "all.json");
    expect(seqhunt(["hunt", demo, ...cols, "--quiet", "--out", out]).code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveLength(400);
  });

  it("shows attacker-controlled text in the table without terminal escapes", () => {
    const path = join(dir, "ansi.jsonl");
    const evil = "\u001b]0;pwned\u0007\u001b[31mred";
    writeFileSync(
      path,
      `${JSON.stringify({ UserId: evil, TimeGenerated: "2026-01-01T00:00:00Z", Operation: evil })}\n`,
    );
    const r = seqhunt(["hunt", path, "--user", "UserId"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("\u001b");
    expect(r.stdout).toContain("\\u001b");
  });
});

describe("--sessions", () => {
  it("reads JSONL sessions, keeping other fields", () => {
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
    expect(seqhunt(["hunt", "--sessions", path, "--quiet", "--out", out, "--window", "2"]).code).toBe(0);
    const rows = readJsonl(out);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.label).sort()).toEqual([0, 0, 1]);
    expect(rows[0]?.start).toBeNull();
  });

  it("reads Cmd sessions from JSONL", () => {
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
    expect(seqhunt(["hunt", "--sessions", path, "--quiet", "--out", out]).code).toBe(0);
    expect(readJsonl(out)[0]?.session).toEqual([
      { name: "a", params: { x: "1" } },
      { name: "b", params: {} },
    ]);
  });

  it("reads plain-text sessions, one per line", () => {
    const out = join(dir, "sea-out.jsonl");
    const r = seqhunt([
      "hunt",
      "--sessions",
      join(SHARED, "datasets", "sea", "User1"),
      "--quiet",
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(readJsonl(out)).toHaveLength(15000);
  });

  it("names the line of a bad session", () => {
    const path = join(dir, "bad-sessions.jsonl");
    writeFileSync(path, `${JSON.stringify({ session: ["a"] })}\n${JSON.stringify({ session: [] })}\n`);
    const r = seqhunt(["hunt", "--sessions", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:2: empty session`);
  });
});

describe("sessionize", () => {
  it("writes the reference's 400 sessions of the demo data", () => {
    const out = join(dir, "sessions.csv");
    expect(seqhunt(["sessionize", demo, ...cols, "--quiet", "--out", out]).code).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n")[0]).toBe("UserId,ClientIP,start,end,length,session");
    const stdout = seqhunt(["sessionize", demo, ...cols, "--quiet"])
      .stdout.trim()
      .split("\n");
    expect(stdout).toHaveLength(400);
    expect(stdout.map((l) => (JSON.parse(l) as { length: number }).length).reduce((a, b) => a + b, 0)).toBe(
      1334,
    );
  });
});

describe("help and version", () => {
  it.each([[[]], [["hunt"]], [["score"]], [["train"]], [["sessionize"]], [["demo"]]])(
    "%j --help shows examples",
    (args) => {
      const r = seqhunt([...args, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples?:\n\s+\$ seqhunt/);
    },
  );

  it("--version prints the package version", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
      version: string;
    };
    expect(seqhunt(["--version"]).stdout.trim()).toBe(pkg.version);
  });
});

describe("demo", () => {
  it("generates a log, hunts it, writes scores, and ranks the injected attacks at the top", () => {
    const out = join(dir, "demo");
    const r = seqhunt(["demo", "--out", out]);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, "exchange_admin_log.csv"))).toBe(true);
    const ranks = [...r.stdout.matchAll(/rank (\d+): /g)].map((m) => Number(m[1]));
    expect(ranks).toHaveLength(5);
    expect(Math.max(...ranks)).toBeLessThanOrEqual(10);
    expect(readJsonl(join(out, "scores.jsonl")).length).toBeGreaterThan(2000);
  });
});
