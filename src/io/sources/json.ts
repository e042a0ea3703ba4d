import type { DuckDBConnection } from "@duckdb/node-api";
import { containerKey } from "../../presets/field-names.js";
import { sqlString } from "../formats.js";
import { duckdbReaderCall } from "./duckdb-options.js";
import { jsonPathOf } from "./fields.js";
import { jsonRecordsReader } from "./json-records.js";
import type { InputSource } from "./types.js";

/**
 * The key of a container object's list of records (CloudTrail's `{"Records": [...]}`, a Kubernetes
 * `EventList`'s `items`), or null when the file's values are the records themselves.
 */
async function listKey(con: DuckDBConnection, objects: string): Promise<string | null> {
  const first = (
    await con.runAndReadAll(
      `SELECT json_keys(json)::VARCHAR[] AS keys, json_extract_string(json, '$.kind') AS kind FROM ${objects} WHERE json_type(json) = 'OBJECT' LIMIT 1`,
    )
  ).getRowObjectsJson()[0];
  const key = containerKey((first?.keys ?? []) as string[], first?.kind);
  if (key === null) return null;
  const type = (
    await con.runAndReadAll(`SELECT json_type(json, ${jsonPathOf([key])}) AS t FROM ${objects} LIMIT 1`)
  ).getRowObjectsJson()[0]?.t;
  return type === "ARRAY" ? key : null;
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
