import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { beforeAll, describe, expect, it } from "vitest";
import type { ModelFile } from "../../src/types.js";
import { runCli, tempDir } from "../helpers/cli.js";
import {
  clickHouseUp,
  countsByName,
  demoEvents,
  loadDistributed,
  loadShardedByIdentity,
  query,
  SHARD_URLS,
  URL,
  writeJsonl,
} from "../helpers/clickhouse.js";

const dir = tempDir();
const demo = demoEvents(5);
const jsonl = join(dir, "demo.jsonl");
const columns = ["--user", "UserId,ClientIP", "--params", "Parameters", "--param-mode", "values"];
const engine = (table: string) => ["--engine", "clickhouse", "--url", URL, "--table", table, "--seq", "seq"];

/** hunt by the reference pushed down, with the demo's columns: the top 15 to `out`, every session ranked into `outTable`. */
const pushedHunt = (engineArgs: readonly string[], out: string, outTable: string) =>
  runCli([
    "hunt",
    ...engineArgs,
    ...columns,
    ...["--method", "reference", "--top", "15", "--out", out, "--out-table", outTable],
  ]);

const records = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe.runIf(clickHouseUp)("seqhunt --engine clickhouse", () => {
  beforeAll(async () => {
    await loadDistributed("cli_demo", demo);
    await writeJsonl(jsonl, demo);
    // A table with one row whose time is missing, for the bad-row policies.
    const client = createClient({ url: URL });
    try {
      await client.command({ query: "DROP TABLE IF EXISTS default.cli_bad" });
      await client.command({ query: "DROP TABLE IF EXISTS default.cli_scores" });
      await client.command({ query: "DROP TABLE IF EXISTS default.cli_sharded_scores" });
      await client.command({
        query:
          "CREATE TABLE default.cli_bad (UserId String, TimeGenerated Nullable(DateTime), seq UInt64, Operation String) ENGINE = Memory",
      });
      await client.insert({
        table: "default.cli_bad",
        format: "JSONEachRow",
        values: [
          { UserId: "a", TimeGenerated: "2026-01-01 00:00:00", seq: 1, Operation: "Get-Mailbox" },
          { UserId: "a", TimeGenerated: null, seq: 2, Operation: "Set-Mailbox" },
          { UserId: "a", TimeGenerated: "2026-01-01 00:00:30", seq: 3, Operation: "" },
          { UserId: "a", TimeGenerated: "2026-01-01 00:01:00", seq: 4, Operation: "Set-Mailbox" },
        ],
      });
    } finally {
      await client.close();
    }
  });

  it("hunt gives the in-process hunt's top sessions, and --out-table every session with its rank", async () => {
    const local = join(dir, "local.jsonl");
    const pushed = join(dir, "pushed.jsonl");
    // The pushdown ranks by the reference: so does the in-process run it is compared with.
    expect(
      (await runCli(["hunt", jsonl, ...columns, "--method", "reference", "--quiet", "--out", local])).code,
    ).toBe(0);
    const run = await pushedHunt(engine("cli_demo"), pushed, "cli_scores");
    expect(run.stderr).toContain("read 9");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("reference score");
    const all = records(local);
    const top = records(pushed);
    expect(top).toHaveLength(15);
    top.forEach((r, i) => {
      const expected = all[i] as Record<string, unknown>;
      expect(r.rank).toBe(i + 1);
      expect(
        Math.abs((r.rarestWindowLogLikelihood as number) - (expected.rarestWindowLogLikelihood as number)),
      ).toBeLessThan(1e-9);
    });
    // The five injected attacks lead both rankings, in the same order.
    expect(top.slice(0, 5).map((r) => [r.UserId, r.ClientIP, r.start])).toEqual(
      all.slice(0, 5).map((r) => [r.UserId, r.ClientIP, r.start]),
    );
  });

  it("--out-table holds every session, ranked as the top list", async () => {
    const rows = await query<{ rank: string; i0: string; rarest_window_log_likelihood: number }>(
      "SELECT rank, i0, rarest_window_log_likelihood FROM default.cli_scores ORDER BY rank",
    );
    const local = records(join(dir, "local.jsonl"));
    expect(rows).toHaveLength(local.length);
    expect(rows.map((r) => Number(r.rank))).toEqual(local.map((_, i) => i + 1));
    const [best] = rows;
    const [expected] = local;
    expect(
      Math.abs((best?.rarest_window_log_likelihood ?? 0) - (expected?.rarestWindowLogLikelihood as number)),
    ).toBeLessThan(1e-9);
  });

  it("on a table sharded by identity, each shard does its identities' work: the same top list and --out-table", async () => {
    await loadShardedByIdentity("cli_sharded", demo);
    const local = records(join(dir, "local.jsonl"));
    const pushed = join(dir, "pushed-sharded.jsonl");
    const run = await pushedHunt(
      [...engine("cli_sharded"), "--shard-urls", SHARD_URLS.join(",")],
      pushed,
      "cli_sharded_scores",
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("each shard sessionized its own identities");
    const top = records(pushed);
    expect(top.slice(0, 5).map((r) => [r.UserId, r.ClientIP, r.start])).toEqual(
      local.slice(0, 5).map((r) => [r.UserId, r.ClientIP, r.start]),
    );
    top.forEach((r, i) => {
      const expected = (local[i] as Record<string, unknown>).rarestWindowLogLikelihood as number;
      expect(Math.abs((r.rarestWindowLogLikelihood as number) - expected)).toBeLessThan(1e-9);
    });
    const rows = await query<{ rank: string; rarest_window_log_likelihood: number }>(
      "SELECT rank, rarest_window_log_likelihood FROM default.cli_sharded_scores ORDER BY rank",
    );
    expect(rows.map((r) => Number(r.rank))).toEqual(local.map((_, i) => i + 1));
    rows.forEach((r, i) => {
      const expected = (local[i] as Record<string, unknown>).rarestWindowLogLikelihood;
      if (typeof expected === "number")
        expect(Math.abs(r.rarest_window_log_likelihood - expected)).toBeLessThan(1e-9);
    });
  });

  it("train keeps only counts, equal to the in-process train; score uses the saved model", async () => {
    const local = join(dir, "local-model.json");
    const pushed = join(dir, "pushed-model.json");
    expect(
      (await runCli(["train", jsonl, ...columns, "--method", "reference", "--quiet", "--out", local])).code,
    ).toBe(0);
    const run = await runCli([
      "train",
      ...engine("cli_demo"),
      ...columns,
      "--method",
      "reference",
      "--out",
      pushed,
    ]);
    expect(run.stderr).toContain("trained in ClickHouse");
    expect(run.code).toBe(0);
    // A version 2 file (in process) holds the reference model's counts under "reference"; ClickHouse writes version 1.
    const read = (path: string) => {
      const json = JSON.parse(readFileSync(path, "utf8")) as ModelFile & { reference?: ModelFile };
      return json.reference ?? json;
    };
    expect(countsByName(read(pushed))).toEqual(countsByName(read(local)));
    const scored = join(dir, "scored.jsonl");
    const score = await runCli([
      "score",
      ...engine("cli_demo"),
      ...columns,
      "--model",
      pushed,
      "--quiet",
      "--top",
      "3",
      "--out",
      scored,
    ]);
    expect(score.code).toBe(0);
    expect(records(scored)[0]?.rank).toBe(1);
  });

  it("logs in with the user and password from the environment, and says when they are refused", async () => {
    const ok = await runCli(["hunt", ...engine("cli_demo"), "--quiet", "--top", "1"], {
      env: {
        SEQHUNT_CLICKHOUSE_USER: "seqhunt",
        SEQHUNT_CLICKHOUSE_PASSWORD: "hunter2",
      },
    });
    expect(ok.code).toBe(0);
    const refused = await runCli(["hunt", ...engine("cli_demo"), "--quiet"], {
      env: {
        SEQHUNT_CLICKHOUSE_USER: "seqhunt",
        SEQHUNT_CLICKHOUSE_PASSWORD: "wrong",
      },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the credentials of user "seqhunt"');
  });

  it("names the cause when the server, database, table or a column is missing", async () => {
    const unreachable = await runCli([
      "hunt",
      "--engine",
      "clickhouse",
      "--url",
      "http://127.0.0.1:1",
      "--table",
      "x",
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("cannot reach ClickHouse at http://127.0.0.1:1");
    const table = await runCli(["hunt", ...engine("no_such_table")]);
    expect(table.code).toBe(1);
    expect(table.stderr).toContain('has no table "default.no_such_table"');
    const database = await runCli(["hunt", ...engine("cli_demo"), "--database", "no_such_db"]);
    expect(database.code).toBe(1);
    expect(database.stderr).toContain('has no database "no_such_db"');
    // A column name is checked against the table's own list before it goes anywhere near SQL text.
    const column = await runCli(["hunt", ...engine("cli_demo"), "--event", "Operation` FROM one --"]);
    expect(column.code).toBe(1);
    expect(column.stderr).toContain('no event column "Operation` FROM one --"');
    expect(column.stderr).toContain('"UserId"');
  });

  it("stops at unusable rows naming the column and first sequence number, or skips and counts them", async () => {
    const args = [
      "hunt",
      "--engine",
      "clickhouse",
      "--url",
      URL,
      "--table",
      "cli_bad",
      "--seq",
      "seq",
      "--user",
      "UserId",
    ];
    const fail = await runCli(args);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain(
      'default.cli_bad: 1 row(s) with missing time in column "TimeGenerated" (first: seq = 2)',
    );
    const skip = await runCli([...args, "--on-bad-row", "skip"]);
    expect(skip.code).toBe(0);
    expect(skip.stderr).toContain("read 4 rows: used 2, skipped 2 (missing event: 1, missing time: 1)");
  });

  it("refuses options that do not go together", async () => {
    expect((await runCli(["hunt", jsonl, ...engine("cli_demo")])).stderr).toContain(
      "reads --table, not files",
    );
    expect((await runCli(["hunt", "--engine", "clickhouse"])).stderr).toContain("needs --table NAME");
    expect((await runCli(["hunt"])).stderr).toContain("no input files given");
    expect((await runCli(["hunt", jsonl, "--table", "x"])).stderr).toContain("go with --engine clickhouse");
    expect((await runCli(["hunt", jsonl, "--seq", "seq"])).stderr).toContain("go with --engine clickhouse");
    const missingModel = await runCli(["score", ...engine("cli_demo"), "--model", join(dir, "nope.json")]);
    expect(missingModel.stderr).toContain("nope.json: no such file");
    expect(missingModel.stderr).not.toContain("read ");
    expect(
      (await runCli(["train", ...engine("cli_demo"), "--update", join(dir, "model.json")])).stderr,
    ).toContain("--update reads files; it does not go with --engine clickhouse");
  });
});
