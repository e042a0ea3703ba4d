import type { DuckDBConnection } from "@duckdb/node-api";
import { containerKey, type MemberKind } from "../../presets/field-names.js";
import { sqlString } from "../formats.js";
import { decompressedBytes, duckdbReaderCall, gzipped } from "./duckdb-options.js";
import { fileIndexSql, jsonRecordsReader, numberedByFile, setsOfAlike } from "./json-records.js";
import type { FileSet, InputSource, SourceFile } from "./types.js";

/** SQL of each member's kind as {@link containerKey} tells them apart (MemberKind), of the object `json`. */
const MEMBER_KINDS = `list_transform(json_keys(json), k -> CASE json_type(json, '$.' || to_json(k))
      WHEN 'ARRAY' THEN CASE WHEN json_type(json, '$.' || to_json(k) || '[0]') = 'OBJECT' THEN 'records' ELSE 'list' END
      WHEN 'OBJECT' THEN 'object' ELSE 'other' END)`;

/** The key of the list of records of a container whose members and kinds these are (null: not a container). */
function keyOf(first: Record<string, unknown> | undefined): string | null {
  const keys = (first?.keys ?? []) as string[];
  const kinds = (first?.kinds ?? []) as MemberKind[];
  return containerKey(
    keys.map((k, i) => [k, kinds[i] ?? "other"] as const),
    first?.kind as string | undefined,
  );
}

/** SQL of the records (`j`, text) of JSON values `objects`: a container's list's items, else the values. */
function recordsOf(objects: string, key: string | null, also = ""): string {
  return key === null
    ? `SELECT json::VARCHAR AS j${also} FROM ${objects}`
    : `SELECT unnest(json_extract(json, ${sqlString(`$.${JSON.stringify(key)}[*]`)}))::VARCHAR AS j${also} FROM ${objects}`;
}

/** Files larger than this (decompressed) are opened alone: their own read outweighs a file's overhead. */
const SET_FILE_BYTES = 4 * 1024 * 1024;

/** The most bytes (decompressed) one set of files holds: its first values are held to be probed. */
const SET_BYTES = 64 * 1024 * 1024;

/**
 * Files read together: consecutive small files alike (the same container key, all compressed or none), in
 * sets of at most {@link SET_BYTES}, each set's records numbered within their file. One probe per set reads
 * every file's first value; a file holding none is opened alone (its own errors), as is a large file.
 */
async function openMany(
  con: DuckDBConnection,
  files: readonly SourceFile[],
): Promise<{ sets: FileSet[]; alone: SourceFile[] }> {
  const sets: FileSet[] = [];
  const alone: SourceFile[] = [];
  let chunk: SourceFile[] = [];
  let bytes = 0;
  const probeChunk = async () => {
    if (chunk.length === 1) alone.push(...chunk);
    if (chunk.length > 1) {
      const opened = await openAlike(con, chunk);
      sets.push(...opened.sets);
      alone.push(...opened.alone);
    }
    chunk = [];
    bytes = 0;
  };
  for (const file of files) {
    const size = decompressedBytes(file.readFrom);
    if (size > SET_FILE_BYTES) {
      await probeChunk();
      alone.push(file);
      continue;
    }
    if (bytes + size > SET_BYTES) await probeChunk();
    chunk.push(file);
    bytes += size;
  }
  await probeChunk();
  return { sets, alone };
}

/** Consecutive small files, probed in one scan, in sets of files alike and files opened alone. */
async function openAlike(
  con: DuckDBConnection,
  files: readonly SourceFile[],
): Promise<{ sets: FileSet[]; alone: SourceFile[] }> {
  const objects = duckdbReaderCall(
    files.map((f) => f.readFrom),
    { kind: "json-objects" },
  );
  // Each file's first object; its members' kinds are worked out for that one only.
  const firsts = (
    await con.runAndReadAll(
      `SELECT filename, json_keys(json)::VARCHAR[] AS keys, ${MEMBER_KINDS} AS kinds, json_extract_string(json, '$.kind') AS kind
       FROM (SELECT filename, json, row_number() OVER () AS rn FROM ${objects})
       WHERE json_type(json) = 'OBJECT' QUALIFY rn = min(rn) OVER (PARTITION BY filename)`,
    )
  ).getRowObjectsJson();
  const keyByFile = new Map(firsts.map((r) => [String(r.filename), keyOf(r)]));
  // Alike: the same container key (or none), all compressed or none; a file holding no value alone.
  return setsOfAlike(
    files,
    (f) =>
      keyByFile.has(f.readFrom)
        ? JSON.stringify([keyByFile.get(f.readFrom), gzipped(f.readFrom)])
        : undefined,
    (run) => openSet(con, run, keyByFile.get((run[0] as SourceFile).readFrom) ?? null),
  );
}

/** A set of consecutive files alike read in one scan: `f` the record's file index, `n` its number in that file. */
async function openSet(
  con: DuckDBConnection,
  files: readonly SourceFile[],
  key: string | null,
): Promise<FileSet> {
  const objects = duckdbReaderCall(
    files.map((f) => f.readFrom),
    { kind: "json-objects" },
  );
  const lines = numberedByFile(recordsOf(objects, key, `, ${fileIndexSql(files)} AS f`));
  return {
    files,
    reader: await jsonRecordsReader(con, files[0] as SourceFile, lines, null, { fileIndex: "f" }),
  };
}

/**
 * The key of a container object's list of records (CloudTrail's `{"Records": [...]}`, a Kubernetes
 * `EventList`'s `items`), or null when the file's values are the records themselves.
 */
async function listKey(con: DuckDBConnection, objects: string): Promise<string | null> {
  const first = (
    await con.runAndReadAll(
      `SELECT json_keys(json)::VARCHAR[] AS keys, ${MEMBER_KINDS} AS kinds, json_extract_string(json, '$.kind') AS kind FROM ${objects} WHERE json_type(json) = 'OBJECT' LIMIT 1`,
    )
  ).getRowObjectsJson()[0];
  return keyOf(first);
}

/** JSON: an array of records, records one after another, or containers holding one array of records each. */
export const jsonSource: InputSource = {
  format: "json",
  async open(con, file) {
    const objects = duckdbReaderCall(file.readFrom, { kind: "json-objects" });
    const key = await listKey(con, objects);
    return jsonRecordsReader(
      con,
      file,
      `SELECT j, row_number() OVER () AS n FROM (${recordsOf(objects, key)})`,
      null,
    );
  },
  openMany,
};
