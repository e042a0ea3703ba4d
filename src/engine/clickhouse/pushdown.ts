import { randomBytes } from "node:crypto";
import { categoricalOfParts } from "../../detect/base.js";
import type { ContextCounts } from "../../detect/context-chain.js";
import { type CountedInEngine, MarkovNoveltyCountsBuilder } from "../../detect/markov-novelty-counts.js";
import { SeqhuntError } from "../../errors.js";
import {
  CountsBuilder,
  logTablesOf,
  type Model,
  parametersOf,
  SessionType,
  sessionTypeOf,
  trustedCmd,
  UNK_ID,
} from "../../model/engine-access.js";
import type { Command, SessionTypeName } from "../../types.js";
import { type ClickHouseTarget, Connection, float } from "./connection.js";
import { ContextCountsBuilder } from "./context-counts.js";
import {
  chainStepsQuery,
  commandFirstColumns,
  commandFirstQuery,
  contextStepsColumns,
  contextStepsQuery,
  noveltyWindowsQuery,
  parameterValuesQuery,
  presenceFirstColumns,
  presenceFirstQuery,
  presenceSetsQuery,
} from "./detector-sql.js";
import { detectLayout, type ShardWork } from "./layout.js";
import { modelTableRows } from "./model-tables.js";
import { type Site, WorkSites } from "./sites.js";
import { countRows, type PushdownColumns, type PushdownStats, resolveSource } from "./source.js";
import {
  type CountQueries,
  countQueries,
  type EventSource,
  identityEventsQuery,
  identityKeys,
  int,
  type LimitsMicros,
  MODEL_TABLE_COLUMNS,
  numberedSessionsQuery,
  qualified,
  RANK_ORDER,
  SCORE_COLUMNS,
  type ScoringShape,
  SESSION_COLUMNS,
  scoredSessionsQuery,
  scoringQuery,
  sessionsOfLevelQuery,
  workTables,
} from "./sql.js";

export type { ShardWork } from "./layout.js";
export type { PushdownColumns, PushdownStats } from "./source.js";

/** What a pushdown run reads and how it splits sessions. */
export interface PushdownOptions {
  readonly target: ClickHouseTarget;
  readonly columns: PushdownColumns;
  readonly maxGapMins: number;
  readonly maxDurationMins: number;
  /** Stop at unusable rows, or count and skip them. */
  readonly onBadRow: "fail" | "skip";
  /** Where the per-identity work runs: see {@link ShardWork} (default `auto`). */
  readonly shardWork?: ShardWork | undefined;
  /** HTTP URLs of the shards in cluster order (default: each shard's host at the port of `target.url`). */
  readonly shardUrls?: readonly string[] | undefined;
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

/** Connects to the servers that do the work: the initiator alone, or every shard (see {@link ShardWork}). */
async function openSites(
  initiator: Connection,
  source: EventSource,
  options: PushdownOptions,
  rows: number,
): Promise<WorkSites> {
  const tables = workTables(`seqhunt_${randomBytes(6).toString("hex")}`);
  const layout = await detectLayout(initiator, {
    identity: options.columns.identity,
    work: options.shardWork ?? "auto",
    shardUrls: options.shardUrls,
  });
  if (layout.kind === "single") return WorkSites.single(initiator, source.table, tables);
  return WorkSites.sharded(initiator, layout, tables, rows);
}

/** Sessionizes one site's events into its sessions work table (see sql.ts for how). */
async function sessionizeOn(
  sites: WorkSites,
  site: Site,
  source: EventSource,
  limits: LimitsMicros,
): Promise<void> {
  const { connection } = site;
  const t = sites.tables;
  const on = (table: string) => sites.on(site, table);
  const n = source.identity.length;
  const local = { ...source, table: site.events };
  await connection.command(
    `CREATE TABLE ${on(t.identities)} ENGINE = Memory AS ${identityEventsQuery(local, limits)}`,
  );
  const levels = (await connection.rows(`SELECT DISTINCT levels FROM ${on(t.identities)}`)).map((r) =>
    Number(r[0]),
  );
  await connection.command(`CREATE TABLE ${on(t.rawSessions)} (${sessionColumns(n)}) ENGINE = Memory`);
  for (const level of levels) {
    await connection.command(
      `INSERT INTO ${on(t.rawSessions)} ${sessionsOfLevelQuery(on(t.identities), n, limits, level)}`,
    );
  }
  await connection.command(`DROP TABLE ${on(t.identities)}`);
  const numbering = { index: site.index, count: sites.sites.length };
  await connection.command(
    `CREATE TABLE ${on(t.sessions)} ENGINE = Memory AS ${numberedSessionsQuery(on(t.rawSessions), n, numbering)}`,
  );
  await connection.command(`DROP TABLE ${on(t.rawSessions)}`);
}

/** The sessions table's columns: identity columns, then {@link SESSION_COLUMNS}. */
function sessionColumns(identityCount: number): string {
  return [...identityKeys(identityCount).map((k) => `${k} Nullable(String)`), SESSION_COLUMNS].join(", ");
}

/** Streams count rows into a counts builder, which owns the START/END rule and the totals (and adds parts). */
async function readCounts(
  connection: Connection,
  queries: CountQueries,
  counts: CountsBuilder,
): Promise<void> {
  const parameters = parametersOf(counts.sessionType);
  counts.addSessions(Number((await connection.rows(queries.sessions))[0]?.[0] ?? 0));
  await connection.eachRow(queries.commands, ([c = "", n = "0"]) => counts.addCommand(c, Number(n)));
  await connection.eachRow(queries.first, ([c = "", n = "0"]) => counts.addFirstCommand(c, Number(n)));
  await connection.eachRow(queries.transitions, ([a = "", b = "", n = "0"]) =>
    counts.addTransition(a, b, Number(n)),
  );
  await connection.eachRow(queries.last, ([c = "", n = "0"]) => counts.addLastCommand(c, Number(n)));
  if (parameters.names)
    await connection.eachRow(queries.cmdParam, ([c = "", p = "", n = "0"]) =>
      counts.addCommandParam(c, p, Number(n)),
    );
  if (parameters.values)
    await connection.eachRow(queries.paramValue, ([p = "", v = "", n = "0"]) =>
      counts.addParamValue(p, v, Number(n)),
    );
}

/**
 * One pushdown run: events sessionized inside ClickHouse into work tables (on the server that receives the
 * queries, or on every shard of a table sharded by identity), then counted or scored there. Only count
 * tables, the top sessions and their scores come back. {@link ClickHousePushdown.close} drops the work tables.
 */
export class ClickHousePushdown {
  readonly sessionType: SessionTypeName;
  readonly stats: PushdownStats;
  readonly sessionCount: number;
  /** Whether every shard did its own identities' work (else the server that received the queries did it all). */
  readonly sharded: boolean;
  readonly #sites: WorkSites;
  readonly #identityCount: number;
  /** Command names and identities read back so far, each kept once (see {@link #shared}). */
  readonly #names = new Map<string, string>();
  /** The sessions work table as the initiator reads it across every site. */
  readonly #sessions: string;

  /** The names of this run's work tables (the same on every site), which {@link close} drops. */
  get workTableNames(): string[] {
    return Object.values(this.#sites.tables);
  }

  private constructor(
    sites: WorkSites,
    parts: {
      sessionType: SessionTypeName;
      identityCount: number;
      stats: PushdownStats;
      sessions: string;
      count: number;
    },
  ) {
    this.#sites = sites;
    this.sessionType = parts.sessionType;
    this.#identityCount = parts.identityCount;
    this.stats = parts.stats;
    this.#sessions = parts.sessions;
    this.sessionCount = parts.count;
    this.sharded = sites.cluster !== null;
  }

  /** Connects, checks the table, counts unusable rows and sessionizes into work tables. */
  static async open(options: PushdownOptions): Promise<ClickHousePushdown> {
    const initiator = await Connection.open(options.target);
    let sites: WorkSites | undefined;
    try {
      const source = await resolveSource(initiator, options.columns);
      const stats = await countRows(initiator, source, options);
      sites = await openSites(initiator, source, options, stats.read);
      const limits = {
        maxGap: Math.round(options.maxGapMins * 60_000_000),
        maxDuration: Math.round(options.maxDurationMins * 60_000_000),
      };
      const work = sites;
      await work.onEach((site) => sessionizeOn(work, site, source, limits));
      const n = options.columns.identity.length;
      const sessions = await work.all(work.tables.sessions, `sid UInt64, ${sessionColumns(n)}`);
      const count = Number((await initiator.rows(`SELECT count() FROM ${sessions}`))[0]?.[0] ?? 0);
      const sessionType = sessionTypeOf(options.columns.paramMode);
      return new ClickHousePushdown(work, { sessionType, identityCount: n, stats, sessions, count });
    } catch (err) {
      if (sites !== undefined) await sites.close().catch(() => undefined);
      else await initiator.close();
      throw err;
    }
  }

  /**
   * The model of the sessions: raw counts computed in ClickHouse (only the count tables come back), smoothed
   * and turned into probabilities here, as in-process training does. Without shards the vocabularies are
   * interned in name order. With shards each shard counts its own sessions and the counts builder adds them
   * up (exact: counts are whole numbers): names are interned shard by shard, each shard's in name order
   * (merging them on the server that received the query would put the largest table, values, on it alone).
   */
  async train(): Promise<Model> {
    const sites = this.#sites;
    const counts = new CountsBuilder(this.sessionType);
    if (sites.cluster === null) await readCounts(sites.initiator, countQueries(this.#sessions), counts);
    else
      for (const site of sites.sites)
        await readCounts(site.connection, countQueries(sites.on(site, sites.tables.sessions)), counts);
    return counts.build();
  }

  /**
   * markov-novelty's count statistics but the context chain's (chain, occurrence view, novelty windows; per entity with `entity`,
   * the index of an identity column), counted where the sessions are: each shard counts its own at once
   * into work tables, then their rows stream here one shard after the other and add up (exact: whole
   * numbers). Which parameters are categorical depends on every shard's values, so it is settled first
   * and uploaded to every shard.
   */
  async countMarkovNovelty(options: { entity: number | null; window: number }): Promise<CountedInEngine> {
    const sites = this.#sites;
    const t = sites.tables;
    const parameters = parametersOf(this.sessionType);
    const entity =
      options.entity === null ? null : (identityKeys(this.#identityCount)[options.entity] ?? null);
    if (options.entity !== null && entity === null)
      throw new SeqhuntError(`no identity column ${options.entity} to count entities by`);
    const categorical = parameters.values ? await this.#categorical() : new Set<string>();
    await sites.onEach(async (site) => {
      const on = (table: string) => sites.on(site, table);
      const sessions = on(t.sessions);
      const shape = {
        withParams: parameters.names,
        withValues: parameters.values,
        categorical: parameters.values ? on(t.categorical) : null,
      };
      for (const [table, query] of [
        [t.presenceFirst, presenceFirstQuery(sessions, this.#identityCount, shape)],
        [t.presenceSets, presenceSetsQuery(sessions, entity, shape)],
        [t.chainSteps, chainStepsQuery(sessions, entity)],
        [t.noveltyWindows, noveltyWindowsQuery(sessions, options.window)],
      ] as const)
        await createWorkTable(site.connection, on(table), query);
    });
    const counts = new MarkovNoveltyCountsBuilder({ categorical, window: options.window });
    // Tokens in the order in-process training first meets them, over every site (ClickHouse sorts the keys).
    const first = await sites.all(t.presenceFirst, presenceFirstColumns(this.#identityCount));
    await sites.initiator.eachRow(`SELECT tok FROM ${first} GROUP BY tok ORDER BY min(first)`, ([tok = ""]) =>
      counts.addToken(tok),
    );
    const entityOf = (has: unknown, ent: unknown) => (Number(has) === 1 ? String(ent) : undefined);
    for (const site of sites.sites) {
      const on = (table: string) => sites.on(site, table);
      await site.connection.eachObject(`SELECT has, ent, toks, n FROM ${on(t.presenceSets)}`, (row) =>
        counts.addSet(entityOf(row.has, row.ent), row.toks as string[], Number(row.n)),
      );
      await site.connection.eachRow(
        `SELECT has, ent, a, b, n FROM ${on(t.chainSteps)}`,
        ([has, ent, a = "", b = "", n]) => counts.addStep(entityOf(has, ent), a, b, Number(n)),
      );
      await site.connection.eachRow(`SELECT w, n FROM ${on(t.noveltyWindows)}`, ([w = "", n]) =>
        counts.addWindow(w, Number(n)),
      );
      for (const table of [t.presenceFirst, t.presenceSets, t.chainSteps, t.noveltyWindows])
        await site.connection.command(`DROP TABLE IF EXISTS ${on(table)}`);
    }
    return counts.build();
  }

  /**
   * markov-novelty's context chain's counts (contexts of up to `maxOrder` commands), counted where the
   * sessions are: each shard finds where its commands first occur, which orders them over every shard as
   * in-process counting interns them; with those ids uploaded, each shard counts its own sessions' steps at
   * once, and they stream here in the order in-process counting first meets them (each shard sorts its own,
   * the initiator merges the sorted streams), so the counts, ids and the order of contexts are in-process
   * counting's.
   */
  async countContextChain(maxOrder: number): Promise<ContextCounts> {
    const sites = this.#sites;
    const t = sites.tables;
    const n = this.#identityCount;
    await sites.onEach((site) =>
      createWorkTable(
        site.connection,
        sites.on(site, t.commandFirst),
        commandFirstQuery(sites.on(site, t.sessions), n),
      ),
    );
    const counts = new ContextCountsBuilder(maxOrder);
    const first = await sites.all(t.commandFirst, commandFirstColumns(n));
    await sites.initiator.eachRow(`SELECT c FROM ${first} GROUP BY c ORDER BY min(first)`, ([c = ""]) =>
      counts.addCommand(c),
    );
    const ids = counts.tokens().map((name, id) => [name, id] as const);
    await sites.onEach(async (site) => {
      const on = (table: string) => sites.on(site, table);
      await replaceTable(site.connection, on(t.tokenIds), "name String, id UInt32");
      await site.connection.insert(t.tokenIds, ids);
      const query = contextStepsQuery(on(t.sessions), n, { maxOrder, vocabulary: on(t.tokenIds) });
      await createWorkTable(site.connection, on(t.contextSteps), query);
    });
    const steps = await sites.all(t.contextSteps, contextStepsColumns(n));
    await sites.initiator.eachRow(`SELECT g, n FROM ${steps} ORDER BY first`, ([g = "[]", count = "0"]) =>
      counts.addStep(Int32Array.from(g.slice(1, -1).split(","), Number), Number(count)),
    );
    await sites.onEach(async (site) => {
      for (const table of [t.commandFirst, t.tokenIds, t.contextSteps])
        await site.connection.command(`DROP TABLE IF EXISTS ${sites.on(site, table)}`);
    });
    return counts.build();
  }

  /** The categorical parameters over every site, uploaded to each as the rows of its categorical table. */
  async #categorical(): Promise<Set<string>> {
    const sites = this.#sites;
    const t = sites.tables;
    const parts: [string, string[] | null][] = [];
    for (const site of sites.sites) {
      for (const [p, distinct, values] of await site.connection.rows(
        parameterValuesQuery(sites.on(site, t.sessions)),
      )) {
        const listed = values as string[];
        // The values are listed only when few enough to be categorical on this site alone.
        parts.push([String(p), Number(distinct) === listed.length ? listed : null]);
      }
    }
    const categorical = categoricalOfParts(parts);
    await sites.onEach(async (site) => {
      await replaceTable(site.connection, sites.on(site, t.categorical), "p String");
      await site.connection.insert(
        t.categorical,
        [...categorical].map((p) => [p]),
      );
    });
    return categorical;
  }

  /**
   * Scores every session against `model` inside ClickHouse (its log tables uploaded to every site first) and
   * returns the `top` rarest. With `outTable`, writes every session's scores and rank to that table (created).
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
    const parameters = parametersOf(this.sessionType);
    const rows = modelTableRows(logTablesOf(model), parameters.values);
    const full: ScoringShape = {
      ...shape,
      withParams: parameters.names,
      withValues: parameters.values,
      unknown: rows.vocab[UNK_ID]?.slice(2) as number[],
    };
    const sites = this.#sites;
    const t = sites.tables;
    await sites.onEach(async (site) => {
      const on = (table: string) => sites.on(site, table);
      for (const [name, table] of [
        ["vocab", t.vocab],
        ["trans", t.trans],
        ["cmdParam", t.cmdParam],
        ["paramValue", t.paramValue],
      ] as const) {
        // Scoring again (another model or window) replaces the previous run's tables.
        await replaceTable(site.connection, on(table), MODEL_TABLE_COLUMNS[name]);
        // insert() qualifies with the connection's database, which is the site's.
        await site.connection.insert(table, rows[name]);
      }
      await replaceTable(site.connection, on(t.scores), SCORE_COLUMNS);
      const tables = {
        sessions: on(t.sessions),
        vocab: on(t.vocab),
        trans: on(t.trans),
        cmdParam: on(t.cmdParam),
        paramValue: on(t.paramValue),
      };
      await site.connection.command(`INSERT INTO ${on(t.scores)} ${scoringQuery(tables, full)}`);
    });
    if (outTable !== undefined) await this.#writeScores(outTable);
    const scores = await sites.all(t.scores, SCORE_COLUMNS);
    // Over shards, each returns its own top N and the initiator merges them.
    const best = await sites.initiator.rows(
      `SELECT sid, n, ll, wll, wstart FROM ${scores} ORDER BY ${RANK_ORDER} LIMIT ${int(top)}`,
    );
    return best.map((r) => ({
      sid: Number(r[0]),
      length: Number(r[1]),
      logLikelihood: float(r[2]),
      rarestWindowLogLikelihood: float(r[3]),
      rarestWindowStart: Number(r[4]),
    }));
  }

  /** Every session's scores and overall rank into a new `Log` table on the server that received the queries. */
  async #writeScores(outTable: string): Promise<void> {
    const sites = this.#sites;
    const t = sites.tables;
    const keys = identityKeys(this.#identityCount);
    await sites.onEach(async (site) => {
      const on = (table: string) => sites.on(site, table);
      await site.connection.command(`DROP TABLE IF EXISTS ${on(t.scored)}`);
      await site.connection.command(
        `CREATE TABLE ${on(t.scored)} ENGINE = Memory AS ${scoredSessionsQuery(on(t.scores), on(t.sessions), this.#identityCount)}`,
      );
    });
    const identityColumns = keys.map((k) => `${k} Nullable(String)`).join(", ");
    const scored = await sites.all(
      t.scored,
      `${SCORE_COLUMNS}, ${identityColumns}, start_us Int64, end_us Int64, cmds Array(String)`,
    );
    const out = qualified(sites.initiator.target.database, outTable);
    await sites.initiator.command(
      `CREATE TABLE ${out} (${identityColumns}, start_us Int64, end_us Int64, session Array(String), length UInt32, log_likelihood Float64, rarest_window_log_likelihood Float64, rarest_window_start Int64, rank UInt64) ENGINE = Log`,
    );
    await sites.initiator.command(
      `INSERT INTO ${out} SELECT ${keys.join(", ")}, start_us, end_us, cmds, n, ll, wll, wstart, toUInt64(rowNumberInAllBlocks() + 1)
       FROM (SELECT * FROM ${scored} ORDER BY ${RANK_ORDER})`,
    );
  }

  /** Sessions by id (all of them when `sids` is omitted: for tests and small tables), in session id order. */
  async sessions(sids?: readonly number[]): Promise<FetchedSession[]> {
    const sites = this.#sites;
    let filter = "";
    if (sids !== undefined) {
      if (sids.length === 0) return [];
      // The ids go in as rows, to every site (a long IN list would pass ClickHouse's maximum query size).
      const picked = sites.tables.picked;
      await sites.onEach(async (site) => {
        await replaceTable(site.connection, sites.on(site, picked), "sid UInt64");
        await site.connection.insert(
          picked,
          sids.map((sid) => [sid]),
        );
      });
      // Over shards this subquery runs on each shard, against its own copy of the ids.
      filter = `WHERE sid IN (SELECT sid FROM ${sites.on(sites.sites[0] as Site, picked)})`;
    }
    const fetched: FetchedSession[] = [];
    await sites.initiator.eachObject(`${this.#selectSessions()} ${filter} ORDER BY sid`, (row) =>
      fetched.push(this.#fetched(row)),
    );
    return fetched;
  }

  /**
   * Streams every session to `onSession` in the order the file readers emit them (identity, missing last,
   * then start), a chunk of the response at a time: the in-process detectors take them from here. Only the
   * parameter columns the session type reads travel.
   */
  async eachSession(onSession: (session: FetchedSession) => void): Promise<void> {
    const order = [...identityKeys(this.#identityCount), "start_us"].join(", ");
    await this.#sites.initiator.eachObject(`${this.#selectSessions()} ORDER BY ${order}`, (row) =>
      onSession(this.#fetched(row)),
    );
  }

  /** The query of every session's id, identity, times, commands and the parameter columns its type reads. */
  #selectSessions(): string {
    const parameters = parametersOf(this.sessionType);
    const columns = ["sid", ...identityKeys(this.#identityCount), "start_us", "end_us", "cmds"];
    if (parameters.names) columns.push("names");
    if (parameters.values) columns.push("vals");
    return `SELECT ${columns.join(", ")} FROM ${this.#sessions}`;
  }

  /** A session from a row of {@link #selectSessions} (64-bit integers arrive as text). */
  #fetched(row: Record<string, unknown>): FetchedSession {
    const cmds = row.cmds as string[];
    const names = (row.names ?? []) as string[][];
    const values = (row.vals ?? []) as string[][];
    return {
      sid: Number(row.sid),
      identity: identityKeys(this.#identityCount).map((k) => this.#shared(row[k] as string | null)),
      start: Number(row.start_us),
      end: Number(row.end_us),
      commands: cmds.map((name, i) => this.#command(this.#shared(name), names[i] ?? [], values[i] ?? [])),
    };
  }

  /** One string object per command name or identity: JSON gives each row its own copy (10M events: GBs). */
  #shared<T extends string | null>(text: T): T {
    if (text === null) return text;
    const known = this.#names.get(text);
    if (known !== undefined) return known as T;
    this.#names.set(text, text);
    return text;
  }

  #command(name: string, names: readonly string[], values: readonly string[]): Command {
    if (this.sessionType === SessionType.cmdsOnly) return name;
    if (this.sessionType === SessionType.cmdsParamsOnly) return trustedCmd(name, new Set(names));
    const record: Record<string, string | null> = {};
    names.forEach((p, i) => {
      // Array(String) has no NULL: an empty value reads back as "" (it scores as a missing one does).
      const value = values[i] ?? "";
      // defineProperty keeps a parameter named __proto__ an ordinary own key (assignment keeps the rest fast).
      if (p === "__proto__")
        Object.defineProperty(record, p, { value, enumerable: true, writable: true, configurable: true });
      else record[p] = value;
    });
    return trustedCmd(name, record);
  }

  /** Drops the work tables and closes the connections. */
  async close(): Promise<void> {
    await this.#sites.close();
  }
}

/** Drops a work table if a previous step made it and creates it from `query`. */
async function createWorkTable(connection: Connection, table: string, query: string): Promise<void> {
  await connection.command(`DROP TABLE IF EXISTS ${table}`);
  await connection.command(`CREATE TABLE ${table} ENGINE = Memory AS ${query}`);
}

/** Drops a work table if a previous step made it and creates it empty. */
async function replaceTable(connection: Connection, table: string, columns: string): Promise<void> {
  await connection.command(`DROP TABLE IF EXISTS ${table}`);
  await connection.command(`CREATE TABLE ${table} (${columns}) ENGINE = Memory`);
}
