// Reading real exports: dotted paths into nested records and into JSON text, several event fields,
// containers, folders and globs, times as products write them, and errors that name one file.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { eventsFromRecords, recordsOf, SOURCE_PRESETS } from "../../src/index.js";
import { type ReadEventsOptions, readEvents } from "../../src/io/read-events.js";
import type { Command } from "../../src/types.js";
import { tempDir } from "../helpers/cli.js";

const dir = tempDir();
const T = Date.UTC(2026, 8, 30, 17, 45, 27);

type Options = Partial<ReadEventsOptions> & Pick<ReadEventsOptions, "identity" | "time" | "event">;

async function read(inputs: string[], options: Options) {
  const events: { identity: (string | null)[]; ms: number; command: Command }[] = [];
  const stats = await readEvents(
    inputs,
    { params: null, paramsFormat: "exchange", paramMode: "none", onBadRow: "fail", ...options },
    (identity, micros, command) => events.push({ identity: [...identity], ms: micros / 1000, command }),
  );
  return { events, stats };
}

const trail = (user: string, minute: number, eventSource: string, eventName: string) => ({
  eventVersion: "1.09",
  userIdentity: {
    type: "IAMUser",
    arn: `arn:aws:iam::123456789012:user/${user}`,
    principalId: `AIDA${user}`,
  },
  eventTime: new Date(T + minute * 60_000).toISOString().replace(/\.\d+Z$/, "Z"),
  eventSource,
  eventName,
  requestParameters: eventName === "CreateUser" ? { userName: "x" } : null,
});

function write(path: string, content: string | Buffer): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe("containers, folders and globs", () => {
  const root = join(dir, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2026", "09", "30");
  write(
    join(root, "b_1800Z.json.gz"),
    gzipSync(JSON.stringify({ Records: [trail("bob", 1, "iam.amazonaws.com", "CreateUser")] })),
  );
  write(
    join(root, "a_1745Z.json.gz"),
    gzipSync(
      JSON.stringify({
        Records: [
          trail("alice", 0, "s3.amazonaws.com", "ListBuckets"),
          trail("bob", 0, "sts.amazonaws.com", "GetCallerIdentity"),
        ],
      }),
    ),
  );
  write(join(root, "notes.txt"), "not a log");
  const fields = { identity: ["userIdentity.arn"], time: "eventTime", event: ["eventSource", "eventName"] };

  it("reads a folder tree of gzipped {Records: [...]} files as their records, nested fields by dotted names", async () => {
    const { events, stats } = await read([join(dir, "AWSLogs")], fields);
    expect(stats).toMatchObject({ read: 3, used: 3 });
    expect(events.map((e) => [e.identity[0], e.command])).toEqual([
      ["arn:aws:iam::123456789012:user/alice", "s3.amazonaws.com:ListBuckets"],
      ["arn:aws:iam::123456789012:user/bob", "sts.amazonaws.com:GetCallerIdentity"],
      ["arn:aws:iam::123456789012:user/bob", "iam.amazonaws.com:CreateUser"],
    ]);
  });

  it("reads the files a quoted glob matches", async () => {
    const one = await read([join(dir, "AWSLogs", "**", "a_*.json.gz")], fields);
    expect(one.stats.read).toBe(2);
    const all = await read([join(dir, "AWSLogs", "**", "*.json.gz")], fields);
    expect(all.stats.read).toBe(3);
  });

  it("names only the one bad file among many", async () => {
    const many = join(dir, "many");
    for (let i = 0; i < 30; i++)
      write(
        join(many, `f${String(i).padStart(2, "0")}.json`),
        JSON.stringify({ Records: [trail("u", i, "s3.amazonaws.com", "GetObject")] }),
      );
    write(join(many, "f17.json"), '{"Records": [{"eventTime": "2026-09-30T17:45:27Z",');
    const err = await read([many], fields).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(join(many, "f17.json"));
    expect(message).not.toContain("f16.json");
    expect(message).not.toContain("f18.json");
  });

  it("says when a folder holds no file it reads, and when a glob matches nothing", async () => {
    mkdirSync(join(dir, "empty"), { recursive: true });
    await expect(read([join(dir, "empty")], fields)).rejects.toThrow(/no \.csv.*files.*in this folder/);
    await expect(read([join(dir, "nothing", "*.json")], fields)).rejects.toThrow(
      /no file matches this pattern/,
    );
  });
});

describe("dotted paths", () => {
  it("reach into a CSV column holding JSON text (Purview's AuditData.Parameters)", async () => {
    const audit = (user: string, params: unknown) =>
      JSON.stringify({
        UserId: user,
        Workload: "Exchange",
        Parameters: params,
        Nested: { Who: { Name: user } },
      });
    const rows = [
      "RecordId,CreationDate,Operation,UserId,AuditData",
      `1,2026-09-30T17:45:27.0000000Z ,New-InboxRule,"a@x","${audit("a@x", [{ Name: "ForwardTo", Value: "e@evil" }]).replace(/"/g, '""')}"`,
      `2,2026-09-30T17:46:27.0000000Z ,Get-Mailbox,"a@x","${audit("a@x", []).replace(/"/g, '""')}"`,
    ];
    const path = write(join(dir, "purview.csv"), rows.join("\n"));
    const { events } = await read([path], {
      identity: ["AuditData.Nested.Who.Name"],
      time: "CreationDate",
      event: ["Operation"],
      params: "AuditData.Parameters",
      paramMode: "values",
    });
    expect(events.map((e) => e.identity[0])).toEqual(["a@x", "a@x"]);
    expect(events[0]?.command).toMatchObject({ name: "New-InboxRule", params: { ForwardTo: "e@evil" } });
    expect(events[1]?.command).toMatchObject({ name: "Get-Mailbox", params: {} });
    expect(events[1]?.ms).toBe(T + 60_000);
  });

  it("reach into Parquet structs and gzipped JSONL", async () => {
    const records = [0, 1, 2].map((i) => ({
      user: { username: i === 2 ? "bob" : "alice", groups: ["dev"] },
      verb: "create",
      objectRef: i === 1 ? { resource: "pods", subresource: "exec" } : { resource: "pods" },
      requestReceivedTimestamp: new Date(T + i * 1000).toISOString().replace("Z", "123Z"),
    }));
    const jsonl = write(
      join(dir, "audit.jsonl.gz"),
      gzipSync(records.map((r) => JSON.stringify(r)).join("\n")),
    );
    const parquet = join(dir, "audit.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(`COPY (SELECT * FROM read_json('${jsonl}')) TO '${parquet}' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const fields = {
      identity: ["user.username"],
      time: "requestReceivedTimestamp",
      event: ["verb", "objectRef.resource", "objectRef.subresource"],
    };
    for (const path of [jsonl, parquet]) {
      const { events } = await read([path], fields);
      expect(events.map((e) => [e.identity[0], e.command, e.ms])).toEqual([
        ["alice", "create:pods", T + 0.123],
        ["alice", "create:pods:exec", T + 1000.123],
        ["bob", "create:pods", T + 2000.123],
      ]);
    }
  });

  it("a missing field names the file and lists the fields there are", async () => {
    const path = write(
      join(dir, "okta.json"),
      JSON.stringify([{ actor: { alternateId: "a" }, published: "2026-09-30T17:45:27Z", eventType: "x" }]),
    );
    await expect(
      read([path], { identity: ["actor.login"], time: "published", event: ["eventType"] }),
    ).rejects.toThrow(
      `${path}: no identity column "actor.login"; the columns are: "actor", "published", "eventType"`,
    );
  });

  it("a name matches a field written in another case when none matches exactly (Athena's eventtime)", async () => {
    const path = write(
      join(dir, "athena.csv"),
      "eventtime,arn,eventname\n2026-09-30T17:45:27Z,a,ListBuckets\n",
    );
    const { events } = await read([path], { identity: ["arn"], time: "eventTime", event: ["eventName"] });
    expect(events.map((e) => [e.ms, e.command])).toEqual([[T, "ListBuckets"]]);
  });
});

describe("parameters flattened into columns (Okta's CSV download)", () => {
  const header =
    "uuid,published,eventType,actor.alternateId,debugContext.debugData.requestUri,debugContext.debugData.url.path,debugContext.debugData.__proto__";
  const path = write(
    join(dir, "okta-download.csv"),
    [
      header,
      'u1,2026-09-30T17:45:27.000Z,user.session.start,a@x,/login/do-login,"/a,""b""",x',
      "u2,2026-09-30T17:46:27.000Z,user.session.end,a@x,,,",
    ].join("\n"),
  );
  const fields = {
    identity: ["actor.alternateId"],
    time: "published",
    event: ["eventType"],
    params: "debugContext.debugData",
  };

  it("gathers the columns under the name into one object, empty cells left out", async () => {
    const { events } = await read([path], { ...fields, paramsFormat: "json-object", paramMode: "values" });
    const first = events[0]?.command as { params: Record<string, string> };
    expect(first.params).toEqual({ requestUri: "/login/do-login", "url.path": '/a,"b"', ["__proto__"]: "x" });
    expect(Object.hasOwn(first.params, "__proto__")).toBe(true);
    expect(events[1]?.command).toEqual({ name: "user.session.end", params: {} });
    const names = await read([path], { ...fields, paramsFormat: "json-object", paramMode: "names" });
    expect(names.events[0]?.command).toEqual({
      name: "user.session.start",
      params: new Set(["requestUri", "url.path", "__proto__"]),
    });
  });

  it("another parameters format is an error naming the columns and the fix", async () => {
    await expect(read([path], { ...fields, paramsFormat: "exchange", paramMode: "values" })).rejects.toThrow(
      `${path}: --params debugContext.debugData is written as 3 columns ("debugContext.debugData.requestUri", "debugContext.debugData.url.path", "debugContext.debugData.__proto__"), read as one object: add --params-format json-object`,
    );
  });

  it("a name no column starts with is still a missing field", async () => {
    await expect(
      read([path], {
        ...fields,
        params: "debugContext.other",
        paramsFormat: "json-object",
        paramMode: "values",
      }),
    ).rejects.toThrow(`${path}: no params column "debugContext.other"`);
  });
});

describe("times and headers as products write them", () => {
  it("reads a portal export: byte-order mark, a ` [UTC]` header, US times", async () => {
    const path = write(
      join(dir, "portal.csv"),
      '\uFEFFTimeGenerated [UTC],UserId,Operation\r\n"9/30/2026, 5:45:27.226 PM",a,Get-User\r\n"9/30/2026, 5:46:27 PM",a,Set-User\r\n',
    );
    const { events } = await read([path], {
      identity: ["UserId"],
      time: "TimeGenerated",
      event: ["Operation"],
    });
    expect(events.map((e) => e.ms)).toEqual([T + 226, T + 60_000]);
  });

  it("tells epoch seconds, milliseconds, microseconds and nanoseconds apart by magnitude", async () => {
    const s = T / 1000;
    const rows = [
      "t,u,e",
      `${s},a,s`,
      `${T + 1000},a,ms`,
      `${(T + 2000) * 1000},a,us`,
      `${BigInt(T + 3000) * 1_000_000n},a,ns`,
    ];
    const path = write(join(dir, "epochs.csv"), rows.join("\n"));
    const { events } = await read([path], { identity: ["u"], time: "t", event: ["e"] });
    expect(events.map((e) => [e.command, e.ms])).toEqual([
      ["s", T],
      ["ms", T + 1000],
      ["us", T + 2000],
      ["ns", T + 3000],
    ]);
  });

  it("reads the first of a field's alternatives a file or record has (UserId|UserIds)", async () => {
    const a = write(
      join(dir, "ps.csv"),
      "CreationDate,UserIds,Operations\n2026-09-30T17:45:27Z,a,Get-User\n",
    );
    const b = write(join(dir, "ui.csv"), "CreationDate,UserId,Operation\n2026-09-30T17:45:28Z,a,Set-User\n");
    const { events } = await read([a, b], {
      identity: ["UserId|UserIds"],
      time: "CreationDate",
      event: ["Operation|Operations"],
    });
    expect(events.map((e) => [e.identity[0], e.command])).toEqual([
      ["a", "Get-User"],
      ["a", "Set-User"],
    ]);
    await expect(
      read([a], { identity: ["User|Users"], time: "CreationDate", event: ["Operations"] }),
    ).rejects.toThrow(
      `${a}: no identity column "User|Users"; the columns are: "CreationDate", "UserIds", "Operations"`,
    );
  });

  it("reads any other time with --time-format", async () => {
    const path = write(join(dir, "eu.csv"), "t,u,e\n30/09/2026 17:45:27,a,x\n30/09/2026 17:46:27,a,y\n");
    const { events } = await read([path], {
      identity: ["u"],
      time: "t",
      event: ["e"],
      timeFormat: "%d/%m/%Y %H:%M:%S",
    });
    expect(events.map((e) => e.ms)).toEqual([T, T + 60_000]);
    await expect(read([path], { identity: ["u"], time: "t", event: ["e"] })).rejects.toThrow(
      `${path}:2: column "t": unparseable time: "30/09/2026 17:45:27" (give the column's format: --time-format '%d/%m/%Y %H:%M:%S'); fix the row`,
    );
    // A day of 12 or less on a 24-hour clock reads either way: refused, with both formats offered.
    const either = write(join(dir, "either.csv"), "t,u,e\n01/02/2026 17:45,a,x\n");
    await expect(read([either], { identity: ["u"], time: "t", event: ["e"] })).rejects.toThrow(
      `(day or month first? give the column's format: --time-format '%d/%m/%Y %H:%M' or --time-format '%m/%d/%Y %H:%M')`,
    );
  });
});

describe("eventsFromRecords (the library's pure reader)", () => {
  it("turns CloudTrail records in their container into events with the preset's fields", () => {
    const document = {
      Records: [
        trail("bob", 1, "iam.amazonaws.com", "CreateUser"),
        { ...trail("bob", 2, "", ""), eventSource: null },
      ],
    };
    const preset = SOURCE_PRESETS.cloudtrail;
    const { events, problems } = eventsFromRecords(recordsOf(document), preset, { paramMode: "names" });
    expect(events).toEqual([
      expect.objectContaining({
        record: 0,
        identity: ["arn:aws:iam::123456789012:user/bob"],
        timeMicros: (T + 60_000) * 1000,
      }),
    ]);
    expect(events[0]?.command).toMatchObject({
      name: "iam.amazonaws.com:CreateUser",
      params: new Set(["userName"]),
    });
    expect(problems).toEqual([
      { record: 1, field: "eventSource,eventName", reason: "missing event", value: null },
    ]);
  });

  it("names a CloudTrail principal without an ARN by the first identity field its record has", () => {
    const call = (userIdentity: unknown) => ({
      ...trail("x", 0, "kms.amazonaws.com", "Decrypt"),
      userIdentity,
    });
    const records = [
      call({ type: "AWSService", invokedBy: "config.amazonaws.com" }),
      call({ type: "AWSAccount", principalId: "AROAOTHER:sync", accountId: "999988887777" }),
      call({
        type: "IdentityCenterUser",
        accountId: "1",
        onBehalfOf: { userId: "5448-id", identityStoreArn: "a" },
      }),
      call({ type: "IAMUser", arn: "", principalId: "AIDAEMPTYARN", userName: "e" }),
    ];
    const { events } = eventsFromRecords(records, SOURCE_PRESETS.cloudtrail);
    expect(events.map((e) => e.identity[0])).toEqual([
      "config.amazonaws.com",
      "AROAOTHER:sync",
      "5448-id",
      "AIDAEMPTYARN",
    ]);
  });

  it("reads the items of a Kubernetes list as the records", () => {
    const item = {
      kind: "Event",
      verb: "get",
      user: { username: "a" },
      requestReceivedTimestamp: "2026-09-30T17:45:27Z",
    };
    expect(
      recordsOf({ kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: [item, item] }),
    ).toEqual([item, item]);
    // One event with a list in it is a record, not a list of records.
    const okta = { eventType: "user.session.start", target: [{ id: "x" }] };
    expect(recordsOf(okta)).toEqual([okta]);
  });

  it("reads the list of a page of an API's results beside its paging members", () => {
    const a = { id: "1" };
    const b = { id: "2" };
    const graph = { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#x", value: [a, b] };
    expect(
      recordsOf({ ...graph, "@odata.nextLink": "https://graph.microsoft.com/v1.0/x?$skiptoken=y" }),
    ).toEqual([a, b]);
    expect(
      recordsOf({ kind: "admin#reports#activities", etag: '"e"', items: [a], nextPageToken: "t" }),
    ).toEqual([a]);
    const streams = [{ logStreamName: "kube-apiserver-audit-1", searchedCompletely: true }];
    expect(recordsOf({ events: [a, b], searchedLogStreams: streams, nextToken: "t" })).toEqual([a, b]);
    // A member that is no paging member makes the object a record (its list is one of its fields).
    const record = { "@odata.context": "x", value: [a], userPrincipalName: "a@x" };
    expect(recordsOf(record)).toEqual([record]);
  });

  it("reads a header with a ` [UTC]` suffix and JSON text in a field", () => {
    const rows = [
      {
        "TimeGenerated [UTC]": "2026-09-30T17:45:27Z",
        UserId: "a",
        Operation: "Set-Mailbox",
        AuditData: '{"Parameters":[{"Name":"Identity","Value":"b"}]}',
      },
    ];
    const { events } = eventsFromRecords(
      rows,
      {
        identity: ["UserId"],
        time: "TimeGenerated",
        event: ["Operation"],
        params: "AuditData.Parameters",
        paramsFormat: "exchange",
      },
      { paramMode: "values" },
    );
    expect(events[0]?.command).toMatchObject({ name: "Set-Mailbox", params: { Identity: "b" } });
    expect(events[0]?.timeMicros).toBe(T * 1000);
  });
});

describe("the CLI", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
  };

  it("seqhunt sources lists every preset with its fields", async () => {
    const r = io();
    expect(await run(["sources"], r.io)).toBe(0);
    const text = r.out.join("\n");
    for (const name of ["cloudtrail", "purview", "sentinel", "okta", "k8s-audit", "shell-history", "auditd"])
      expect(text).toContain(`${name}: `);
    expect(text).toContain(
      "--user 'userIdentity.arn|userIdentity.onBehalfOf.userId|userIdentity.principalId|userIdentity.invokedBy|userIdentity.userName' --time eventTime --event eventSource,eventName",
    );
    expect(text).toContain("--user 'UserId|UserIds' --time CreationDate --event 'Operation|Operations'");
    expect(text).toContain("--user file --time time --command-line command_line");
    expect(text).toContain(
      "one event per auditID: the record whose stage comes first of ResponseComplete, Panic, ResponseStarted, RequestReceived",
    );
  });

  it("an unknown --source is a usage error listing the sources", async () => {
    const r = io();
    expect(await run(["hunt", "x.json", "--source", "cloudtrial"], r.io)).toBe(2);
    expect(r.err.join("\n")).toContain('unknown source "cloudtrial"; the sources are: cloudtrail, purview');
  });

  it("--engine clickhouse says it reads flat columns only (usage error, exit 2)", async () => {
    const r = io();
    const code = await run(
      ["hunt", "--engine", "clickhouse", "--table", "events", "--source", "cloudtrail"],
      r.io,
    );
    expect(code).toBe(2);
    expect(r.err.join("\n")).toContain(
      "--engine clickhouse reads flat columns by name; it does not support --source cloudtrail, the dotted path --user userIdentity.arn",
    );
    const flat = io();
    expect(
      await run(["hunt", "--engine", "clickhouse", "--table", "events", "--event", "a,b"], flat.io),
    ).toBe(2);
    expect(flat.err.join("\n")).toContain("several --event fields (a,b)");
  });
});
