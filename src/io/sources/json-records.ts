import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqhuntError } from "../../errors.js";
import { formatOf } from "../formats.js";
import { emptyFileError, noJsonObjectError } from "../read-problems.js";
import { extractSql, paramsTextAt, ROUTE_SAMPLE, textAt } from "./fields.js";
import type { RecordReader, SourceFile } from "./types.js";

/** Records seen to list the keys a JSON file's records have. */
const KEY_SAMPLE = 1000;

/** A record's text parsed, as a one-item list; none where JavaScript cannot parse what DuckDB took as JSON. */
function parsedObject(text: string): Record<string, unknown>[] {
  try {
    return [JSON.parse(text) as Record<string, unknown>];
  } catch {
    return [];
  }
}

/** True when a table expression of records yields no row. */
async function holdsNoRecord(con: DuckDBConnection, from: string): Promise<boolean> {
  return (await con.runAndReadAll(`SELECT 1 FROM ${from} LIMIT 1`)).getRowObjectsJson().length === 0;
}

/**
 * A reader of records held as JSON text, from a query yielding `j` (one record's text) and `n` (its
 * number): a record that is not JSON is one bad row.
 */
export async function jsonRecordsReader(
  con: DuckDBConnection,
  file: SourceFile,
  lines: string,
  rejectsTable: string | null,
): Promise<RecordReader> {
  const from = `(SELECT j, n, json_valid(j) AS ok FROM (${lines}) WHERE j IS NOT NULL AND trim(j) <> '')`;
  // One read of the first records (MATERIALIZED: the file is read once) gives their keys, in the order records
  // first show them, and the texts of the first ROUTE_SAMPLE, which dotted names are looked for in.
  const head = (
    await con.runAndReadAll(
      `WITH h AS MATERIALIZED (SELECT j, row_number() OVER () AS r FROM (SELECT j FROM ${from} WHERE ok AND json_type(j) = 'OBJECT' LIMIT ${KEY_SAMPLE}))
       SELECT (SELECT list(k ORDER BY mn, mi) FROM (SELECT k, min(r) AS mn, min(i) AS mi FROM (SELECT r, unnest(json_keys(j)) AS k, unnest(range(len(json_keys(j))::BIGINT)) AS i FROM h) GROUP BY k)) AS keys,
              (SELECT list(j ORDER BY r) FROM h WHERE r <= ${ROUTE_SAMPLE}) AS sample`,
    )
  ).getRowObjectsJson()[0];
  const keys = ((head?.keys ?? []) as unknown[]).map(String);
  const sampled = ((head?.sample ?? []) as unknown[]).flatMap((j) => parsedObject(String(j)));
  if (keys.length === 0) {
    await emptyFileError(file.readFrom, file.path);
    // A file holding no record (an empty page `[]`, `{"Records": []}`) reads as none, not as bad.
    if (!(await holdsNoRecord(con, from))) {
      // A .json file's values are its records, and none of them is an object.
      if (formatOf(file.path) === "json")
        throw new SeqhuntError(
          `${file.path}: no record: a .json file holds a JSON array of objects, objects, or a container of them ({"Records": [...]}), and this one holds none`,
          { file: file.path },
        );
      await noJsonObjectError(file.path, file.readFrom);
    }
  }
  return {
    from,
    seq: "CAST(n AS DOUBLE)",
    bad: "NOT ok",
    rejectsTable,
    keys,
    openKeys: true,
    sample: async (n) => sampled.slice(0, n),
    text: (route) => `CASE WHEN ok THEN ${extractSql("j", route, textAt)} END`,
    paramsText: (route) => `CASE WHEN ok THEN ${extractSql("j", route, paramsTextAt)} END`,
    typedMicros: () => null,
  };
}
