import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqhuntError } from "../../errors.js";
import { alternativesOf, bareName, findRoute, matchKey } from "../../presets/field-names.js";
import type { ParamsFormat } from "../../presets/params.js";
import type { RecordFold } from "../../presets/presets.js";
import { type InputFormat, sqlString } from "../formats.js";
import { timeMicrosSql } from "../time-sql.js";
import { ROUTE_SAMPLE, resolveRoute } from "./fields.js";
import { sourceFor } from "./registry.js";
import type { EventFields, InputSource, RecordReader, Route, RouteStep, SourceFile } from "./types.js";

/** The query of one file (or of a set of files alike) yielding the standard columns, and what is needed to report its bad rows. */
export interface SourceQuery {
  /** The files it reads, consecutive in input order (one, or a set read in one scan). */
  readonly files: readonly SourceFile[];
  readonly format: InputFormat;
  /** Yields __file, __seq, __id0.., __time, __ts, __event, __params, __bad (and __key, __rank with a fold). */
  readonly sql: string;
  readonly rejectsTable: string | null;
}

/** Field names listed when one is missing. */
const LISTED_KEYS = 60;

/** Athena's and Presto's text of a row (struct) value in a CSV export: `{type=IAMUser, arn=...}`, not JSON. */
const ROW_TEXT = /^\{[A-Za-z_]\w*=/;

function missingField(
  path: string,
  name: string,
  keys: readonly string[],
  role: string,
  samples: readonly Record<string, unknown>[],
): SeqhuntError {
  const listed = keys.slice(0, LISTED_KEYS).map((c) => JSON.stringify(c));
  const more = keys.length > LISTED_KEYS ? `, and ${keys.length - LISTED_KEYS} more` : "";
  // A dotted name into a column of row text cannot be reached: say so and what to do.
  const top = matchKey(keys, (alternativesOf(name)[0] as string).split(".")[0] as string);
  const rowText =
    top !== undefined && samples.some((r) => typeof r[top] === "string" && ROW_TEXT.test(r[top] as string))
      ? `; column ${JSON.stringify(top)} holds a SQL engine's row text ({name=value, ...}), not JSON: select the field in the query (${top}.arn AS arn, then --user arn) or export JSON`
      : "";
  return new SeqhuntError(
    `${path}: no ${role} column ${JSON.stringify(name)}; the columns are: ${listed.join(", ")}${more}${rowText}`,
    { file: path, field: name },
  );
}

/** Where a field leads in a file's records: one route, or several alternatives tried in order. */
type FieldRoutes = readonly Route[];

/** How a field is looked for: `sparse`, few records may hold it; `optional`, none need to (no route then). */
interface FindOptions {
  readonly sparse?: boolean;
  readonly optional?: boolean;
}

/** A value that is a JSON object written as text, parsed; undefined for anything else. */
function objectInText(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "string" || !value.trimStart().startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds a name that is no field of the records inside a column holding each record whole as JSON text
 * (CloudWatch Logs' `@message`, Splunk's `_raw`, Purview's `AuditData`): the first such column where a
 * sampled record has the field, in column order. A sparse name no sample has whole is taken as plain
 * nesting only inside a column where another field was found (never into an unrelated JSON text column).
 */
function recordTextFinder(
  keys: readonly string[],
): (name: string, samples: readonly Record<string, unknown>[], options: { sparse: boolean }) => Route | null {
  let found: string | undefined;
  // Each sampled record's text in each column parsed once, however many names are looked for.
  const parsed = new Map<string, (Record<string, unknown> | undefined)[]>();
  const objectsIn = (column: string, samples: readonly Record<string, unknown>[]) => {
    let objects = parsed.get(column);
    if (objects === undefined) {
      objects = samples.map((r) => objectInText(r[column]));
      parsed.set(column, objects);
    }
    return objects;
  };
  return (name, samples, { sparse }) => {
    let partial: Route | null = null;
    for (const column of keys) {
      for (const object of objectsIn(column, samples)) {
        const inner = findRoute(object ?? null, name);
        if (inner === null) continue;
        const [head, ...tail] = inner.route;
        const route = [
          { key: column, parseText: false },
          { key: (head as RouteStep).key, parseText: true },
          ...tail,
        ];
        if (inner.complete) {
          found ??= column;
          return route;
        }
        if (sparse && column === found) partial ??= route;
      }
    }
    return partial;
  };
}

/**
 * Finds each named field in a file's records (sampling them only when a name is not a top-level field);
 * a name listing alternatives (`UserId|UserIds`) leads to each alternative found, at least one required.
 */
function fieldFinder(
  path: string,
  reader: RecordReader,
): (name: string, role: string, options?: FindOptions) => Promise<FieldRoutes> {
  let samples: Record<string, unknown>[] | null = null;
  const inRecordText = recordTextFinder(reader.keys);
  const routeOf = async (name: string, sparse: boolean) => {
    let route = resolveRoute(name, reader.keys, [], { sparse });
    if (route === null) {
      samples ??= await reader.sample(ROUTE_SAMPLE);
      route = resolveRoute(name, reader.keys, samples, { sparse }) ?? inRecordText(name, samples, { sparse });
    }
    return route;
  };
  return async (name, role, { sparse = false, optional = false } = {}) => {
    const alternatives = alternativesOf(name);
    // A name listing alternatives is a key of its own only where a record has it whole.
    const whole = await routeOf(name, alternatives.length > 1 ? false : sparse);
    if (whole !== null) return [whole];
    const routes: Route[] = [];
    let required = false;
    for (const alternative of alternatives.length > 1 ? alternatives : []) {
      const route = await routeOf(alternative, true);
      if (route === null) continue;
      routes.push(route);
      required ||= sparse || (await routeOf(alternative, false)) !== null;
    }
    if (required) return routes;
    // An optional field no record seen holds (objectRef of a log of health checks) is read as missing.
    if (sparse && reader.openKeys && alternatives.length === 1)
      return [name.split(".").map((key) => ({ key, parseText: false }))];
    if (optional) return [];
    throw missingField(path, name, reader.keys, role, samples ?? []);
  };
}

/** SQL of a field as text: its route's, or the first alternative's a record has (non-empty); NULL when none. */
function firstText(routes: FieldRoutes, text: (route: Route) => string): string {
  if (routes.length === 0) return "NULL";
  if (routes.length === 1) return text(routes[0] as Route);
  return `coalesce(${routes.map((r) => `NULLIF(${text(r)}, '')`).join(", ")})`;
}

/**
 * The columns `name` was flattened into (`debugContext.debugData.requestUri`, as Okta's CSV download and
 * other exporters of nested records write them), when `name` is no field of its own (nor its first part).
 */
function flattenedColumns(keys: readonly string[], name: string): string[] {
  if (name.includes("|") || matchKey(keys, name) !== undefined) return [];
  if (matchKey(keys, name.split(".")[0] as string) !== undefined) return [];
  const under = (exact: boolean) => {
    const prefix = exact ? `${name}.` : `${name}.`.toLowerCase();
    return keys.filter((k) => (exact ? bareName(k) : bareName(k).toLowerCase()).startsWith(prefix));
  };
  // As matchKey: another case only when none matches exactly.
  const exact = under(true);
  return exact.length > 0 ? exact : under(false);
}

/**
 * SQL of the parameters text: the field's, else a JSON object gathered from the columns it was flattened
 * into ({@link flattenedColumns}), keyed by the rest of each column's name, empty cells left out.
 */
async function paramsSql(
  path: string,
  reader: RecordReader,
  find: ReturnType<typeof fieldFinder>,
  { name, format }: { readonly name: string; readonly format: ParamsFormat },
): Promise<string> {
  const columns = flattenedColumns(reader.keys, name);
  if (columns.length === 0)
    return firstText(await find(name, "params", { sparse: true }), (r) => reader.paramsText(r));
  if (format !== "json-object")
    throw new SeqhuntError(
      `${path}: --params ${name} is written as ${columns.length} column${columns.length === 1 ? "" : "s"} (${columns
        .slice(0, 3)
        .map((c) => JSON.stringify(c))
        .join(
          ", ",
        )}${columns.length > 3 ? ", ..." : ""}), read as one object: add --params-format json-object`,
      { file: path, field: name },
    );
  // concat_ws leaves out the NULL of an empty cell: a parameter the record does not have.
  const members = columns.map((c) => {
    const cell = `NULLIF(${reader.text([{ key: c, parseText: false }])}, '')`;
    const key = sqlString(JSON.stringify(bareName(c).slice(name.length + 1)));
    return `CASE WHEN ${cell} IS NOT NULL THEN ${key} || ':' || to_json(${cell}) END`;
  });
  return `'{' || concat_ws(',', ${members.join(", ")}) || '}'`;
}

/** The query of a file holding no record: the standard columns, no row. */
function noRecords(file: SourceFile, format: InputFormat, fields: EventFields): SourceQuery {
  const columns = [
    `${file.index} AS __file`,
    "NULL::DOUBLE AS __seq",
    ...fields.identity.map((_, i) => `NULL::VARCHAR AS __id${i}`),
    "NULL::VARCHAR AS __time",
    "NULL::DOUBLE AS __ts",
    "NULL::VARCHAR AS __event",
    "NULL::VARCHAR AS __params",
    "false AS __bad",
    ...(fields.fold === null ? [] : ["NULL::VARCHAR AS __key", "0 AS __rank"]),
  ];
  return {
    files: [file],
    format,
    sql: `SELECT ${columns.join(", ")} WHERE false`,
    rejectsTable: null,
  };
}

/**
 * The columns a fold partitions and orders by: `__key` (NULL where a record has none, or no record has the
 * field) and `__rank`, the position of the record's `by` value in its order's `prefer` (values not listed
 * after them; 0 without an order, so the first record in input order is kept).
 */
async function foldColumns(
  fold: RecordFold,
  find: ReturnType<typeof fieldFinder>,
  text: (routes: FieldRoutes) => string,
): Promise<string[]> {
  const key = text(await find(fold.key, "key", { sparse: true, optional: true }));
  const { order } = fold;
  if (order === undefined) return [`NULLIF(${key}, '') AS __key`, "0 AS __rank"];
  const by = text(await find(order.by, "stage", { sparse: true, optional: true }));
  const ranks = order.prefer.map((value, i) => `WHEN ${sqlString(value)} THEN ${i}`);
  const rank = ranks.length === 0 ? "0" : `CASE ${by} ${ranks.join(" ")} ELSE ${ranks.length} END`;
  return [`NULLIF(${key}, '') AS __key`, `${rank} AS __rank`];
}

/**
 * The queries of the standard columns from the fields the user named, in input order: one per file, or
 * one per set of files alike where their source reads them together (a set's rows in file order).
 */
export async function sourceQueries(
  con: DuckDBConnection,
  files: readonly SourceFile[],
  fields: EventFields,
): Promise<SourceQuery[]> {
  const queries: SourceQuery[] = [];
  let i = 0;
  while (i < files.length) {
    const file = files[i] as SourceFile;
    const source = sourceFor(file.path);
    let j = i + 1;
    while (j < files.length && sourceFor((files[j] as SourceFile).path) === source) j++;
    const run = files.slice(i, j);
    i = j;
    const opened =
      source.openMany === undefined || run.length === 1
        ? { sets: [], alone: run }
        : await source.openMany(con, run);
    for (const set of opened.sets) queries.push(await queryOf(set.files, source, set.reader, fields));
    for (const one of opened.alone)
      queries.push(await queryOf([one], source, await source.open(con, one), fields));
  }
  // Sets and files opened alone are listed apart: back in input order.
  return queries.sort((a, b) => (a.files[0] as SourceFile).index - (b.files[0] as SourceFile).index);
}

/** The query of the standard columns of records `reader` reads (of one file, or of a set). */
async function queryOf(
  files: readonly SourceFile[],
  source: InputSource,
  reader: RecordReader,
  fields: EventFields,
): Promise<SourceQuery> {
  const file = files[0] as SourceFile;
  if (reader.keys.length === 0) return noRecords(file, source.format, fields);
  const find = fieldFinder(file.path, reader);
  const identity: FieldRoutes[] = [];
  for (const name of fields.identity) identity.push(await find(name, "identity"));
  const time = await find(fields.time, "time");
  const event: FieldRoutes[] = [];
  // Identity, time and the first event field must be in some record; later event parts and the
  // parameters may be optional fields (objectRef.subresource, requestParameters) that few records hold.
  for (const [i, name] of fields.event.entries()) event.push(await find(name, "event", { sparse: i > 0 }));
  const text = (routes: FieldRoutes) => firstText(routes, (r) => reader.text(r));
  const params =
    fields.params === null
      ? "NULL"
      : await paramsSql(file.path, reader, find, { name: fields.params, format: fields.paramsFormat });
  const timeText = text(time);
  // Several event fields make one command; a missing or empty part is left out.
  const eventSql =
    event.length === 1
      ? text(event[0] as FieldRoutes)
      : `concat_ws(${sqlString(fields.eventJoiner)}, ${event.map((r) => `NULLIF(${text(r)}, '')`).join(", ")})`;
  const typedTime = time.length === 1 ? reader.typedMicros(time[0] as Route) : null;
  const columns = [
    `${reader.fileIndex ?? file.index} AS __file`,
    `${reader.seq} AS __seq`,
    ...identity.map((r, i) => `${text(r)} AS __id${i}`),
    `${timeText} AS __time`,
    ...(typedTime === null ? [] : [`${typedTime} AS __ts`]),
    `${eventSql} AS __event`,
    `${params} AS __params`,
    `${reader.bad} AS __bad`,
    ...(fields.fold === null ? [] : await foldColumns(fields.fold, find, text)),
  ];
  const fieldsSql = `SELECT ${columns.join(", ")} FROM ${reader.from}`;
  // The time is parsed from its column, not from its field again: the parse names the text many times, and
  // each was an extraction of its own (a query of many JSON files took seconds to plan and run).
  const after = ["__event", "__params", "__bad", ...(fields.fold === null ? [] : ["__key", "__rank"])].join(
    ", ",
  );
  const sql =
    typedTime !== null
      ? fieldsSql
      : `SELECT * EXCLUDE (${after}), ${timeMicrosSql("__time", { format: fields.timeFormat })} AS __ts, ${after} FROM (${fieldsSql})`;
  return { files, format: source.format, sql, rejectsTable: reader.rejectsTable };
}
