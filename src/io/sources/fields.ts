import { sqlString } from "../formats.js";
import type { Route, RouteStep } from "./types.js";

/** A header or key as written, without a leading byte-order mark or a trailing ` [UTC]` (Azure portal exports). */
export function bareName(key: string): string {
  return key.replace(/^\uFEFF/, "").replace(/ \[UTC\]$/, "");
}

/** The key of `keys` that `name` names: the key itself, else the one whose bare name it is. */
export function matchKey(keys: Iterable<string>, name: string): string | undefined {
  let bare: string | undefined;
  for (const k of keys) {
    if (k === name) return k;
    if (bare === undefined && bareName(k) === name) bare = k;
  }
  return bare;
}

interface Found {
  readonly route: Route;
  /** False when the route was followed as far as the record went (a missing or null value) and assumed below. */
  readonly complete: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Where the dotted `segments` lead in `record`: longest key first, so a key holding a dot wins. */
function routeIn(record: Record<string, unknown>, segments: readonly string[]): Found | null {
  let partial: Found | null = null;
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
        route: [first, ...rest.map((key, j) => ({ key, parseText: j === 0 && parseText }))],
        complete: false,
      };
  }
  return partial;
}

/**
 * Where a field name leads in records like `samples`: a top-level key (`keys`), else a dotted path into
 * nested objects or into text holding JSON (`AuditData.Parameters`). A path found in no record but whose
 * start is there (a sparse field) is taken as plain nesting. Null when nothing matches.
 */
export function resolveRoute(
  name: string,
  keys: readonly string[],
  samples: readonly Record<string, unknown>[],
): Route | null {
  const direct = matchKey(keys, name);
  if (direct !== undefined) return [{ key: direct, parseText: false }];
  const segments = name.split(".");
  let partial: Route | null = null;
  for (const record of samples) {
    const found = routeIn(record, segments);
    if (found?.complete) return found.route;
    partial ??= found?.route ?? null;
  }
  if (partial === null && segments.length > 1) {
    const top = matchKey(keys, segments[0] as string);
    if (top !== undefined)
      partial = [
        { key: top, parseText: false },
        ...segments.slice(1).map((key) => ({ key, parseText: false })),
      ];
  }
  return partial;
}

/** A JSON path literal selecting nested keys, each quoted so any key works. */
export function jsonPathOf(keys: readonly string[]): string {
  return sqlString(`$${keys.map((k) => `.${JSON.stringify(k)}`).join("")}`);
}

/**
 * SQL reaching `steps` inside `json` (SQL of JSON text): keys in one path until a value is JSON text to
 * parse, text that is not JSON reading as missing. `last` turns the final (JSON, path) into the result.
 */
export function extractSql(
  json: string,
  steps: readonly RouteStep[],
  last: (json: string, path: string) => string,
): string {
  let expr = json;
  let keys: string[] = [];
  for (const step of steps) {
    if (step.parseText && keys.length > 0) {
      const text = `json_extract_string(${expr}, ${jsonPathOf(keys)})`;
      expr = `CASE WHEN json_valid(${text}) THEN ${text} END`;
      keys = [];
    }
    keys.push(step.key);
  }
  return keys.length === 0 ? expr : last(expr, jsonPathOf(keys));
}

/** The value at a JSON path as text. */
export const textAt = (json: string, path: string): string => `json_extract_string(${json}, ${path})`;

/** The value at a JSON path as parameters text: a string as it is, anything else as JSON text. */
export const paramsTextAt = (json: string, path: string): string =>
  `CASE WHEN json_type(${json}, ${path}) = 'VARCHAR' THEN json_extract_string(${json}, ${path}) ELSE json_extract(${json}, ${path})::VARCHAR END`;

/** SQL reaching `rest` inside a column holding JSON text (`AuditData.Parameters`), or the column itself. */
export function withinColumn(
  column: string,
  rest: readonly RouteStep[],
  last: (json: string, path: string) => string,
): string {
  if (rest.length === 0) return column;
  return extractSql(`CASE WHEN json_valid(${column}) THEN ${column} END`, rest, last);
}
