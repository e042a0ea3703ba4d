// seqhunt eval end to end, on a slice of the SEA masquerade data; --method on hunt.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_METHOD } from "../../src/detect/registry.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { DEMO_CSV, fixturePath } from "../helpers/shared.js";

const dir = tempDir();
const train = join(dir, "train.jsonl");
const test = join(dir, "test.jsonl");

beforeAll(async () => {
  // Users 1-10 (users 2-4 have masquerade blocks among them), blocks of 100 commands.
  const labels = readFileSync(fixturePath("datasets", "sea", "masquerade_summary.txt"), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/));
  const trainLines: string[] = [];
  const testLines: string[] = [];
  for (let u = 0; u < 10; u++) {
    const cmds = readFileSync(fixturePath("datasets", "sea", `User${u + 1}`), "utf8")
      .trim()
      .split("\n");
    for (let b = 0; b < 150; b++) {
      const session = cmds.slice(b * 100, b * 100 + 100);
      if (b < 50) trainLines.push(JSON.stringify({ session, entity: `U${u}` }));
      else testLines.push(JSON.stringify({ session, entity: `U${u}`, label: Number(labels[b - 50]?.[u]) }));
    }
  }
  writeFileSync(train, `${trainLines.join("\n")}\n`);
  writeFileSync(test, `${testLines.join("\n")}\n`);
});

describe("seqhunt eval", () => {
  it("prints one JSON line with every figure, the default method beating the reference", async () => {
    const r = await runCli(["eval", "--train", train, "--test", test, "--json"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const m = JSON.parse(lines[0] as string);
    expect(Object.keys(m).sort()).toEqual([
      "auc",
      "bestF1",
      "hitRateAtFalseAlarm",
      "method",
      "prAuc",
      "precision",
      "recall",
    ]);
    expect(Object.keys(m.hitRateAtFalseAlarm)).toEqual(["0.01", "0.05"]);
    expect(m.method).toBe(DEFAULT_METHOD);
    const ref = JSON.parse(
      (await runCli(["eval", "--train", train, "--test", test, "--json", "--method", "reference"])).stdout,
    );
    expect(ref.method).toBe("reference");
    expect(m.auc).toBeGreaterThan(0.85);
    expect(m.auc).toBeGreaterThan(ref.auc + 0.2);
  });

  it("prints a readable summary and draws the ROC curve", async () => {
    const report = join(dir, "roc.html");
    const r = await runCli(["eval", "--train", train, "--test", test, "--report", report]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ROC AUC\s+0\.\d{4}/);
    expect(r.stdout).toMatch(/hit rate at 5% FA\s+\d+\.\d%/);
    const html = readFileSync(report, "utf8");
    expect(html).toContain('id="seqhunt-roc"');
    expect(html).not.toMatch(/<script src=/);
  });

  it("names a bad label and an unknown method", async () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, `${JSON.stringify({ session: ["a"], label: 2 })}\n`);
    const r = await runCli(["eval", "--train", train, "--test", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:1: "label" must be 0 or 1`);
    const m = await runCli(["eval", "--train", train, "--test", test, "--method", "magic"]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('unknown method "magic"');
  });
});

describe("hunt --method", () => {
  const demo = DEMO_CSV;
  it("ranks by the detector and adds score and percentile", async () => {
    const out = join(dir, "method.jsonl");
    expect(
      (
        await runCli([
          "hunt",
          demo,
          "--user",
          "UserId,ClientIP",
          "--method",
          "entity-markov",
          "--quiet",
          "--out",
          out,
        ])
      ).code,
    ).toBe(0);
    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { score: number; percentile: number });
    const scores = rows.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(rows.every((r) => r.percentile >= 0 && r.percentile <= 1)).toBe(true);
  });

  it("puts every injected attack of the demo log in the top five with the default detector", async () => {
    const demoDir = join(dir, "demo");
    expect((await runCli(["demo", "--out", demoDir, "--quiet"])).code).toBe(0);
    const out = join(dir, "demo-method.jsonl");
    const args = [
      "hunt",
      join(demoDir, "exchange_admin_log.csv"),
      "--user",
      "UserId,ClientIP",
      "--params",
      "Parameters",
    ];
    expect(
      (await runCli([...args, "--param-mode", "values", "--method", "markov-set", "--quiet", "--out", out]))
        .code,
    ).toBe(0);
    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { ClientIP: string; rank: number });
    expect(rows.filter((r) => r.ClientIP === "185.220.101.47").map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives an --entity column its own models, and refuses a column that is not a --user column", async () => {
    const out = join(dir, "entity.jsonl");
    const args = ["hunt", demo, "--user", "UserId,ClientIP", "--method", "markov-set", "--quiet"];
    expect((await runCli([...args, "--entity", "UserId", "--out", out])).code).toBe(0);
    const plain = join(dir, "no-entity.jsonl");
    expect((await runCli([...args, "--out", plain])).code).toBe(0);
    expect(readFileSync(out, "utf8")).not.toBe(readFileSync(plain, "utf8"));
    const r = await runCli([...args, "--entity", "Host"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--entity Host must be one of the --user columns (UserId, ClientIP)");
  });

  it("ranks by the registry's default detector and refuses --model with another detector than the file's", async () => {
    const out = join(dir, "plain.jsonl");
    expect((await runCli(["hunt", demo, "--user", "UserId,ClientIP", "--quiet", "--out", out])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8").split("\n")[0] as string)).toMatchObject({
      method: DEFAULT_METHOD,
    });
    const model = join(dir, "m.json");
    expect((await runCli(["train", demo, "--user", "UserId,ClientIP", "--quiet", "--out", model])).code).toBe(
      0,
    );
    const r = await runCli([
      "score",
      demo,
      "--user",
      "UserId,ClientIP",
      "--model",
      model,
      "--method",
      "markov",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`holds a ${DEFAULT_METHOD} detector, not markov`);
  });
});

describe("model files", () => {
  const demo = DEMO_CSV;
  const cols = ["--user", "UserId,ClientIP", "--quiet"];
  const rows = (file: string) =>
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("train writes version 2 (reference counts and the detector); score --model ranks with its detector", async () => {
    const model = join(dir, "v2.json");
    expect((await runCli(["train", demo, ...cols, "--method", "entity-markov", "--out", model])).code).toBe(
      0,
    );
    const file = JSON.parse(readFileSync(model, "utf8"));
    expect(file).toMatchObject({
      format: "seqhunt-model",
      version: 2,
      detector: { method: "entity-markov" },
    });
    expect(file.reference).toMatchObject({ format: "seqhunt-model", version: 1 });
    const scored = join(dir, "v2-scored.jsonl");
    const hunted = join(dir, "v2-hunted.jsonl");
    expect((await runCli(["score", demo, ...cols, "--model", model, "--out", scored])).code).toBe(0);
    expect((await runCli(["hunt", demo, ...cols, "--method", "entity-markov", "--out", hunted])).code).toBe(
      0,
    );
    expect(rows(scored)).toEqual(rows(hunted));
  });

  it("still reads a version 1 model: ranked by the reference, without percentiles", async () => {
    const v2 = join(dir, "for-v1.json");
    expect((await runCli(["train", demo, ...cols, "--method", "reference", "--out", v2])).code).toBe(0);
    const v1 = join(dir, "v1.json");
    writeFileSync(v1, JSON.stringify(JSON.parse(readFileSync(v2, "utf8")).reference));
    const out = join(dir, "v1-scored.jsonl");
    expect((await runCli(["score", demo, ...cols, "--model", v1, "--out", out])).code).toBe(0);
    const scored = rows(out);
    expect(scored.every((r) => r.method === "reference" && r.percentile === null)).toBe(true);
    const withV2 = join(dir, "v2-ref-scored.jsonl");
    expect((await runCli(["score", demo, ...cols, "--model", v2, "--out", withV2])).code).toBe(0);
    expect(scored.map((r) => [r.session, r.score, r.rarestWindowLikelihood])).toEqual(
      rows(withV2).map((r) => [r.session, r.score, r.rarestWindowLikelihood]),
    );
  });

  it("train --update adds data exactly where the detector merges, and says why where it cannot", async () => {
    const [first, second, both] = ["a", "b", "ab"].map((n) => join(dir, `${n}.jsonl`));
    const sessions = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ session: ["login", i % 3 ? "list" : "read", i % 5 ? "logout" : "export"] }),
    );
    writeFileSync(first as string, `${sessions.slice(0, 25).join("\n")}\n`);
    writeFileSync(second as string, `${sessions.slice(25).join("\n")}\n`);
    writeFileSync(both as string, `${sessions.join("\n")}\n`);
    const model = join(dir, "grow.json");
    const whole = join(dir, "whole.json");
    const train = (file: string, ...args: string[]) =>
      runCli(["train", "--sessions", file, "--quiet", "--method", "markov-order3", ...args]);
    expect((await train(first as string, "--out", model)).code).toBe(0);
    expect((await runCli(["train", "--sessions", second as string, "--quiet", "--update", model])).code).toBe(
      0,
    );
    expect((await train(both as string, "--out", whole)).code).toBe(0);
    const score = async (m: string) => {
      const out = join(dir, `scored-${m.length}.jsonl`);
      expect(
        (await runCli(["score", "--sessions", both as string, "--quiet", "--model", m, "--out", out])).code,
      ).toBe(0);
      return rows(out).map((r) => [r.session, r.score, r.rarestWindowLikelihood]);
    };
    expect(await score(model)).toEqual(await score(whole));
    const fixed = join(dir, "fixed.json");
    expect((await runCli(["train", "--sessions", first as string, "--quiet", "--out", fixed])).code).toBe(0);
    const r = await runCli(["train", "--sessions", second as string, "--update", fixed]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the ${DEFAULT_METHOD} detector cannot be updated with new data`);
  });
});
