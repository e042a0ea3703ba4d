import type { CmdParams } from "../types.js";

/** How the parameters column is written. */
export type ParamsFormat = "exchange" | "json-object" | "json-array";
export type { ParamMode } from "../model/session-type.js";

/** A parameter value as text: strings as they are, other JSON values as JSON text, null/absent as null. */
function valueText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Parses one row's parameters text. Returns the params as a Set (names) or a record (values),
 * or a string saying what is wrong. Empty text means no parameters.
 */
export function parseParams(
  text: string | null,
  format: ParamsFormat,
  mode: "names" | "values",
): CmdParams | string {
  if (text === null || text === "") return paramsFromJson(null, format, mode);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "bad params JSON";
  }
  return paramsFromJson(parsed, format, mode);
}

/** Params from their parsed JSON (null for none), or a string saying what is wrong. */
export function paramsFromJson(
  parsed: unknown,
  format: ParamsFormat,
  mode: "names" | "values",
): CmdParams | string {
  // Only the container of the mode is made (this runs once per row read).
  const names = mode === "names" ? new Set<string>() : null;
  const record: Record<string, string | null> = {};
  const put = (name: string, value: string | null) => {
    if (names !== null) names.add(name);
    // defineProperty keeps a parameter named __proto__ an ordinary own key.
    else if (name === "__proto__")
      Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
    else record[name] = value;
  };
  if (parsed !== null) {
    if (format === "exchange" || format === "json-array") {
      if (!Array.isArray(parsed)) return `params should be a JSON list (${format})`;
      for (const item of parsed) {
        if (format === "json-array") {
          if (typeof item !== "string") return "params list should hold parameter names (strings)";
          put(item, null);
        } else {
          if (
            item === null ||
            typeof item !== "object" ||
            typeof (item as { Name?: unknown }).Name !== "string"
          ) {
            return 'params list items should be {"Name": ..., "Value": ...}';
          }
          const { Name, Value } = item as { Name: string; Value?: unknown };
          put(Name, valueText(Value));
        }
      }
    } else {
      if (typeof parsed !== "object" || Array.isArray(parsed)) return "params should be a JSON object";
      for (const [k, v] of Object.entries(parsed)) put(k, valueText(v));
    }
  }
  return names ?? record;
}
