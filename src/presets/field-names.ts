/** A header or key as written, without a leading byte-order mark or a trailing ` [UTC]` (Azure portal exports). */
export function bareName(key: string): string {
  return key.replace(/^\uFEFF/, "").replace(/ \[UTC\]$/, "");
}

/**
 * The key of `keys` that `name` names: the key itself, else the one whose bare name it is, else the first
 * whose bare name it is but for case (Athena and other SQL engines write `eventtime` for `eventTime`).
 */
export function matchKey(keys: Iterable<string>, name: string): string | undefined {
  let bare: string | undefined;
  let caseless: string | undefined;
  const lower = name.toLowerCase();
  for (const k of keys) {
    if (k === name) return k;
    if (bare === undefined && bareName(k) === name) bare = k;
    if (caseless === undefined && bareName(k).toLowerCase() === lower) caseless = k;
  }
  return bare ?? caseless;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** One step into a record: a key, and whether the value reached so far is JSON text to parse first. */
export interface RouteStep {
  /** The key to take. */
  readonly key: string;
  /** True when the value reached before this step is JSON text, parsed before taking the key. */
  readonly parseText: boolean;
}

/** Where a named field sits in a record: the keys from the top, e.g. `userIdentity` then `arn`. */
export type Route = readonly RouteStep[];

/** A route found in a record; `complete` false when the record ended early (a missing or null value). */
export interface FoundRoute {
  /** The keys from the top of the record. */
  readonly route: Route;
  /** False when the record ended before the path did and the rest was taken as plain nesting. */
  readonly complete: boolean;
}

/**
 * Where a field name leads in a parsed record: a key (`UserId`, or `TimeGenerated [UTC]` for
 * `TimeGenerated`), or a dotted path into nested objects and into text holding JSON
 * (`AuditData.Parameters`); the longest key first, so a key holding a dot wins. When the record ends
 * early (a sparse field) the rest of the path is taken as plain nesting. Null when nothing matches.
 */
export function findRoute(record: unknown, name: string): FoundRoute | null {
  return isObject(record) ? routeIn(record, name.split(".")) : null;
}

function routeIn(record: Record<string, unknown>, segments: readonly string[]): FoundRoute | null {
  let partial: FoundRoute | null = null;
  for (let i = segments.length; i >= 1; i--) {
    const key = matchKey(Object.keys(record), segments.slice(0, i).join("."));
    if (key === undefined) continue;
    const first: RouteStep = { key, parseText: false };
    if (i === segments.length) return { route: [first], complete: true };
    let value = record[key];
    let parseText = false;
    if (typeof value === "string") {
      try {
        value = JSON.parse(value);
        parseText = true;
      } catch {
        continue;
      }
    }
    const rest = segments.slice(i);
    if (isObject(value)) {
      const inner = routeIn(value, rest);
      if (inner !== null) {
        const [head, ...tail] = inner.route as RouteStep[];
        const route = [first, { key: (head as RouteStep).key, parseText }, ...tail];
        if (inner.complete) return { route, complete: true };
        partial ??= { route, complete: false };
        continue;
      }
    }
    if (value === null || value === undefined || isObject(value))
      partial ??= {
        route: [first, ...rest.map((k, j) => ({ key: k, parseText: j === 0 && parseText }))],
        complete: false,
      };
  }
  return partial;
}

/** The value at a route in a parsed record, undefined where the record has none. */
export function valueAt(record: unknown, route: Route): unknown {
  let value: unknown = record;
  for (const step of route) {
    if (step.parseText && typeof value === "string") {
      try {
        value = JSON.parse(value);
      } catch {
        return undefined;
      }
    }
    if (!isObject(value) || !Object.hasOwn(value, step.key)) return undefined;
    value = value[step.key];
  }
  return value;
}

/** What separates alternatives in a field name: `UserId|UserIds` names whichever of the two a record has. */
export const FIELD_ALTERNATIVES = "|";

/**
 * The names a field name stands for, in order: itself, or the alternatives it lists
 * (`userIdentity.arn|userIdentity.invokedBy`), each a key or a dotted path. A key holding `|` wins.
 */
export function alternativesOf(name: string): string[] {
  return name.includes(FIELD_ALTERNATIVES) ? name.split(FIELD_ALTERNATIVES) : [name];
}

/** How a field is labelled in outputs: its first alternative (`userIdentity.arn` for `userIdentity.arn|...`). */
export function fieldLabel(name: string): string {
  return alternativesOf(name)[0] as string;
}

/** True for a value a record does not have: missing, null or empty text. */
function absent(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/**
 * The value a field name names in a parsed record (see {@link findRoute}), undefined when it has none;
 * for alternatives, the first one the record has (missing, null and empty values skipped).
 */
export function fieldValue(record: unknown, name: string): unknown {
  const alternatives = alternativesOf(name);
  const whole = findRoute(record, name);
  // A name listing alternatives is a key of its own only where the record has it whole.
  const names = alternatives.length > 1 && !whole?.complete ? alternatives : [name];
  let value: unknown;
  for (const n of names) {
    const found = n === name ? whole : findRoute(record, n);
    value = found === null ? undefined : valueAt(record, found.route);
    if (!absent(value)) return value;
  }
  return value;
}

/**
 * What a container's member holds, as {@link containerKey} tells records from the rest: `records`, a
 * non-empty list whose first item is an object; `list`, any other list; `object`; `other` (text, numbers...).
 */
export type MemberKind = "records" | "list" | "object" | "other";

/**
 * Members an API's page of results holds beside its list (`@odata.nextLink`, `nextPageToken`, `kind`,
 * `etag`, CloudWatch Logs' `nextToken` and `searchedLogStreams`): a record has other fields.
 */
const PAGING = /^(@odata\..*|next.*|.*token|kind|etag|searchedLogStreams)$/i;

/**
 * The key of a container's list of records, given its members' kinds and its `kind` field: the only
 * member, when a list (CloudTrail's `{"Records": [...]}`); `items` of a Kubernetes list
 * (`{"kind": "EventList", "items": [...]}`); or a page of an API's results, one list of records beside
 * paging text (Microsoft Graph's `value` and `@odata.nextLink`, Google's `items` and `nextPageToken`,
 * CloudWatch Logs' `events` and `nextToken`). Null when the object is a record itself.
 */
export function containerKey(
  members: readonly (readonly [key: string, kind: MemberKind])[],
  kind: unknown,
): string | null {
  const only = members.length === 1 ? members[0] : undefined;
  if (only !== undefined) return only[1] === "records" || only[1] === "list" ? only[0] : null;
  const listed = (key: string) => members.some(([k, t]) => k === key && t !== "object" && t !== "other");
  if (typeof kind === "string" && kind.endsWith("List") && listed("items")) return "items";
  const lists = members.filter(([k, t]) => t === "records" && !PAGING.test(k));
  const list = lists.length === 1 ? (lists[0] as readonly [string, MemberKind])[0] : null;
  return list !== null && members.every(([k]) => k === list || PAGING.test(k)) ? list : null;
}

/** What a parsed JSON value holds, as a container's member (see {@link MemberKind}). */
function memberKind(value: unknown): MemberKind {
  if (Array.isArray(value)) return isObject(value[0]) ? "records" : "list";
  return isObject(value) ? "object" : "other";
}

/**
 * The records a parsed JSON document holds: an array's items, a container's list (see `containerKey`),
 * or the document itself as one record.
 */
export function recordsOf(document: unknown): unknown[] {
  if (Array.isArray(document)) return document;
  if (isObject(document)) {
    const members = Object.entries(document).map(([k, v]) => [k, memberKind(v)] as const);
    const key = containerKey(members, document.kind);
    const list = key === null ? undefined : document[key];
    if (Array.isArray(list)) return list;
  }
  return [document];
}
