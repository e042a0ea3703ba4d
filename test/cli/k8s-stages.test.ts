// A Kubernetes audit log written without omitStages: [RequestReceived] (many clusters' policy) holds each
// request once per stage under one auditID. With --source k8s-audit each request counts once, so the
// ranking is the same whether or not the RequestReceived stage was logged, and the summary says so.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SOURCE_PRESETS } from "../../src/presets/presets.js";
import { huntSessions, runCli, tempDir } from "../helpers/cli.js";
import { expectPlantedOnTop, withK8sStages, writeK8sAudit, writeK8sEventList } from "../helpers/sources.js";

const dir = tempDir();
const hunt = (args: string[]) => huntSessions(dir, args);
const sample = writeK8sAudit(join(dir, "k8s"), 11);

/** What ranks a session: everything hunt wrote of it. */
const ranking = (sessions: Record<string, unknown>[]) => sessions.map((s) => JSON.stringify(s));

describe("a Kubernetes audit log holding every stage of each request", () => {
  const staged = join(dir, "staged", "kube-apiserver-audit.jsonl");
  const records = withK8sStages(sample.input, staged, { cutEvery: 97 });

  it("ranks every session as the log of completed requests does, and says what it folded (--quiet too)", async () => {
    const plain = await hunt([sample.input, "--source", "k8s-audit"]);
    const r = await hunt([staged, "--source", "k8s-audit"]);
    expect(r.code).toBe(0);
    expect(records).toBeGreaterThan(2 * sample.events);
    expect(r.stderr).toBe(
      `read ${records} rows: used ${sample.events}, skipped 0, folded ${records - sample.events} (further stage records of requests used: auditID)\n`,
    );
    expect(ranking(r.sessions)).toEqual(ranking(plain.sessions));
    expectPlantedOnTop(sample, r.sessions, "user.username");
  });

  it("does the same with parameters (objectRef) and in spilled passes", async () => {
    const args = ["--source", "k8s-audit", "--param-mode", "names"];
    const plain = await hunt([sample.input, ...args]);
    const r = await huntSessionsSpilled([staged, ...args]);
    expect(r.code).toBe(0);
    expect(ranking(r.sessions)).toEqual(ranking(plain.sessions));
  });

  it("the same log read without the fold (the preset's fields as flags) counts every stage", async () => {
    const { identity, time, event } = SOURCE_PRESETS["k8s-audit"];
    const r = await hunt([staged, "--user", identity.join(","), "--time", time, "--event", event.join(",")]);
    expect(r.code).toBe(0);
    expect(r.sessions.reduce((n, s) => n + Number(s.length), 0)).toBe(records);
    const plain = await hunt([sample.input, "--source", "k8s-audit"]);
    expect(ranking(r.sessions)).not.toEqual(ranking(plain.sessions));
  });

  it("a log of completed requests only folds nothing and says nothing with --quiet", async () => {
    const r = await hunt([sample.input, "--source", "k8s-audit"]);
    expect(r.stderr).toBe("");
    const loud = await runCli(["hunt", sample.input, "--source", "k8s-audit", "--out", join(dir, "o.jsonl")]);
    expect(loud.stderr).toContain(`read ${sample.events} rows: used ${sample.events}, skipped 0\n`);
  });

  it("an EventList of every stage ranks as the log does", async () => {
    const list = join(dir, "staged", "events.json");
    writeK8sEventList(staged, list);
    const plain = await hunt([sample.input, "--source", "k8s-audit"]);
    const r = await hunt([list, "--source", "k8s-audit"]);
    expect(r.code).toBe(0);
    expect(ranking(r.sessions)).toEqual(ranking(plain.sessions));
  });
});

describe("records written whole as JSON text in one column (a log service's export)", () => {
  const staged = join(dir, "exported", "kube-apiserver-audit.jsonl");
  withK8sStages(sample.input, staged, { cutEvery: 97 });
  const lines = readFileSync(staged, "utf8").trim().split("\n");
  const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

  it("CloudWatch Logs Insights' CSV (@timestamp, @message), filter-log-events' JSON and JSONL of {timestamp, message} rank as the log does", async () => {
    const csv = join(dir, "exported", "logs-insights-results.csv");
    writeFileSync(csv, ["@timestamp,@message", ...lines.map((l, i) => `${i},${quoted(l)}`)].join("\n"));
    const wrapped = join(dir, "exported", "events.jsonl");
    writeFileSync(wrapped, lines.map((l, i) => JSON.stringify({ timestamp: i, message: l })).join("\n"));
    const args = ["--source", "k8s-audit", "--param-mode", "names"];
    const plain = await hunt([sample.input, ...args]);
    // CloudWatch Logs' filter-log-events output: a page of {timestamp, message} events.
    const page = join(dir, "exported", "filter-log-events.json");
    const events = lines.map((l, i) => ({
      logStreamName: "kube-apiserver-audit-1",
      timestamp: i,
      message: l,
    }));
    const searchedLogStreams = [{ logStreamName: "kube-apiserver-audit-1", searchedCompletely: true }];
    writeFileSync(page, JSON.stringify({ events, searchedLogStreams, nextToken: "Bxkq6k" }, null, 2));
    for (const input of [csv, wrapped, page]) {
      const r = await hunt([input, ...args]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`folded ${lines.length - sample.events} `);
      expect(ranking(r.sessions)).toEqual(ranking(plain.sessions));
    }
  });

  it("a field no record holds is not looked for in an unrelated column of JSON text", async () => {
    const csv = join(dir, "exported", "other.csv");
    writeFileSync(
      csv,
      ["user,time,op,Extra", `a,2026-09-30T17:45:27Z,x,${quoted('{"requestParameters": {"k": 1}}')}`].join(
        "\n",
      ),
    );
    const flags =
      "--user user --time time --event op --params objectRef --params-format json-object --param-mode names";
    const r = await runCli(["hunt", csv, ...flags.split(" ")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no params column "objectRef"`);
  });
});

/** hunt with the sessions spilled to disk and trained in passes (as inputs over SPILL_BYTES are). */
async function huntSessionsSpilled(args: string[]) {
  const out = join(dir, `spilled-${Math.random().toString(36).slice(2)}.jsonl`);
  const r = await runCli(["hunt", ...args, "--quiet", "--out", out], { env: { SEQHUNT_HUNT_MODE: "spill" } });
  const sessions = readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ...r, sessions };
}
