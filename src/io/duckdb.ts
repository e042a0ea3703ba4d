import { createRequire } from "node:module";

/**
 * The DuckDB API, loaded when first asked for (a command that reads no file never loads it). Required, not
 * imported: an ES module import of it first scans its ~60 CommonJS files for export names, 100-200 ms.
 */
export function duckdb(): typeof import("@duckdb/node-api") {
  return createRequire(import.meta.url)("@duckdb/node-api") as typeof import("@duckdb/node-api");
}
