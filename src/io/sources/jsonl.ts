import type { DuckDBConnection } from "@duckdb/node-api";
import { isBlankFile } from "../text-file.js";
import { duckdbReaderCall, gzipped } from "./duckdb-options.js";
import { fileIndexSql, jsonRecordsReader, numberedByFile, setsOfAlike } from "./json-records.js";
import type { FileSet, InputSource, SourceFile } from "./types.js";

/** Consecutive files read in one scan, their rejected lines (too long) in one table, each line numbered in its file. */
async function openSet(con: DuckDBConnection, files: readonly SourceFile[]): Promise<FileSet> {
  const rejects = `rejects_${(files[0] as SourceFile).index}`;
  const read = duckdbReaderCall(
    files.map((f) => f.readFrom),
    { kind: "lines", rejects },
  );
  const lines = numberedByFile(`SELECT j, ${fileIndexSql(files)} AS f FROM ${read}`);
  return {
    files,
    reader: await jsonRecordsReader(con, files[0] as SourceFile, lines, rejects, { fileIndex: "f" }),
  };
}

/** JSON Lines: one record per line; a line that is not JSON is one bad row. */
export const jsonlSource: InputSource = {
  format: "jsonl",
  open: (con, file) => {
    // A line too long is rejected by the reader, and counted and located as a bad row.
    const rejects = `rejects_${file.index}`;
    return jsonRecordsReader(
      con,
      file,
      `SELECT j, row_number() OVER () AS n FROM ${duckdbReaderCall(file.readFrom, { kind: "lines", rejects })}`,
      rejects,
    );
  },
  // Consecutive files, all compressed or none, read together; an empty file alone (its own error).
  openMany: (con, files) =>
    setsOfAlike(
      files,
      async (f) => ((await isBlankFile(f.readFrom)) ? undefined : String(gzipped(f.readFrom))),
      (run) => openSet(con, run),
    ),
};
