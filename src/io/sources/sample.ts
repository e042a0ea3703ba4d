import type { DuckDBConnection } from "@duckdb/node-api";

/** The columns (name and DuckDB type) a table expression yields. */
export async function describeColumns(
  con: DuckDBConnection,
  from: string,
): Promise<{ name: string; type: string }[]> {
  const rows = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJson();
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** The first `n` rows of a table expression as plain objects (nested values as objects). */
export async function sampleRecords(
  con: DuckDBConnection,
  from: string,
  n: number,
): Promise<Record<string, unknown>[]> {
  const rows = (
    await con.runAndReadAll(`SELECT to_json(t)::VARCHAR AS r FROM (SELECT * FROM ${from} LIMIT ${n}) t`)
  ).getRowObjectsJson();
  return rows.map((r) => JSON.parse(String(r.r)) as Record<string, unknown>);
}
