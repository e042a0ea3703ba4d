import { SeqhuntError } from "../../errors.js";
import type { Connection } from "./connection.js";
import {
  type EventSource,
  microsExpression,
  qualified,
  quoteIdentifier,
  type Reject,
  rejectCountsQuery,
  textExpression,
} from "./sql.js";

/** Which columns of the events table play which part. */
export interface PushdownColumns {
  readonly identity: readonly string[];
  readonly time: string;
  readonly event: string;
  /** Breaks ties between equal times (e.g. an ingestion sequence number); without it ties sort by content. */
  readonly sequence?: string | undefined;
  /** A Nested column with `.Name` and `.Value` arrays (parameters of each event). */
  readonly params?: string | undefined;
  readonly paramMode: "none" | "names" | "values";
}

/** Rows read, used and skipped (with reasons), as the file readers count them. */
export interface PushdownStats {
  readonly read: number;
  readonly used: number;
  readonly skipped: Map<string, number>;
}

/** The table's column types, and an error naming the columns that exist when one is missing. */
class TableColumns {
  constructor(
    readonly where: string,
    readonly types: ReadonlyMap<string, string>,
  ) {}

  typeOf(column: string, role: string): string {
    const type = this.types.get(column);
    if (type === undefined) {
      const names = [...this.types.keys()].map((c) => JSON.stringify(c)).join(", ");
      throw new SeqhuntError(
        `${this.where}: no ${role} column ${JSON.stringify(column)}; the columns are: ${names}`,
        { field: column },
      );
    }
    return type;
  }
}

function timeSource(table: TableColumns, column: string): { micros: string; rejects: Reject[] } {
  const type = table.typeOf(column, "time");
  const micros = microsExpression(column, type);
  if (micros === null) {
    throw new SeqhuntError(
      `${table.where}: time column ${JSON.stringify(column)} has type ${type}; use DateTime, DateTime64, Date or epoch seconds/milliseconds`,
      { field: column },
    );
  }
  const rejects = type.startsWith("Nullable(")
    ? [{ reason: "missing time", condition: `isNull(${quoteIdentifier(column)})`, field: column }]
    : [];
  return { micros, rejects };
}

function eventSource(table: TableColumns, column: string): { event: string; reject: Reject } {
  const type = table.typeOf(column, "event");
  const text = textExpression(column, type);
  return {
    event: type.startsWith("Nullable(") ? `assumeNotNull(${text})` : text,
    reject: { reason: "missing event", condition: `isNull(${text}) OR ${text} = ''`, field: column },
  };
}

function sequenceSource(table: TableColumns, column: string | undefined): string | null {
  if (column === undefined) return null;
  const type = table.typeOf(column, "sequence");
  if (!/^(Nullable\()?(U?Int(8|16|32|64)|DateTime|Date)\)?$/.test(type))
    throw new SeqhuntError(
      `${table.where}: sequence column ${JSON.stringify(column)} must be an integer, not ${type}`,
      { field: column },
    );
  return `toInt64(${quoteIdentifier(column)})`;
}

function paramsSource(
  table: TableColumns,
  columns: PushdownColumns,
): { paramNames: string | null; paramValues: string | null; rejects: Reject[] } {
  if (columns.paramMode === "none") return { paramNames: null, paramValues: null, rejects: [] };
  const params = columns.params;
  if (params === undefined)
    throw new SeqhuntError(
      `--param-mode ${columns.paramMode} needs --params (a Nested column with .Name and .Value)`,
    );
  const arrayOfStrings = (suffix: string): string => {
    const column = `${params}.${suffix}`;
    const type = table.typeOf(column, "params");
    if (type !== "Array(String)")
      throw new SeqhuntError(
        `${table.where}: params column ${JSON.stringify(column)} must be Array(String), not ${type}`,
        { field: column },
      );
    return quoteIdentifier(column);
  };
  const paramNames = arrayOfStrings("Name");
  if (columns.paramMode === "names") return { paramNames, paramValues: null, rejects: [] };
  const paramValues = arrayOfStrings("Value");
  const condition = `length(${paramNames}) != length(${paramValues})`;
  return { paramNames, paramValues, rejects: [{ reason: "bad params", condition, field: params }] };
}

/** Checks the columns against the server's and builds the source expressions. */
export async function resolveSource(connection: Connection, columns: PushdownColumns): Promise<EventSource> {
  const { database, table } = connection.target;
  const described = await connection.rows(`DESCRIBE TABLE ${qualified(database, table)}`);
  const types = new TableColumns(
    `${database}.${table}`,
    new Map(described.map((r) => [String(r[0]), String(r[1])])),
  );
  const identity = columns.identity.map((c) => textExpression(c, types.typeOf(c, "identity")));
  const time = timeSource(types, columns.time);
  const event = eventSource(types, columns.event);
  const sequence = sequenceSource(types, columns.sequence);
  const params = paramsSource(types, columns);
  return {
    table: qualified(database, table),
    identity,
    micros: time.micros,
    // In the file readers' order: the first matching reason is the one counted.
    rejects: [...time.rejects, event.reject, ...params.rejects],
    event: event.event,
    sequence,
    paramNames: params.paramNames,
    paramValues: params.paramValues,
  };
}

/** Rows read and rejected per reason; with the fail policy, the first reason stops the run. */
export async function countRows(
  connection: Connection,
  source: EventSource,
  options: { readonly columns: PushdownColumns; readonly onBadRow: "fail" | "skip" },
): Promise<PushdownStats> {
  const row = (await connection.rows(rejectCountsQuery(source)))[0] ?? [];
  const read = Number(row[0] ?? 0);
  const skipped = new Map<string, number>();
  source.rejects.forEach((r, i) => {
    const count = Number(row[i + 1] ?? 0);
    if (count > 0) skipped.set(r.reason, (skipped.get(r.reason) ?? 0) + count);
  });
  const first = source.rejects.find((r) => (skipped.get(r.reason) ?? 0) > 0);
  if (first !== undefined && options.onBadRow === "fail") {
    const sequence = options.columns.sequence;
    const sample = sequence
      ? (
          await connection.rows(
            `SELECT min(${quoteIdentifier(sequence)}) FROM ${source.table} WHERE ${first.condition}`,
          )
        )[0]?.[0]
      : undefined;
    const { database, table } = connection.target;
    throw new SeqhuntError(
      `${database}.${table}: ${skipped.get(first.reason)} row(s) with ${first.reason} in column ${JSON.stringify(first.field)}${sample === undefined ? "" : ` (first: ${sequence} = ${String(sample)})`}; use --on-bad-row skip to count and skip them`,
      { field: first.field },
    );
  }
  let used = read;
  for (const n of skipped.values()) used -= n;
  return { read, used, skipped };
}
