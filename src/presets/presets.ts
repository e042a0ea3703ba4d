import { AUDIT_FIELDS } from "../parse/audit.js";
import { HISTORY_FIELDS } from "../parse/history.js";

/** How a source's parameters field is written (as the CLI's `--params-format`). */
export type PresetParamsFormat = "exchange" | "json-object" | "json-array";

/**
 * Records of one request or event that a product or an export writes several times and that count as one
 * event: of the records sharing a key, the first in input order is kept, or with an `order`, the one whose
 * `by` field comes first in `prefer`.
 */
export interface RecordFold {
  /** The field naming the request or event (`auditID`, `eventID`); records without it are each an event. */
  readonly key: string;
  /** Which record of one key to keep (Kubernetes' stages); absent: the first in input order. */
  readonly order?: RecordOrder;
  /** What the further records of one key are, for the read summary (`stage records of requests`). */
  readonly records: string;
}

/** Which of the records sharing a key is kept (see {@link RecordFold}). */
export interface RecordOrder {
  /** The field telling the records of one key apart (`stage`). */
  readonly by: string;
  /** Values of `by`, the record to keep first; a value not listed comes after them, ties in input order. */
  readonly prefer: readonly string[];
}

/** Where the fields of one product's log records are, as analysts of that product read them. */
export interface SourcePreset {
  /** The name given to `--source`. */
  readonly name: string;
  /** The product and the export it reads. */
  readonly product: string;
  /** Identity fields (`--user`). */
  readonly identity: readonly string[];
  /** Time field (`--time`). */
  readonly time: string;
  /** Event fields joined into one command (`--event`). */
  readonly event: readonly string[];
  /** Parameters field (`--params`), used with `--param-mode names` or `values`. */
  readonly params: string;
  /** Field of whole shell command lines (`--command-line`): when set, it makes the command and parameters instead of `event` and `params`. */
  readonly commandLine?: string;
  /** How the parameters are written (`--params-format`). */
  readonly paramsFormat: PresetParamsFormat;
  /** Several records of one request that count once, when the product writes them. */
  readonly fold?: RecordFold;
  /** Session limits other than the defaults, where a session is longer-lived (a process). */
  readonly sessions?: SessionLimits;
  /** Why these fields: what the choice rests on. */
  readonly why: string;
}

/** How long a preset's sessions may last, in minutes. */
export interface SessionLimits {
  /** The longest gap between two events of one session (`--max-gap`). */
  readonly maxGap: number;
  /** The longest session (`--max-duration`). */
  readonly maxDuration: number;
}

/** The names `--source` takes. */
export type SourceName =
  | "cloudtrail"
  | "purview"
  | "sentinel"
  | "okta"
  | "k8s-audit"
  | "shell-history"
  | "auditd";

/** The sources `--source` knows, by name. */
export const SOURCE_PRESETS: Readonly<Record<SourceName, SourcePreset>> = {
  cloudtrail: {
    name: "cloudtrail",
    product:
      'AWS CloudTrail log files (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, {"Records": [...]})',
    // Service, cross-account and Identity Center calls carry no ARN: the first of these a record has.
    identity: [
      "userIdentity.arn|userIdentity.onBehalfOf.userId|userIdentity.principalId|userIdentity.invokedBy|userIdentity.userName",
    ],
    time: "eventTime",
    event: ["eventSource", "eventName"],
    params: "requestParameters",
    paramsFormat: "json-object",
    // An organization trail and an account trail delivering to one bucket, or overlapping downloads, repeat events.
    fold: { key: "eventID", records: "copies of events" },
    why: "the ARN names the principal (an assumed role's session included) as IAM and GuardDuty show it, else the Identity Center user, principal ID, calling service or user name (records without an ARN); eventSource:eventName reads as IAM's service:Action (iam.amazonaws.com:CreateAccessKey); requestParameters holds the call's arguments",
  },
  purview: {
    name: "purview",
    product:
      "Microsoft Purview audit log search, exported as CSV (RecordId, CreationDate, RecordType, Operation, UserId, AuditData)",
    // The Search-UnifiedAuditLog export names them UserIds and Operations.
    identity: ["UserId|UserIds"],
    time: "CreationDate",
    event: ["Operation|Operations"],
    params: "AuditData.Parameters",
    paramsFormat: "exchange",
    // The record's own ID (RecordId; Identity in Search-UnifiedAuditLog's export): overlapping searches repeat records.
    fold: { key: "RecordId|Identity", records: "copies of records" },
    why: "UserId (UserIds in Search-UnifiedAuditLog's export) is the acting account; Operation is the cmdlet or activity (New-InboxRule, FileDownloaded); AuditData is JSON text whose Parameters list ({Name, Value}) holds an Exchange cmdlet's arguments",
  },
  sentinel: {
    name: "sentinel",
    product:
      "Microsoft Sentinel OfficeActivity table, from the API/KQL or the Azure portal's Export to CSV (TimeGenerated [UTC])",
    identity: ["UserId"],
    time: "TimeGenerated",
    event: ["Operation"],
    params: "Parameters",
    paramsFormat: "exchange",
    // OfficeId is the record's own ID: overlapping exports repeat records.
    fold: { key: "OfficeId", records: "copies of records" },
    why: "the columns of OfficeActivity as hunting queries use them: UserId, Operation, and Parameters (Exchange cmdlet arguments as a JSON list of {Name, Value}); TimeGenerated is the ingestion time every export has",
  },
  okta: {
    name: "okta",
    product: "Okta System Log events (the /api/v1/logs JSON array, or one event per line)",
    identity: ["actor.alternateId"],
    time: "published",
    event: ["eventType", "outcome.result"],
    params: "debugContext.debugData",
    paramsFormat: "json-object",
    // uuid is the event's own ID: overlapping pages or downloads repeat events.
    fold: { key: "uuid", records: "copies of events" },
    why: "actor.alternateId is the login (email) analysts search by; eventType with outcome.result tells a failed sign-in or MFA challenge (user.session.start:FAILURE) from a good one; debugContext.debugData holds the request's details",
  },
  "k8s-audit": {
    name: "k8s-audit",
    product: "Kubernetes API server audit log (audit.k8s.io/v1 Event, one JSON object per line)",
    identity: ["user.username"],
    time: "requestReceivedTimestamp",
    event: ["verb", "objectRef.resource", "objectRef.subresource"],
    params: "objectRef",
    paramsFormat: "json-object",
    // A policy without omitStages: [RequestReceived] writes each request at every stage, under one auditID.
    fold: {
      key: "auditID",
      order: { by: "stage", prefer: ["ResponseComplete", "Panic", "ResponseStarted", "RequestReceived"] },
      records: "stage records of requests",
    },
    why: "user.username is the user or service account (system:serviceaccount:ns:name); verb, resource and subresource are what RBAC grants (create:pods:exec, get:secrets); objectRef names the namespace and object; requestReceivedTimestamp is the same in every stage of a request, and each auditID counts once (its last stage logged)",
  },
  "shell-history": {
    name: "shell-history",
    product:
      "shell history files as the shells write them: bash with timestamps (#<epoch> lines), zsh extended history (: <epoch>:<elapsed>;command), fish (- cmd: / when:)",
    identity: [HISTORY_FIELDS.file],
    time: HISTORY_FIELDS.time,
    event: [HISTORY_FIELDS.commandLine],
    params: HISTORY_FIELDS.commandLine,
    paramsFormat: "json-object",
    commandLine: HISTORY_FIELDS.commandLine,
    why: "a history file is one account's (on one host): the file names who; each command line is split into program, subcommand and flags (the command) and its arguments (parameters), as --command-line does",
  },
  auditd: {
    name: "auditd",
    product:
      "Linux audit logs as auditd writes them (/var/log/audit/audit.log and its rotations, raw or enriched; ausearch --raw output): their SYSCALL records",
    identity: [`${AUDIT_FIELDS.host}|${AUDIT_FIELDS.file}`, AUDIT_FIELDS.pid],
    time: AUDIT_FIELDS.time,
    event: [AUDIT_FIELDS.syscall],
    params: AUDIT_FIELDS.params,
    paramsFormat: "json-object",
    // A process is the session: it may run all day, and wait an hour between calls the rules log.
    sessions: { maxGap: 60, maxDuration: 1440 },
    why: "a process is a session, as in the system-call traces of host intrusion detection (UNM, ADFA-LD): the host (node=, else the log file) and pid name it, and its calls in order are the commands, named as the kernel's tables name them (the enriched log's SYSCALL=, else the number on the record's architecture: x86_64, i386, aarch64); the program (exe, comm), whether the call succeeded, the rule's key and the users (uid, auid) are the parameters",
  },
};

/** The preset of a `--source` name, or undefined. */
export function sourcePreset(name: string): SourcePreset | undefined {
  return Object.hasOwn(SOURCE_PRESETS, name) ? SOURCE_PRESETS[name as SourceName] : undefined;
}
