// Each --source preset on a realistic export of its product (written from the product's public schema,
// with several identities and planted attacks): hunt with default options ranks the planted sessions at
// the top, and so do the same fields given as explicit flags.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { huntSessions, tempDir } from "../helpers/cli.js";
import {
  expectPlantedOnTop,
  type SampleExport,
  writeCloudTrail,
  writeK8sAudit,
  writeOkta,
  writePurview,
  writeSentinelPortal,
} from "../helpers/sources.js";

const dir = tempDir();

/** Runs hunt in process; returns its exit code, stderr and the sessions it ranked. */
const hunt = (args: string[]) => huntSessions(dir, args);

const CASES: {
  source: string;
  write: (dir: string, seed: number) => SampleExport;
  identity: string;
  flags: string[];
  /** Commands the planted sessions hold, as seqhunt makes them from the event fields. */
  commands: string[];
}[] = [
  {
    source: "cloudtrail",
    write: writeCloudTrail,
    identity: "userIdentity.arn",
    flags: ["--user", "userIdentity.arn", "--time", "eventTime", "--event", "eventSource,eventName"],
    commands: ["iam.amazonaws.com:CreateAccessKey", "s3.amazonaws.com:PutBucketPolicy"],
  },
  {
    source: "purview",
    write: writePurview,
    identity: "UserId",
    flags: ["--user", "UserId", "--time", "CreationDate", "--event", "Operation"],
    commands: ["New-InboxRule", "Set-AdminAuditLogConfig"],
  },
  {
    source: "sentinel",
    write: writeSentinelPortal,
    identity: "UserId",
    flags: ["--user", "UserId", "--time", "TimeGenerated", "--event", "Operation"],
    commands: ["New-InboxRule", "Set-AdminAuditLogConfig"],
  },
  {
    source: "okta",
    write: writeOkta,
    identity: "actor.alternateId",
    flags: ["--user", "actor.alternateId", "--time", "published", "--event", "eventType,outcome.result"],
    commands: ["user.session.start:FAILURE", "user.account.privilege.grant:SUCCESS"],
  },
  {
    source: "k8s-audit",
    write: writeK8sAudit,
    identity: "user.username",
    flags: [
      "--user",
      "user.username",
      "--time",
      "requestReceivedTimestamp",
      "--event",
      "verb,objectRef.resource,objectRef.subresource",
    ],
    commands: ["create:pods:exec", "create:serviceaccounts:token", "get:secrets"],
  },
];

/** The commands of the top sessions, as seqhunt wrote them (a command with parameters is {name, params}). */
function topCommands(sample: SampleExport, sessions: Record<string, unknown>[]): string[] {
  return sessions
    .slice(0, sample.planted.length)
    .flatMap((s) =>
      (s.session as unknown[]).map((c) => (typeof c === "string" ? c : String((c as { name: string }).name))),
    );
}

describe.each(CASES)("--source $source", ({ source, write, identity, flags, commands }) => {
  const sample = write(join(dir, source), 11);

  it("ranks the planted sessions at the top with default options", async () => {
    const r = await hunt([sample.input, "--source", source]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, identity);
    expect(topCommands(sample, r.sessions)).toEqual(expect.arrayContaining(commands));
  });

  it("does the same with the preset's fields as explicit flags", async () => {
    const r = await hunt([sample.input, ...flags]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, identity);
  });

  it("ranks them at the top with the preset's parameter names too", async () => {
    const r = await hunt([sample.input, "--source", source, "--param-mode", "names"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPlantedOnTop(sample, r.sessions, identity);
  });
});

describe("--event-joiner", () => {
  it("joins the --event fields with the given text instead of ':'", async () => {
    const sample = writeCloudTrail(join(dir, "joiner"), 11);
    const r = await hunt([sample.input, "--source", "cloudtrail", "--event-joiner", " / "]);
    expect(r.code).toBe(0);
    const top = topCommands(sample, r.sessions);
    expect(top).toContain("iam.amazonaws.com / CreateAccessKey");
    expect(top).not.toContain("iam.amazonaws.com:CreateAccessKey");
  });
});
