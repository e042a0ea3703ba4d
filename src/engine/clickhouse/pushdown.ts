import { randomBytes } from "node:crypto";
import { SeqhuntError } from "../../errors.js";
import { trustedCmd } from "../../model/cmd.js";
import { END_ID, RawCounts, START_ID, UNK_ID } from "../../model/counts.js";
import { logProbabilitiesOf, type Model, modelFromCounts } from "../../model/model.js";
import { SessionType } from "../../model/session-type.js";
import type { Command, SessionTypeName } from "../../types.js";
import { type ClickHouseTarget, Connection, float } from "./connection.js";
import { modelTableRows } from "./model-tables.js";
import {
  countQueries,
  type EventSource,
  identityEventsQuery,
  int,
  MODEL_TABLE_COLUMNS,
  microsExpression,
  qualified,
  quoteIdentifier,
  RANK_ORDER,
  rejectCountsQuery,
  SCORE_COLUMNS,
  type ScoringShape,
  SESSION_COLUMNS,
  scoringQuery,
  sessionsOfLevelQuery,
  textExpression,
  type WorkTables,
  workTables,
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

/** What a pushdown run reads and how it splits sessions. */
export interface PushdownOptions {
  readonly target: ClickHouseTarget;
  readonly columns: PushdownColumns;
  readonly maxGapMins: number;
  readonly maxDurationMins: number;
  /** Stop at unusable rows, or count and skip them. */
  readonly onBadRow: "fail" | "skip";
}

/** Rows read, used and skipped (with reasons), as the file readers count them. */
export interface PushdownStats {
  readonly read: number;
  readonly used: number;
  readonly skipped: Map<string, number>;
}

/** A session fetched back from ClickHouse. */
export interface FetchedSession {
  readonly sid: number;
  readonly identity: (string | null)[];
  readonly start: number;
  readonly end: number;
  readonly commands: Command[];
}

/** One session's scores as ClickHouse computed them. */
export interface PushedScore {
  readonly sid: number;
  readonly length: number;
  readonly logLikelihood: number;
  /** NaN when no window fits. */
  readonly rarestWindowLogLikelihood: number;
  /** -1 when no window fits. */
  readonly rarestWindowStart: number;
}

function sessionTypeOf(mode: PushdownColumns["paramMode"]): SessionTypeName {
  return mode === "none"
    ? SessionType.cmdsOnly
    : mode === "names"
      ? SessionType.cmdsParamsOnly
      : SessionType.cmdsParamsValues;
}

/** Checks the columns against the server's and builds the source expressions. */
async function resolveSource(connection: Connection, columns: PushdownColumns): Promise<EventSource> {
  const { database, table } = connection.target;
  const described = await connection.rows(`DESCRIBE TABLE ${qualified(database, table)}`);
  const types = new Map(described.map((r) => [String(r[0]), String(r[1])]));
  const where = `${database}.${table}`;
  const need = (column: string, role: string): string => {
    const type = types.get(column);
    if (type === undefined) {
      throw new SeqhuntError(
        `${where}: no ${role} column ${JSON.stringify(column)}; the columns are: ${[...types.keys()].map((c) => JSON.stringify(c)).join(", ")}`,
        { field: column },
      );
    }
    return type;
  };
  const rejects: { reason: string; condition: string; field: string }[] = [];
  const identity = columns.identity.map((c) => textExpression(c, need(c, "identity")));
  const timeType = need(columns.time, "time");
  const micros = microsExpression(columns.time, timeType);
  if (micros === null) {
    throw new SeqhuntError(
      `${where}: time column ${JSON.stringify(columns.time)} has type ${timeType}; use DateTime, DateTime64, Date or epoch seconds/milliseconds`,
      { field: columns.time },
    );
  }
  if (timeType.startsWith("Nullable("))
    rejects.push({
      reason: "missing time",
      condition: `isNull(${quoteIdentifier(columns.time)})`,
      field: columns.time,
    });
  const eventType = need(columns.event, "event");
  const eventText = textExpression(columns.event, eventType);
  rejects.push({
    reason: "missing event",
    condition: `isNull(${eventText}) OR ${eventText} = ''`,
    field: columns.event,
  });
  const event = eventType.startsWith("Nullable(") ? `assumeNotNull(${eventText})` : eventText;
  let sequence: string | null = null;
  if (columns.sequence !== undefined) {
    const type = need(columns.sequence, "sequence");
    if (!/^(Nullable\()?(U?Int(8|16|32|64)|DateTime|Date)\)?$/.test(type))
      throw new SeqhuntError(
        `${where}: sequence column ${JSON.stringify(columns.sequence)} must be an integer, not ${type}`,
        {
          field: columns.sequence,
        },
      );
    sequence = `toInt64(${quoteIdentifier(columns.sequence)})`;
  }
  let paramNames: string | null = null;
  let paramValues: string | null = null;
  if (columns.paramMode !== "none") {
    if (columns.params === undefined)
      throw new SeqhuntError(
        `--param-mode ${columns.paramMode} needs --params (a Nested column with .Name and .Value)`,
      );
    const arrayOfStrings = (suffix: string): string => {
      const column = `${columns.params}.${suffix}`;
      const type = need(column, "params");
      if (type !== "Array(String)")
        throw new SeqhuntError(
          `${where}: params column ${JSON.stringify(column)} must be Array(String), not ${type}`,
          {
            field: column,
          },
        );
      return quoteIdentifier(column);
    };
    paramNames = arrayOfStrings("Name");
    if (columns.paramMode === "values") {
      paramValues = arrayOfStrings("Value");
      rejects.push({
        reason: "bad params",
        condition: `length(${paramNames}) != length(${paramValues})`,
        field: columns.params,
      });
    }
  }
  return {
    table: qualified(database, table),
    identity,
    micros,
    rejects,
    event,
    sequence,
    paramNames,
    paramValues,
  };
}

/**
 * One pushdown run: events sessionized inside ClickHouse into a work table, then counted or scored there.
 * Only count tables, the top sessions and their scores come back. {@link ClickHousePushdown.close} drops
 * the work tables.
 */
export class ClickHousePushdown {
  readonly sessionType: SessionTypeName;
  readonly stats: PushdownStats;
  readonly sessionCount: number;
  readonly #connection: Connection;
  readonly #tables: WorkTables;
  readonly #identityCount: number;

  private constructor(
    connection: Connection,
    tables: WorkTables,
    sessionType: SessionTypeName,
    identityCount: number,
    stats: PushdownStats,
    sessionCount: number,
  ) {
    this.#connection = connection;
    this.#tables = tables;
    this.sessionType = sessionType;
    this.#identityCount = identityCount;
    this.stats = stats;
    this.sessionCount = sessionCount;
  }

  /** Connects, checks the table, counts unusable rows and sessionizes into a work table. */
  static async open(options: PushdownOptions): Promise<ClickHousePushdown> {
    const connection = await Connection.open(options.target);
    const tables = workTables(`seqhunt_${randomBytes(6).toString("hex")}`);
    try {
      const source = await resolveSource(connection, options.columns);
      const stats = await countRows(connection, source, options);
      const limits = {
        maxGap: Math.round(options.maxGapMins * 60_000_000),
        maxDuration: Math.round(options.maxDurationMins * 60_000_000),
      };
      const db = options.target.database;
      const q = (t: string) => qualified(db, t);
      const n = options.columns.identity.length;
      const keys = Array.from({ length: n }, (_, i) => `i${i}`);
      await connection.command(
        `CREATE TABLE ${q(tables.identities)} ENGINE = Memory AS ${identityEventsQuery(source, limits)}`,
      );
      const levels = (await connection.rows(`SELECT DISTINCT levels FROM ${q(tables.identities)}`)).map((r) =>
        Number(r[0]),
      );
      const identityColumns = keys.map((k) => `${k} Nullable(String)`).join(", ");
      await connection.command(
        `CREATE TABLE ${q(tables.rawSessions)} (${identityColumns}, ${SESSION_COLUMNS}) ENGINE = Memory`,
      );
      for (const level of levels) {
        await connection.command(
          `INSERT INTO ${q(tables.rawSessions)} ${sessionsOfLevelQuery(q(tables.identities), n, limits, level)}`,
        );
      }
      await connection.command(`DROP TABLE ${q(tables.identities)}`);
      // Numbered in the order the file readers emit sessions: identity (missing last), then start.
      await connection.command(
        `CREATE TABLE ${q(tables.sessions)} ENGINE = Memory AS SELECT toUInt64(rowNumberInAllBlocks()) AS sid, * FROM (SELECT * FROM ${q(tables.rawSessions)} ORDER BY ${[...keys, "start_us"].join(", ")})`,
      );
      await connection.command(`DROP TABLE ${q(tables.rawSessions)}`);
      const count = Number((await connection.rows(`SELECT count() FROM ${q(tables.sessions)}`))[0]?.[0] ?? 0);
      return new ClickHousePushdown(
        connection,
        tables,
        sessionTypeOf(options.columns.paramMode),
        n,
        stats,
        count,
      );
    } catch (err) {
      await dropAll(connection, tables).catch(() => undefined);
      await connection.close();
      throw err;
    }
  }

  #q(table: string): string {
    return qualified(this.#connection.target.database, table);
  }

  /**
   * The model of the sessions: raw counts computed in ClickHouse (only the count tables come back), smoothed
   * and turned into probabilities here, as in-process training does. Vocabularies are interned in name order.
   */
  async train(): Promise<Model> {
    const queries = countQueries(this.#q(this.#tables.sessions));
    const counts = new RawCounts();
    const { commands, params, values } = counts;
    const add = (list: number[], id: number, n: number) => {
      while (list.length <= id) list.push(0);
      list[id] = (list[id] as number) + n;
    };
    add(counts.seq1, START_ID, this.sessionCount);
    add(counts.seq1, END_ID, this.sessionCount);
    counts.sessions = this.sessionCount;
    await this.#connection.eachRow(queries.seq1, ([c = "", n = "0"]) => {
      add(counts.seq1, commands.intern(c), Number(n));
    });
    await this.#connection.eachRow(queries.seq2, ([a = "", b = "", n = "0"]) => {
      counts.seq2.add(commands.intern(a), commands.intern(b), Number(n));
    });
    if (this.sessionType !== SessionType.cmdsOnly) {
      await this.#connection.eachRow(queries.cmdParam, ([c = "", p = "", n = "0"]) => {
        const param = params.intern(p);
        counts.cmdParam.add(commands.intern(c), param, Number(n));
        add(counts.param, param, Number(n));
      });
    }
    if (this.sessionType === SessionType.cmdsParamsValues) {
      await this.#connection.eachRow(queries.paramValue, ([p = "", v = "", n = "0"]) => {
        const value = values.intern(v);
        counts.paramValue.add(params.intern(p), value, Number(n));
        add(counts.value, value, Number(n));
      });
    }
    counts.fit();
    return modelFromCounts(counts, this.sessionType);
  }

  /**
   * Scores every session against `model` inside ClickHouse (its log tables uploaded first) and returns the
   * `top` rarest. With `outTable`, writes every session's scores and rank to that table (created).
   */
  async score(
    model: Model,
    shape: Omit<ScoringShape, "withParams" | "withValues" | "unknown">,
    top: number,
    outTable?: string,
  ): Promise<PushedScore[]> {
    if (model.sessionType !== this.sessionType) {
      throw new SeqhuntError(
        `the model is of type ${model.sessionType} but --param-mode gives ${this.sessionType} sessions`,
      );
    }
    const withParams = this.sessionType !== SessionType.cmdsOnly;
    const withValues = this.sessionType === SessionType.cmdsParamsValues;
    const rows = modelTableRows(logProbabilitiesOf(model), withValues);
    const t = this.#tables;
    for (const [name, table] of [
      ["vocab", t.vocab],
      ["trans", t.trans],
      ["cmdParam", t.cmdParam],
      ["paramValue", t.paramValue],
    ] as const) {
      // Scoring again (another model or window) replaces the previous run's tables.
      await this.#connection.command(`DROP TABLE IF EXISTS ${this.#q(table)}`);
      await this.#connection.command(
        `CREATE TABLE ${this.#q(table)} (${MODEL_TABLE_COLUMNS[name]}) ENGINE = Memory`,
      );
      await this.#connection.insert(table, rows[name]);
    }
    const db = this.#connection.target.database;
    await this.#connection.command(`DROP TABLE IF EXISTS ${this.#q(t.scores)}`);
    await this.#connection.command(`CREATE TABLE ${this.#q(t.scores)} (${SCORE_COLUMNS}) ENGINE = Memory`);
    await this.#connection.command(
      `INSERT INTO ${this.#q(t.scores)} ${scoringQuery(db, t, { ...shape, withParams, withValues, unknown: rows.vocab[UNK_ID]?.slice(2) as number[] })}`,
    );
    if (outTable !== undefined) await this.#writeScores(outTable);
    const best = await this.#connection.rows(
      `SELECT sid, n, ll, wll, wstart FROM ${this.#q(t.scores)} ORDER BY ${RANK_ORDER} LIMIT ${int(top)}`,
    );
    return best.map((r) => ({
      sid: Number(r[0]),
      length: Number(r[1]),
      logLikelihood: float(r[2]),
      rarestWindowLogLikelihood: float(r[3]),
      rarestWindowStart: Number(r[4]),
    }));
  }

  async #writeScores(outTable: string): Promise<void> {
    const keys = Array.from({ length: this.#identityCount }, (_, i) => `i${i}`);
    const out = this.#q(outTable);
    const identityColumns = keys.map((k) => `${k} Nullable(String)`).join(", ");
    await this.#connection.command(
      `CREATE TABLE ${out} (${identityColumns}, start_us Int64, end_us Int64, session Array(String), length UInt32, log_likelihood Float64, rarest_window_log_likelihood Float64, rarest_window_start Int64, rank UInt64) ENGINE = Log`,
    );
    await this.#connection.command(
      `INSERT INTO ${out} SELECT ${keys.join(", ")}, start_us, end_us, cmds, n, ll, wll, wstart, toUInt64(rowNumberInAllBlocks() + 1)
       FROM (SELECT * FROM ${this.#q(this.#tables.scores)} ANY INNER JOIN (SELECT sid, ${keys.join(", ")}, start_us, end_us, cmds FROM ${this.#q(this.#tables.sessions)}) AS known USING sid
       ORDER BY ${RANK_ORDER})`,
    );
  }

  /** Sessions by id (all of them when `sids` is omitted: for tests and small tables), in session order. */
  async sessions(sids?: readonly number[]): Promise<FetchedSession[]> {
    const keys = Array.from({ length: this.#identityCount }, (_, i) => `i${i}`);
    let filter = "";
    if (sids !== undefined) {
      if (sids.length === 0) return [];
      // The ids go in as rows (a long IN list would pass ClickHouse's maximum query size).
      const picked = this.#tables.picked;
      await this.#connection.command(`DROP TABLE IF EXISTS ${this.#q(picked)}`);
      await this.#connection.command(`CREATE TABLE ${this.#q(picked)} (sid UInt64) ENGINE = Memory`);
      await this.#connection.insert(
        picked,
        sids.map((sid) => [sid]),
      );
      filter = `WHERE sid IN (SELECT sid FROM ${this.#q(picked)})`;
    }
    const rows = await this.#connection.rows(
      `SELECT sid, ${[...keys, "start_us", "end_us", "cmds", "names", "vals"].join(", ")} FROM ${this.#q(this.#tables.sessions)} ${filter} ORDER BY sid`,
    );
    const n = this.#identityCount;
    return rows.map((r) => {
      const cmds = r[n + 3] as string[];
      const names = r[n + 4] as string[][];
      const values = r[n + 5] as string[][];
      return {
        sid: Number(r[0]),
        identity: r.slice(1, n + 1) as (string | null)[],
        start: Number(r[n + 1]),
        end: Number(r[n + 2]),
        commands: cmds.map((name, i) => this.#command(name, names[i] ?? [], values[i] ?? [])),
      };
    });
  }

  #command(name: string, names: readonly string[], values: readonly string[]): Command {
    if (this.sessionType === SessionType.cmdsOnly) return name;
    if (this.sessionType === SessionType.cmdsParamsOnly) return trustedCmd(name, new Set(names));
    const record: Record<string, string | null> = {};
    names.forEach((p, i) => {
      // defineProperty keeps a parameter named __proto__ an ordinary own key.
      Object.defineProperty(record, p, {
        // Array(String) has no NULL: an empty value reads back as "" (it scores as a missing one does).
        value: values[i] ?? "",
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return trustedCmd(name, record);
  }

  /** Drops the work tables and closes the connection. */
  async close(): Promise<void> {
    try {
      await dropAll(this.#connection, this.#tables);
    } finally {
      await this.#connection.close();
    }
  }
}

async function dropAll(connection: Connection, tables: WorkTables): Promise<void> {
  for (const table of Object.values(tables)) {
    await connection.command(`DROP TABLE IF EXISTS ${qualified(connection.target.database, table)}`);
  }
}

/** Rows read and rejected per reason; with the fail policy, the first reason stops the run. */
async function countRows(
  connection: Connection,
  source: EventSource,
  options: PushdownOptions,
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
    const where = `${options.target.database}.${options.target.table}`;
    const sample = options.columns.sequence
      ? (
          await connection.rows(
            `SELECT min(${quoteIdentifier(options.columns.sequence)}) FROM ${source.table} WHERE ${first.condition}`,
          )
        )[0]?.[0]
      : undefined;
    throw new SeqhuntError(
      `${where}: ${skipped.get(first.reason)} row(s) with ${first.reason} in column ${JSON.stringify(first.field)}${sample === undefined ? "" : ` (first: ${options.columns.sequence} = ${String(sample)})`}; use --on-bad-row skip to count and skip them`,
      { field: first.field },
    );
  }
  let used = read;
  for (const n of skipped.values()) used -= n;
  return { read, used, skipped };
}
