import { findRoute, matchKey, type Route, type RouteStep } from "../../presets/field-names.js";
import { sqlString } from "../formats.js";

/** Records parsed to find where dotted names lead when a name is not a top-level field. */
export const ROUTE_SAMPLE = 100;

/**
 * Where a field name leads in records like `samples`: a top-level key (`keys`), else a dotted path into
 * nested objects or into text holding JSON (`AuditData.Parameters`). With `sparse` (an optional field), a
 * path found in no record but whose start is there is taken as plain nesting. Null when nothing matches.
 */
export function resolveRoute(
  name: string,
  keys: readonly string[],
  samples: readonly Record<string, unknown>[],
  options: { readonly sparse: boolean },
): Route | null {
  const direct = matchKey(keys, name);
  if (direct !== undefined) return [{ key: direct, parseText: false }];
  const segments = name.split(".");
  let partial: Route | null = null;
  for (const record of samples) {
    const found = findRoute(record, name);
    if (found?.complete) return found.route;
    partial ??= found?.route ?? null;
  }
  if (!options.sparse) return null;
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
