import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqhuntError } from "../../errors.js";
import { formatOf, sqlString } from "../formats.js";
import { emptyFileError, noJsonObjectError } from "../read-problems.js";
import { extractSql, jsonPathOf, paramsTextAt, ROUTE_SAMPLE, textAt } from "./fields.js";
import type { FileSet, RecordReader, Route, SourceFile } from "./types.js";

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

/**
 * The keys of records, each once: by the first record holding it, then by the lowest place any record
 * gives it (so a key every record lists early comes before one a later record adds).
 */
export function keysInOrder(recordKeys: readonly (readonly string[])[]): string[] {
  const first = new Map<string, { record: number; place: number }>();
  for (const [record, keys] of recordKeys.entries())
    for (const [place, key] of keys.entries()) {
      const seen = first.get(key);
      if (seen === undefined) first.set(key, { record, place });
      else if (place < seen.place) seen.place = place;
    }
  return [...first].sort(([, a], [, b]) => a.record - b.record || a.place - b.place).map(([key]) => key);
}

/** SQL of the index of a row's file in a read of several (its `filename`): the files' indexes are consecutive. */
export function fileIndexSql(files: readonly SourceFile[]): string {
  const paths = files.map((f) => sqlString(f.readFrom)).join(", ");
  // Positions in the list are 1-based.
  return `list_position([${paths}], filename) + ${(files[0] as SourceFile).index - 1}`;
}

/**
 * SQL numbering records (`j`, with `f` its file's index) of a read of several files within each file, as
 * `n`: rows come file after file, and the windows stream, so rows stay in that order.
 */
export function numberedByFile(records: string): string {
  const starts = `SELECT j, f, rn, f IS DISTINCT FROM lag(f) OVER () AS starts FROM (SELECT j, f, row_number() OVER () AS rn FROM (${records}))`;
  return `SELECT j, f, rn - max(CASE WHEN starts THEN rn END) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) + 1 AS n FROM (${starts})`;
}

/**
 * Consecutive files in sets of files alike (the same kind, two or more), each opened by `open`; a file of
 * no kind (undefined), or unlike both neighbours, is left to be opened alone.
 */
export async function setsOfAlike(
  files: readonly SourceFile[],
  kindOf: (file: SourceFile) => Promise<string | undefined> | string | undefined,
  open: (files: readonly SourceFile[]) => Promise<FileSet>,
): Promise<{ sets: FileSet[]; alone: SourceFile[] }> {
  const sets: FileSet[] = [];
  const alone: SourceFile[] = [];
  let run: SourceFile[] = [];
  let runKind: string | undefined;
  const close = async () => {
    if (run.length === 1) alone.push(...run);
    else if (run.length > 1) sets.push(await open(run));
    run = [];
  };
  for (const file of files) {
    const kind = await kindOf(file);
    if (kind === undefined || kind !== runKind) await close();
    if (kind === undefined) alone.push(file);
    else run.push(file);
    runKind = kind;
  }
  await close();
  return { sets, alone };
}

/** True when a table expression of records yields no row. */
async function holdsNoRecord(con: DuckDBConnection, from: string): Promise<boolean> {
  return (await con.runAndReadAll(`SELECT 1 FROM ${from} LIMIT 1`)).getRowObjectsJson().length === 0;
}

/**
 * A reader of records held as JSON text, from a query yielding `j` (one record's text) and `n` (its
 * number), and with `fileIndex`, the column of its file's index (a set of files): a record that is not JSON
 * is one bad row.
 */
export async function jsonRecordsReader(
  con: DuckDBConnection,
  file: SourceFile,
  lines: string,
  rejectsTable: string | null,
  options: { readonly fileIndex?: string } = {},
): Promise<RecordReader> {
  const { fileIndex } = options;
  const from = `(SELECT j, n, json_valid(j) AS ok${fileIndex === undefined ? "" : `, ${fileIndex}`} FROM (${lines}) WHERE j IS NOT NULL AND trim(j) <> '')`;
  // One plain read of the first records gives their keys and the texts dotted names are looked for in (the
  // keys ordered here: an aggregate in SQL cost 5.8 ms a file against 1.9, most of a small file's read).
  const head = (
    await con.runAndReadAll(
      `SELECT j, json_keys(j)::VARCHAR[] AS k FROM ${from} WHERE ok AND json_type(j) = 'OBJECT' LIMIT ${KEY_SAMPLE}`,
    )
  ).getRowsJson() as [string, string[]][];
  const keys = keysInOrder(head.map(([, k]) => k));
  const sampled = head.slice(0, ROUTE_SAMPLE).flatMap(([j]) => parsedObject(j));
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
  // Fields reached by a plain path are extracted together, the record parsed once for all of them (three
  // times faster than an extraction per field); `from` is read once every field has been asked for.
  const paths: string[] = [];
  const text = (route: Route) => {
    if (route.some((step, i) => i > 0 && step.parseText))
      return `CASE WHEN ok THEN ${extractSql("j", route, textAt)} END`;
    const path = jsonPathOf(route.map((step) => step.key));
    if (!paths.includes(path)) paths.push(path);
    return `__fields[${paths.indexOf(path) + 1}]`;
  };
  return {
    get from() {
      return paths.length === 0
        ? from
        : `(SELECT *, CASE WHEN ok THEN json_extract_string(j, [${paths.join(", ")}]) END AS __fields FROM ${from})`;
    },
    ...(fileIndex === undefined ? {} : { fileIndex }),
    seq: "CAST(n AS DOUBLE)",
    bad: "NOT ok",
    rejectsTable,
    keys,
    openKeys: true,
    sample: async (n) => sampled.slice(0, n),
    text,
    paramsText: (route) => `CASE WHEN ok THEN ${extractSql("j", route, paramsTextAt)} END`,
    typedMicros: () => null,
  };
}
