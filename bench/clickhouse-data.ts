// Loads the benchmark's generated events into ClickHouse: a MergeTree table on each of the two loopback
// servers of scripts/clickhouse.sh and a Distributed table over them, either sharded at random (alternate
// sessions) or by identity (a hash of UserId); and reads each server's share of the work from its query log.
import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { type BenchEvent, commandNames, generateEvents } from "./data.js";

export const SHARDS = ["http://127.0.0.1:18123", "http://127.0.0.1:18124"] as const;

async function up(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ping`)).ok;
  } catch {
    return false;
  }
}

/** Starts the two servers unless they already answer. */
export async function ensureServers(): Promise<void> {
  if (!(await up(SHARDS[0])) || !(await up(SHARDS[1])))
    execFileSync("bash", ["scripts/clickhouse.sh", "start"], { stdio: "inherit" });
}

const COLUMNS =
  "(UserId String, TimeMs UInt64, seq UInt64, Operation String, Parameters Nested(Name String, Value String))";

/** A string inside a TabSeparated array literal: ['a','b']. */
const quoted = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** How the rows are spread over the shards: sessions in turn (any identity on any shard), or by identity. */
export type Sharding = "alternate" | "by-identity";

/** The sharding key of the identity-sharded table: every event of one user on one shard. */
export const IDENTITY_KEY = "cityHash64(UserId)";

/** One generated event as a TabSeparated row of the events table. */
function tsvLine(e: BenchEvent, seq: number): string {
  const names = e.params.map(([p]) => quoted(p)).join(",");
  const values = e.params.map(([, v]) => quoted(v)).join(",");
  return `${e.user}\t${e.time}\t${seq}\t${commandNames[e.command]}\t[${names}]\t[${values}]\n`;
}

/** Inserts through the Distributed table, synchronously: its sharding key puts each row on its shard. */
async function insertThroughDistributed(
  client: ReturnType<typeof createClient>,
  name: string,
  events: number,
  seed: number,
): Promise<void> {
  let lines: string[] = [];
  let seq = 0;
  const flush = async () => {
    if (lines.length === 0) return;
    await client.insert({
      table: `default.${name}`,
      values: Readable.from([lines.join("")], { objectMode: false }),
      format: "TabSeparated",
      clickhouse_settings: { insert_distributed_sync: 1 },
    });
    lines = [];
  };
  for (const session of generateEvents(events, seed)) {
    for (const e of session) lines.push(tsvLine(e, seq++));
    if (lines.length >= 500_000) await flush();
  }
  await flush();
}

/** One server's part of a run, from its query log. */
export interface ServerWork {
  readonly url: string;
  readonly queries: number;
  /** CPU seconds (user + system) of its queries: the work it did. */
  readonly cpuSeconds: number;
  /** Sum of its queries' durations (a query waiting on shards counts its wait here). */
  readonly querySeconds: number;
  readonly readRows: number;
  /** The largest memory_usage of one of its queries. */
  readonly peakQueryMB: number;
}

/** The servers' clocks now, to read their query logs from. */
export async function serverClock(): Promise<string> {
  const client = createClient({ url: SHARDS[0], log: { level: ClickHouseLogLevel.OFF } });
  try {
    const result = await client.query({ query: "SELECT toString(now())", format: "TabSeparated" });
    return (await result.text()).trim();
  } finally {
    await client.close();
  }
}

/**
 * Each server's work for one run since `since` (a server time): the queries that finished and read `table`
 * or one of the work tables (`seqhunt_<12 hex>_...`) of a query that read it, so that other jobs' queries
 * on the same servers do not count; their CPU time, durations, rows read and peak memory. (ProfileEvents
 * as two arrays is 18.16's query_log; current releases have a Map.)
 */
export async function serverWork(since: string, table: string): Promise<ServerWork[]> {
  const out: ServerWork[] = [];
  for (const url of SHARDS) {
    const client = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    try {
      await client.command({ query: "SYSTEM FLUSH LOGS" });
      const cpu =
        "arraySum(arrayFilter((v, n) -> n IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds'), ProfileEvents.Values, ProfileEvents.Names))";
      // The run's work tables: those named by a query that read the events table.
      const prefix = "'seqhunt_[0-9a-f]{12}'";
      const finished = `type = 2 AND event_time >= toDateTime('${since}') AND query NOT LIKE '%system.query_log%'`;
      const result = await client.query({
        query: `WITH (SELECT groupUniqArray(extract(query, ${prefix})) FROM system.query_log
            WHERE ${finished} AND position(query, '${table}') > 0 AND match(query, ${prefix})) AS ours
          SELECT count(), sum(${cpu}), sum(query_duration_ms), sum(read_rows), max(memory_usage)
          FROM system.query_log WHERE ${finished} AND (position(query, '${table}') > 0 OR has(ours, extract(query, ${prefix})))`,
        format: "TabSeparated",
      });
      const [queries = 0, cpuMicros = 0, ms = 0, rows = 0, memory = 0] = (await result.text())
        .trim()
        .split("\t")
        .map(Number);
      out.push({
        url,
        queries,
        cpuSeconds: cpuMicros / 1e6,
        querySeconds: ms / 1000,
        readRows: rows,
        peakQueryMB: Math.round(memory / 1e6),
      });
    } finally {
      await client.close();
    }
  }
  return out;
}

/** Loads `events` generated events as table `name` (Distributed) unless it already holds them. */
export async function loadEvents(
  name: string,
  events: number,
  seed = 1,
  sharding: Sharding = "alternate",
): Promise<void> {
  const clients = SHARDS.map((url) =>
    createClient({ url, request_timeout: 3_600_000, log: { level: ClickHouseLogLevel.OFF } }),
  );
  try {
    const [first] = clients;
    if (first === undefined) return;
    const existing = await first.query({ query: `EXISTS TABLE default.${name}`, format: "TabSeparated" });
    if ((await existing.text()).trim() === "1") {
      const count = await first.query({
        query: `SELECT count() FROM default.${name}`,
        format: "TabSeparated",
      });
      if (Number((await count.text()).trim()) >= events) return;
    }
    for (const client of clients) {
      await client.command({ query: `DROP TABLE IF EXISTS default.${name}_local` });
      await client.command({
        query: `CREATE TABLE default.${name}_local ${COLUMNS} ENGINE = MergeTree ORDER BY (UserId, TimeMs)`,
      });
    }
    await first.command({ query: `DROP TABLE IF EXISTS default.${name}` });
    const key = sharding === "by-identity" ? IDENTITY_KEY : "rand()";
    await first.command({
      query: `CREATE TABLE default.${name} AS default.${name}_local ENGINE = Distributed(seqhunt_two_shards, default, ${name}_local, ${key})`,
    });
    if (sharding === "by-identity") {
      await insertThroughDistributed(first, name, events, seed);
      return;
    }
    // One generator, its sessions dealt to the shards in turn; each shard's rows stream as TabSeparated text.
    const batches: string[][] = [[], []];
    let seq = 0;
    let shard = 0;
    const flush = async (force: boolean) => {
      for (const [i, client] of clients.entries()) {
        const lines = batches[i] as string[];
        if (lines.length === 0 || (!force && lines.length < 200_000)) continue;
        await client.insert({
          table: `default.${name}_local`,
          values: Readable.from([lines.join("")], { objectMode: false }),
          format: "TabSeparated",
        });
        batches[i] = [];
      }
    };
    for (const session of generateEvents(events, seed)) {
      const lines = batches[shard] as string[];
      for (const e of session) lines.push(tsvLine(e, seq++));
      shard = 1 - shard;
      await flush(false);
    }
    await flush(true);
  } finally {
    for (const client of clients) await client.close();
  }
}
