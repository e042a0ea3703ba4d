/**
 * Every setting seqhunt reads from the environment, read here and nowhere else (the README's "Settings"
 * table lists them with the command-line options). Each is read when used, so a change takes effect at once.
 */

/** How hunt holds sessions: in memory, spilled to a temporary file in two passes, or chosen by input size. */
export type HuntMode = "memory" | "spill" | "auto";

/** How DuckDB hands sorted rows over: batches of 4,096 rows per string, one row per string, or by input size. */
export type ReadMode = "batches" | "rows" | "auto";

/** `SEQHUNT_DUCKDB_MEMORY`: DuckDB's memory limit before it spills to disk (default `1GB`). */
export function duckdbMemory(): string {
  return process.env.SEQHUNT_DUCKDB_MEMORY ?? "1GB";
}

/** `SEQHUNT_HUNT_MODE`: `memory` or `spill` forces how hunt holds sessions; anything else leaves it to input size. */
export function huntMode(): HuntMode {
  const mode = process.env.SEQHUNT_HUNT_MODE;
  return mode === "memory" || mode === "spill" ? mode : "auto";
}

/** `SEQHUNT_READ_MODE`: `batches` or `rows` forces how sorted rows are read; anything else leaves it to input size. */
export function readMode(): ReadMode {
  const mode = process.env.SEQHUNT_READ_MODE;
  // As before this module: only "batches" means batches; any other value set means rows.
  if (mode === undefined) return "auto";
  return mode === "batches" ? "batches" : "rows";
}

/** `SEQHUNT_CLICKHOUSE_USER` and `SEQHUNT_CLICKHOUSE_PASSWORD`: ClickHouse credentials (kept off the command line). */
export function clickhouseCredentials(): { user: string | undefined; password: string | undefined } {
  return { user: process.env.SEQHUNT_CLICKHOUSE_USER, password: process.env.SEQHUNT_CLICKHOUSE_PASSWORD };
}
