// Products' exports in the other shapes they come in (besides test/cli/sources.test.ts's): CloudTrail's
// S3 tree with its digest and Insights folders, every kind of userIdentity and empty hours; Purview as
// PowerShell exports it; Okta's last, empty page; a Kubernetes EventList. Each with default options of
// its --source: exit 0, nothing on stderr, the planted sessions on top under the right identity.
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { huntSessions, tempDir } from "../helpers/cli.js";
import {
  expectPlantedOnTop,
  writeCloudTrail,
  writeCloudTrailAllIdentities,
  writeK8sAudit,
  writeK8sEventList,
  writeOkta,
  writePurviewPowerShell,
} from "../helpers/sources.js";

const dir = tempDir();

/** The fields of a CloudTrail record these tests read. */
interface Trail {
  readonly eventVersion: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly userIdentity: { type: string; principalId: string; arn: string };
}

/** Runs hunt in process; returns its exit code, stderr and the sessions it ranked. */
const hunt = (args: string[]) => huntSessions(dir, args);

describe("CloudTrail's S3 tree as a trail writes it", () => {
  const sample = writeCloudTrailAllIdentities(join(dir, "trail"), 5);

  it("reads the logs only (not CloudTrail-Digest, not CloudTrail-Insight), empty hours included", async () => {
    const r = await hunt([sample.input, "--source", "cloudtrail"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const events = r.sessions.reduce((n, s) => n + Number(s.length), 0);
    expect(events).toBe(sample.events);
  });

  it("names each principal: the ARN, else the Identity Center user, the principal ID or the service", async () => {
    const r = await hunt([sample.input, "--source", "cloudtrail"]);
    const ids = new Set(r.sessions.map((s) => s["userIdentity.arn"]));
    expect(ids).toContain("arn:aws:iam::123456789012:root");
    expect(ids).toContain("arn:aws:sts::123456789012:federated-user/Bob");
    expect(ids).toContain("244894e8-80c1-707f-60e3-3ba6510dfac2");
    expect(ids).toContain("AROA999OTHEREXAMPLE:partner-sync");
    expect(ids).toContain("config.amazonaws.com");
    expect(ids).toContain("cloudformation.amazonaws.com");
    expect(ids).not.toContain(null);
    expectPlantedOnTop(sample, r.sessions, "userIdentity.arn");
  });

  it("reads a glob over the tree the same way", async () => {
    const r = await hunt([join(sample.input, "**", "*.json.gz"), "--source", "cloudtrail"]);
    expect(r.code).toBe(0);
    expect(r.sessions.reduce((n, s) => n + Number(s.length), 0)).toBe(sample.events);
  });

  it("a folder holding nothing but a digest folder says those folders are not read", async () => {
    const account = join(dir, "digests-only", "123456789012");
    cpSync(join(sample.input, "123456789012", "CloudTrail-Digest"), join(account, "CloudTrail-Digest"), {
      recursive: true,
    });
    const r = await hunt([account, "--source", "cloudtrail"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${account}: no .csv`);
    expect(r.stderr).toContain("CloudTrail-Digest and CloudTrail-Insight folders are not read");
  });
});

describe("Purview exported by Search-UnifiedAuditLog | Export-Csv", () => {
  const sample = writePurviewPowerShell(join(dir, "ps"), 7);

  it("--source purview reads UserIds, Operations and PowerShell's times", async () => {
    const r = await hunt([sample.input, "--source", "purview"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, "UserId");
  });

  it("and the parameters inside AuditData", async () => {
    const r = await hunt([sample.input, "--source", "purview", "--param-mode", "names"]);
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, "UserId");
    const planted = r.sessions[0]?.session as { name: string; params: string[] }[];
    expect(planted.some((c) => c.params.length > 0)).toBe(true);
  });
});

describe("Okta's System Log pages", () => {
  it("an empty page ([], the last page of a paged export) holds no event, not a bad file", async () => {
    const sample = writeOkta(join(dir, "okta"), 11);
    writeFileSync(join(sample.input, "systemlog-2026-10-03.json"), "[]\n");
    const r = await hunt([sample.input, "--source", "okta"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, "actor.alternateId");
  });
});

describe("a Kubernetes audit EventList", () => {
  it("reads the items of {kind: EventList, items: [...]} (kubectl get -o json, a webhook batch)", async () => {
    const sample = writeK8sAudit(join(dir, "k8s"), 11);
    const list = join(dir, "k8s", "audit-events.json");
    writeK8sEventList(sample.input, list);
    const r = await hunt([list, "--source", "k8s-audit"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, "user.username");
    expect(readdirSync(join(dir, "k8s"))).toContain("audit-events.json");
  });
});

describe("CloudTrail from Athena (a query's CSV result: lower-case names)", () => {
  const sample = writeCloudTrail(join(dir, "athena"), 11);
  const records = readdirSync(sample.input, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json.gz"))
    .flatMap(
      (f) =>
        (JSON.parse(gunzipSync(readFileSync(join(sample.input, f))).toString()) as { Records: Trail[] })
          .Records,
    );
  const cell = (v: unknown) => `"${String(v ?? "").replace(/"/g, '""')}"`;

  it("flattened columns (useridentity.arn AS arn): the preset's time and event read, --user arn", async () => {
    const path = join(dir, "athena", "flat.csv");
    const rows = records.map((r) =>
      [r.eventTime, r.userIdentity.arn, r.eventSource, r.eventName].map(cell).join(","),
    );
    writeFileSync(path, [`"eventtime","arn","eventsource","eventname"`, ...rows].join("\n"));
    const r = await hunt([path, "--source", "cloudtrail", "--user", "arn"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, "arn");
  });

  it("the table's struct column as Athena writes it ({type=..., arn=...}) stops with what to do", async () => {
    const path = join(dir, "athena", "table.csv");
    const struct = (u: Trail["userIdentity"]) =>
      `{type=${u.type}, principalid=${u.principalId}, arn=${u.arn}}`;
    const rows = records.map((r) =>
      [r.eventVersion, struct(r.userIdentity), r.eventTime, r.eventSource, r.eventName].map(cell).join(","),
    );
    writeFileSync(
      path,
      [`"eventversion","useridentity","eventtime","eventsource","eventname"`, ...rows].join("\n"),
    );
    const r = await hunt([path, "--source", "cloudtrail"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`column "useridentity" holds a SQL engine's row text`);
    expect(r.stderr).toContain("useridentity.arn AS arn, then --user arn");
  });
});

describe("a Kubernetes audit log opening with health checks", () => {
  it("reads objectRef though no record of the first thousand has one (non-resource requests)", async () => {
    const sample = writeK8sAudit(join(dir, "k8s-health"), 11);
    const probe = (i: number) =>
      JSON.stringify({
        kind: "Event",
        apiVersion: "audit.k8s.io/v1",
        level: "Metadata",
        auditID: `probe-${i}`,
        stage: "ResponseComplete",
        requestURI: i % 2 === 0 ? "/readyz" : "/livez",
        verb: "get",
        user: { username: "system:anonymous", groups: ["system:unauthenticated"] },
        sourceIPs: ["10.0.0.1"],
        responseStatus: { metadata: {}, code: 200 },
        requestReceivedTimestamp: new Date(Date.UTC(2026, 8, 27, 0, 0, 0) + i * 10_000).toISOString(),
      });
    const probes = Array.from({ length: 1200 }, (_, i) => probe(i));
    writeFileSync(sample.input, `${probes.join("\n")}\n${readFileSync(sample.input, "utf8")}`);
    const r = await hunt([sample.input, "--source", "k8s-audit"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, "user.username");
    const commands = r.sessions.flatMap((s) => s.session as string[]);
    expect(commands).toContain("create:pods:exec");
  });
});
