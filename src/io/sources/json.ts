import type { DuckDBConnection } from "@duckdb/node-api";
import { containerKey, type MemberKind } from "../../presets/field-names.js";
import { sqlString } from "../formats.js";
import { duckdbReaderCall } from "./duckdb-options.js";
import { jsonRecordsReader } from "./json-records.js";
import type { InputSource } from "./types.js";

/**
 * The key of a container object's list of records (CloudTrail's `{"Records": [...]}`, a Kubernetes
 * `EventList`'s `items`), or null when the file's values are the records themselves.
 */
async function listKey(con: DuckDBConnection, objects: string): Promise<string | null> {
  // Each member's kind as containerKey tells them apart (MemberKind), in SQL: the container may be large.
  const kindOf = `CASE json_type(json, '$.' || to_json(k))
      WHEN 'ARRAY' THEN CASE WHEN json_type(json, '$.' || to_json(k) || '[0]') = 'OBJECT' THEN 'records' ELSE 'list' END
      WHEN 'OBJECT' THEN 'object' ELSE 'other' END`;
  const first = (
    await con.runAndReadAll(
      `SELECT json_keys(json)::VARCHAR[] AS keys, list_transform(json_keys(json), k -> ${kindOf}) AS kinds, json_extract_string(json, '$.kind') AS kind FROM ${objects} WHERE json_type(json) = 'OBJECT' LIMIT 1`,
    )
  ).getRowObjectsJson()[0];
  const keys = (first?.keys ?? []) as string[];
  const kinds = (first?.kinds ?? []) as MemberKind[];
  return containerKey(
    keys.map((k, i) => [k, kinds[i] ?? "other"] as const),
    first?.kind,
  );
}

/** JSON: an array of records, records one after another, or containers holding one array of records each. */
export const jsonSource: InputSource = {
  format: "json",
  async open(con, file) {
    const objects = duckdbReaderCall(file.readFrom, { kind: "json-objects" });
    const key = await listKey(con, objects);
    const records =
      key === null
        ? `SELECT json::VARCHAR AS j FROM ${objects}`
        : `SELECT unnest(json_extract(json, ${sqlString(`$.${JSON.stringify(key)}[*]`)}))::VARCHAR AS j FROM ${objects}`;
    return jsonRecordsReader(con, file, `SELECT j, row_number() OVER () AS n FROM (${records})`, null);
  },
};
