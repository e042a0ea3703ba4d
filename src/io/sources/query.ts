import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqhuntError } from "../../errors.js";
import { type InputFormat, sqlString } from "../formats.js";
import { timeMicrosSql } from "../time-sql.js";
import { resolveRoute } from "./fields.js";
import { sourceFor } from "./registry.js";
import type { EventFields, RecordReader, Route, SourceFile } from "./types.js";

/** One file's query yielding the standard columns, and what is needed to report its bad rows. */
export interface SourceQuery {
  readonly path: string;
  /** The file DuckDB reads: the path, or a copy with its line endings made consistent. */
  readonly readFrom: string;
  readonly format: InputFormat;
  /** Yields __file, __seq, __id0.., __time, __ts, __event, __params, __bad. */
  readonly sql: string;
  readonly rejectsTable: string | null;
}

/** Records parsed to find where dotted names lead when a name is not a top-level field. */
const ROUTE_SAMPLE = 100;
/** Field names listed when one is missing. */
const LISTED_KEYS = 60;

function missingField(path: string, name: string, keys: readonly string[], role: string): SeqhuntError {
  const listed = keys.slice(0, LISTED_KEYS).map((c) => JSON.stringify(c));
  const more = keys.length > LISTED_KEYS ? `, and ${keys.length - LISTED_KEYS} more` : "";
  return new SeqhuntError(
    `${path}: no ${role} column ${JSON.stringify(name)}; the columns are: ${listed.join(", ")}${more}`,
    { file: path, field: name },
  );
}

/** Finds each named field in a file's records (sampling them only when a name is not a top-level field). */
function fieldFinder(
  path: string,
  reader: RecordReader,
): (name: string, role: string, sparse?: boolean) => Promise<Route> {
  let samples: Record<string, unknown>[] | null = null;
  return async (name, role, sparse = false) => {
    let route = resolveRoute(name, reader.keys, [], { sparse });
    if (route === null) {
      samples ??= await reader.sample(ROUTE_SAMPLE);
      route = resolveRoute(name, reader.keys, samples, { sparse });
    }
    if (route === null) throw missingField(path, name, reader.keys, role);
    return route;
  };
}

/** Builds one file's query of the standard columns from the fields the user named. */
export async function sourceQuery(
  con: DuckDBConnection,
  file: SourceFile,
  fields: EventFields,
): Promise<SourceQuery> {
  const source = sourceFor(file.path);
  const reader = await source.open(con, file);
  const find = fieldFinder(file.path, reader);
  const identity: Route[] = [];
  for (const name of fields.identity) identity.push(await find(name, "identity"));
  const time = await find(fields.time, "time");
  const event: Route[] = [];
  // Identity, time and the first event field must be in some record; later event parts and the
  // parameters may be optional fields (objectRef.subresource, requestParameters) that few records hold.
  for (const [i, name] of fields.event.entries()) event.push(await find(name, "event", i > 0));
  const params = fields.params === null ? null : await find(fields.params, "params", true);
  const timeText = reader.text(time);
  // Several event fields make one command; a missing or empty part is left out.
  const eventSql =
    event.length === 1
      ? reader.text(event[0] as Route)
      : `concat_ws(${sqlString(fields.eventJoiner)}, ${event.map((r) => `NULLIF(${reader.text(r)}, '')`).join(", ")})`;
  const columns = [
    `${file.index} AS __file`,
    `${reader.seq} AS __seq`,
    ...identity.map((r, i) => `${reader.text(r)} AS __id${i}`),
    `${timeText} AS __time`,
    `${reader.typedMicros(time) ?? timeMicrosSql(timeText, { format: fields.timeFormat })} AS __ts`,
    `${eventSql} AS __event`,
    `${params === null ? "NULL" : reader.paramsText(params)} AS __params`,
    `${reader.bad} AS __bad`,
  ];
  return {
    path: file.path,
    readFrom: file.readFrom,
    format: source.format,
    sql: `SELECT ${columns.join(", ")} FROM ${reader.from}`,
    rejectsTable: reader.rejectsTable,
  };
}
