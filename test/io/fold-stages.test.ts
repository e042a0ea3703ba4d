// A Kubernetes audit log written without omitStages: [RequestReceived] holds each request once per stage,
// under one auditID. Read with the k8s-audit preset's fold, each request is one event: the record of its
// last stage logged (ResponseComplete, else Panic, ResponseStarted, RequestReceived), folded in DuckDB.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEvents } from "../../src/io/read-events.js";
import { type RecordFold, SOURCE_PRESETS } from "../../src/presets/presets.js";
import { eventsFromRecords, keptByFold } from "../../src/presets/records.js";
import type { Command } from "../../src/types.js";
import { tempDir } from "../helpers/cli.js";

const fold = SOURCE_PRESETS["k8s-audit"].fold;
const dir = tempDir();

/** One audit.k8s.io/v1 Event as the API server writes it (Metadata level). */
function auditEvent(
  auditID: string | null,
  stage: string,
  verb: string,
  resource: string,
  second: number,
  user = "alice@example.com",
): Record<string, unknown> {
  const received = `2026-09-27T10:00:${String(second).padStart(2, "0")}.123456Z`;
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    ...(auditID === null ? {} : { auditID }),
    stage,
    requestURI: `/api/v1/namespaces/web/${resource}`,
    verb,
    user: { username: user, groups: ["developers", "system:authenticated"] },
    sourceIPs: ["10.0.4.17"],
    userAgent: "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
    objectRef: { resource, namespace: "web", apiVersion: "v1" },
    ...(stage === "RequestReceived" ? {} : { responseStatus: { metadata: {}, code: 200 } }),
    requestReceivedTimestamp: received,
    // Each stage has its own time; the request's time is when it was received, the same in every stage.
    stageTimestamp: stage === "RequestReceived" ? received : received.replace(/\.\d+Z$/, ".987654Z"),
    annotations: { "authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": "" },
  };
}

/** A log of every kind of request: a pair, a watch, a panic, a lone RequestReceived, records without auditID. */
const RECORDS = [
  auditEvent("a1", "RequestReceived", "get", "pods", 1),
  auditEvent("a2", "RequestReceived", "watch", "pods", 2),
  auditEvent("a1", "ResponseComplete", "get", "pods", 1),
  auditEvent("a2", "ResponseStarted", "watch", "pods", 2),
  auditEvent("a3", "RequestReceived", "create", "pods", 3),
  auditEvent("a3", "Panic", "create", "pods", 3),
  // The log was cut before this request completed.
  auditEvent("a4", "RequestReceived", "delete", "pods", 4),
  auditEvent(null, "ResponseComplete", "list", "secrets", 5),
  auditEvent(null, "ResponseComplete", "list", "secrets", 5),
  auditEvent("a2", "ResponseComplete", "watch", "pods", 2),
];

/** Reads files with these fields, folding as `fold` says (none when undefined). */
async function readFolded(
  files: string[],
  fields: { identity: readonly string[]; time: string; event: readonly string[] },
  fold: RecordFold | undefined,
) {
  const events: [string | null, number, Command][] = [];
  const stats = await readEvents(
    files,
    {
      ...fields,
      params: null,
      paramsFormat: "json-object",
      paramMode: "none",
      onBadRow: "fail",
      sortInMemory: true,
      fold,
    },
    (identity, time, command) => events.push([identity[0] ?? null, time, command]),
  );
  return { commands: events.map((e) => e[2]), times: events.map((e) => e[1]), stats };
}

/** Reads files as the k8s-audit preset does, with the stage as a second event part to see which record was kept. */
function read(files: string[], withFold: boolean) {
  const preset = SOURCE_PRESETS["k8s-audit"];
  const fields = {
    identity: preset.identity,
    time: preset.time,
    event: ["verb", "objectRef.resource", "stage"],
  };
  return readFolded(files, fields, withFold ? preset.fold : undefined);
}

const jsonl = (name: string, records: readonly unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return path;
};

describe("folding a Kubernetes audit log's stages (auditID)", () => {
  it("the preset folds by auditID, preferring the last stage", () => {
    expect(fold).toEqual({
      key: "auditID",
      order: { by: "stage", prefer: ["ResponseComplete", "Panic", "ResponseStarted", "RequestReceived"] },
      records: "stage records of requests",
    });
  });

  it("counts each request once, keeping its last stage's record, and says how many were folded", async () => {
    const r = await read([jsonl("stages.jsonl", RECORDS)], true);
    expect(r.commands).toEqual([
      "get:pods:ResponseComplete",
      "watch:pods:ResponseComplete",
      "create:pods:Panic",
      "delete:pods:RequestReceived",
      "list:secrets:ResponseComplete",
      "list:secrets:ResponseComplete",
    ]);
    // The request's time: requestReceivedTimestamp, microseconds kept.
    expect(r.times[0]).toBe(Date.UTC(2026, 8, 27, 10, 0, 1) * 1000 + 123456);
    expect(r.stats).toEqual({ read: 10, used: 6, skipped: new Map(), folded: 4 });
  });

  it("without the fold every stage is an event (what the fold guards against)", async () => {
    const r = await read([jsonl("unfolded.jsonl", RECORDS)], false);
    expect(r.commands).toHaveLength(10);
    expect(r.stats).toEqual({ read: 10, used: 10, skipped: new Map() });
  });

  it("folds a request whose stages lie in two files (a log rotated between them)", async () => {
    const first = jsonl("rotated-1.jsonl", RECORDS.slice(0, 4));
    const second = jsonl("rotated-2.jsonl", RECORDS.slice(4));
    const r = await read([first, second], true);
    const whole = await read([jsonl("whole.jsonl", RECORDS)], true);
    expect(r.commands).toEqual(whole.commands);
    expect(r.stats.folded).toBe(4);
  });

  it("folds and orders records of many files as those of one file (JSON Lines files in one set)", async () => {
    const files = RECORDS.map((r, i) => jsonl(`one-${i}.jsonl`, [r]));
    const r = await read(files, true);
    const whole = await read([jsonl("whole-many.jsonl", RECORDS)], true);
    expect(r.commands).toEqual(whole.commands);
    expect(r.times).toEqual(whole.times);
    expect(r.stats).toEqual(whole.stats);
  });

  it("folds and orders rows of many small CSV files (read into one table first) as those of one file", async () => {
    // CSV files are sources of their own: more small ones than are streamed as a union go through a table.
    const header = "user,time,op,id";
    const rows = Array.from(
      { length: 12 },
      (_, i) => `u${i % 3},2026-09-27T10:00:0${i % 4}Z,op${i % 5},r${i % 10}`,
    );
    const files = rows.map((row, i) => {
      const path = join(dir, `row-${i}.csv`);
      writeFileSync(path, `${header}\n${row}\n`);
      return path;
    });
    const whole = join(dir, "rows.csv");
    writeFileSync(whole, `${header}\n${rows.join("\n")}\n`);
    const fields = { identity: ["user"], time: "time", event: ["op"] };
    const idFold = { key: "id", records: "copies" };
    const r = await readFolded(files, fields, idFold);
    const one = await readFolded([whole], fields, idFold);
    expect(r.commands).toEqual(one.commands);
    expect(r.times).toEqual(one.times);
    expect(r.stats).toEqual({ read: 12, used: 10, skipped: new Map(), folded: 2 });
  });

  it("folds the items of an EventList (a webhook batch, kubectl get -o json)", async () => {
    const path = join(dir, "events.json");
    writeFileSync(
      path,
      JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: RECORDS }),
    );
    const r = await read([path], true);
    expect(r.commands).toEqual((await read([jsonl("list.jsonl", RECORDS)], true)).commands);
    expect(r.stats.folded).toBe(4);
  });

  it("a CSV without an auditID column is read whole, nothing folded", async () => {
    const path = join(dir, "flat.csv");
    writeFileSync(
      path,
      "user.username,requestReceivedTimestamp,verb,objectRef.resource,stage\nalice,2026-09-27T10:00:01Z,get,pods,RequestReceived\nalice,2026-09-27T10:00:01Z,get,pods,ResponseComplete\n",
    );
    const r = await read([path], true);
    expect(r.commands).toEqual(["get:pods:RequestReceived", "get:pods:ResponseComplete"]);
    expect(r.stats).toEqual({ read: 2, used: 2, skipped: new Map(), folded: 0 });
  });

  it("the library folds parsed records the same way (eventsFromRecords with the preset)", () => {
    const fields = { ...SOURCE_PRESETS["k8s-audit"], event: ["verb", "objectRef.resource", "stage"] };
    const { events, folded } = eventsFromRecords(RECORDS, fields);
    expect(events.map((e) => e.command)).toEqual([
      "get:pods:ResponseComplete",
      "create:pods:Panic",
      "delete:pods:RequestReceived",
      "list:secrets:ResponseComplete",
      "list:secrets:ResponseComplete",
      "watch:pods:ResponseComplete",
    ]);
    expect(folded).toBe(4);
    // Equal stages keep the first; a stage not listed comes after every listed one.
    expect(
      keptByFold(
        [
          { auditID: "x", stage: "Other" },
          { auditID: "x", stage: "RequestReceived" },
          { auditID: "x", stage: "RequestReceived" },
          { auditID: "", stage: "ResponseComplete" },
        ],
        fold as NonNullable<typeof fold>,
      ),
    ).toEqual([false, true, false, true]);
  });
});

describe("copies of one record (a fold without an order: CloudTrail's eventID, Okta's uuid, Purview's RecordId)", () => {
  const trail = (eventID: string, eventName: string, second: number) => ({
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/alice" },
    eventTime: `2026-09-30T17:45:${String(second).padStart(2, "0")}Z`,
    eventSource: "iam.amazonaws.com",
    eventName,
    eventID,
  });
  const records = [
    trail("e1", "ListUsers", 1),
    trail("e2", "CreateUser", 2),
    trail("e3", "CreateAccessKey", 3),
  ];
  // An organization trail and an account trail delivering to one bucket: the second holds copies.
  const account = jsonl("account-trail.jsonl", records);
  const organization = jsonl("organization-trail.jsonl", [
    records[1],
    records[2],
    trail("e4", "ListUsers", 4),
  ]);
  const preset = SOURCE_PRESETS.cloudtrail;
  const readTrails = async (files: string[], withFold: boolean) => {
    const { commands, stats } = await readFolded(files, preset, withFold ? preset.fold : undefined);
    return { events: commands, stats };
  };

  it("keeps the first of each eventID, across files, and counts the copies folded", async () => {
    const { events, stats } = await readTrails([account, organization], true);
    expect(events).toEqual([
      "iam.amazonaws.com:ListUsers",
      "iam.amazonaws.com:CreateUser",
      "iam.amazonaws.com:CreateAccessKey",
      "iam.amazonaws.com:ListUsers",
    ]);
    expect(stats).toMatchObject({ read: 6, used: 4, folded: 2 });
    const without = await readTrails([account, organization], false);
    expect(without.events).toHaveLength(6);
  });

  it("the library keeps the same records (keptByFold without an order: the first of each key)", () => {
    const all = [...records, records[1], records[2]];
    expect(keptByFold(all, preset.fold as NonNullable<typeof preset.fold>)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("every preset of a product that writes a record ID folds copies by it", () => {
    expect(SOURCE_PRESETS.cloudtrail.fold?.key).toBe("eventID");
    expect(SOURCE_PRESETS.okta.fold?.key).toBe("uuid");
    expect(SOURCE_PRESETS.purview.fold?.key).toBe("RecordId|Identity");
    expect(SOURCE_PRESETS.sentinel.fold?.key).toBe("OfficeId");
  });
});
