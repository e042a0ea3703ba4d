import { createClient } from "@clickhouse/client";
import { inject } from "vitest";
import { generateExchangeLog } from "../../src/demo/generate.js";
import { ClickHousePushdown, type PushdownOptions } from "../../src/engine/clickhouse/pushdown.js";
import { writeRecords } from "../../src/io/write.js";
import type { ModelFile } from "../../src/types.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The ClickHouse servers are up (test/global-setup.ts found or started them). */
    clickHouseUp: boolean;
  }
}

/**
 * Whether the ClickHouse tests run: `describe.runIf(clickHouseUp)(...)`. False only where clickhouse-server
 * is not installed and CI is not set; the global setup then says so in one line.
 */
export const clickHouseUp: boolean = inject("clickHouseUp");

/** The two loopback shards of scripts/clickhouse.sh (HTTP ports). */
export const SHARD_URLS = ["http://127.0.0.1:18123", "http://127.0.0.1:18124"] as const;

/** The server the engine talks to: it holds the Distributed table. */
export const URL = SHARD_URLS[0];

/** One event row as the tests load it into ClickHouse and write it as CSV for the in-process readers. */
export interface TestEvent {
  readonly UserId: string | null;
  readonly ClientIP: string | null;
  /** `YYYY-MM-DD hh:mm:ss`, UTC. */
  readonly TimeGenerated: string;
  readonly Operation: string;
  readonly params: readonly { readonly Name: string; readonly Value: string }[];
}

const COLUMNS =
  "(UserId Nullable(String), ClientIP Nullable(String), TimeGenerated DateTime, seq UInt64, Operation String, Parameters Nested(Name String, Value String))";

/** An event as a JSONEachRow row of the test tables; `seq` is its position. */
function eventRow(e: TestEvent, seq: number) {
  return {
    UserId: e.UserId,
    ClientIP: e.ClientIP,
    TimeGenerated: e.TimeGenerated,
    seq,
    Operation: e.Operation,
    "Parameters.Name": e.params.map((p) => p.Name),
    "Parameters.Value": e.params.map((p) => p.Value),
  };
}

async function each(
  run: (client: ReturnType<typeof createClient>, shard: number) => Promise<void>,
): Promise<void> {
  for (const [shard, url] of SHARD_URLS.entries()) {
    const client = createClient({ url });
    try {
      await run(client, shard);
    } finally {
      await client.close();
    }
  }
}

/**
 * Loads events into `<name>_local` on both shards (alternate rows, so sessions span shards) and creates the
 * Distributed table `<name>` over them on the first server; `seq` is the row's position.
 */
export async function loadDistributed(name: string, events: readonly TestEvent[]): Promise<void> {
  await each(async (client, shard) => {
    await client.command({ query: `DROP TABLE IF EXISTS default.${name}_local` });
    await client.command({
      query: `CREATE TABLE default.${name}_local ${COLUMNS} ENGINE = MergeTree ORDER BY seq`,
    });
    const rows = events
      .map((e, seq) => ({ e, seq }))
      .filter(({ seq }) => seq % 2 === shard)
      .map(({ e, seq }) => eventRow(e, seq));
    if (rows.length > 0)
      await client.insert({ table: `default.${name}_local`, values: rows, format: "JSONEachRow" });
  });
  const client = createClient({ url: URL });
  try {
    await client.command({ query: `DROP TABLE IF EXISTS default.${name}` });
    await client.command({
      query: `CREATE TABLE default.${name} AS default.${name}_local ENGINE = Distributed(seqhunt_two_shards, default, ${name}_local, rand())`,
    });
  } finally {
    await client.close();
  }
}

/**
 * The sharding key of an identity-sharded table (docs/SCALE.md): a hash of the identity columns, NULL read
 * as "" (a Distributed table's key may not be Nullable).
 */
export const IDENTITY_KEY = "cityHash64(ifNull(UserId, ''), ifNull(ClientIP, ''))";

/**
 * Creates `<name>_local` on both shards and the Distributed table `<name>` over them on the first server,
 * sharded by a hash of the identity, and inserts the events through it: every identity's rows land on one
 * shard. Returns how many rows each shard holds.
 */
export async function loadShardedByIdentity(name: string, events: readonly TestEvent[]): Promise<number[]> {
  await each(async (client) => {
    await client.command({ query: `DROP TABLE IF EXISTS default.${name}_local` });
    await client.command({
      query: `CREATE TABLE default.${name}_local ${COLUMNS} ENGINE = MergeTree ORDER BY seq`,
    });
  });
  const client = createClient({ url: URL });
  try {
    await client.command({ query: `DROP TABLE IF EXISTS default.${name}` });
    await client.command({
      query: `CREATE TABLE default.${name} AS default.${name}_local ENGINE = Distributed(seqhunt_two_shards, default, ${name}_local, ${IDENTITY_KEY})`,
    });
    await client.insert({
      table: `default.${name}`,
      values: events.map(eventRow),
      format: "JSONEachRow",
      // Synchronous: the rows are on their shards when the insert returns.
      clickhouse_settings: { insert_distributed_sync: 1 },
    });
  } finally {
    await client.close();
  }
  const held: number[] = [];
  await each(async (shard) => {
    const result = await shard.query({ query: `SELECT count() FROM default.${name}_local`, format: "JSON" });
    held.push(Number(((await result.json()) as { data: { "count()": string }[] }).data[0]?.["count()"]));
  });
  return held;
}

/** Rows of a query on the first server, as JSON objects. */
export async function query<T>(sql: string): Promise<T[]> {
  const client = createClient({ url: URL });
  try {
    const result = await client.query({ query: sql, format: "JSON" });
    return ((await result.json()) as { data: T[] }).data;
  } finally {
    await client.close();
  }
}

/** The same events as a JSONL file the in-process readers take (params as Exchange JSON; seq kept). */
export async function writeJsonl(path: string, events: readonly TestEvent[]): Promise<void> {
  await writeRecords(
    path,
    events.map((e, seq) => ({
      UserId: e.UserId,
      ClientIP: e.ClientIP,
      TimeGenerated: `${e.TimeGenerated.replace(" ", "T")}Z`,
      Operation: e.Operation,
      Parameters: JSON.stringify(e.params),
      seq,
    })),
    ["UserId", "ClientIP", "TimeGenerated", "Operation", "Parameters", "seq"],
  );
}

/** Raw counts keyed by names, so vocabularies in different orders compare equal. */
export function countsByName(file: ModelFile): Record<string, Record<string, number>> {
  const { commands: c, params: p, values: v } = file;
  const list = (counts: number[], names: string[]) =>
    Object.fromEntries(counts.flatMap((n, i) => (n === 0 ? [] : [[names[i] as string, n]])));
  const triples = (flat: number[], rows: string[], cols: string[]) => {
    const out: Record<string, number> = {};
    for (let i = 0; i < flat.length; i += 3)
      out[`${rows[flat[i] as number]} -> ${cols[flat[i + 1] as number]}`] = flat[i + 2] as number;
    return out;
  };
  return {
    sessions: { count: file.sessionCount },
    seq1: list(file.seq1, c),
    seq2: triples(file.seq2, c, c),
    param: list(file.param, p),
    cmdParam: triples(file.cmdParam, c, p),
    value: list(file.value, v),
    paramValue: triples(file.paramValue, p, v),
  };
}

/** The demo's Exchange log, ClientIP missing on the service account's rows (NULL in both pipelines). */
export function demoEvents(seed = 11): TestEvent[] {
  return generateExchangeLog({ seed }).events.map((e) => ({
    UserId: e.UserId,
    ClientIP: e.ClientIP === "" ? null : e.ClientIP,
    TimeGenerated: e.TimeGenerated.replace("T", " ").replace("Z", ""),
    Operation: e.Operation,
    params: (JSON.parse(e.Parameters) as { Name: string; Value: unknown }[]).map((p) => ({
      Name: p.Name,
      Value: typeof p.Value === "string" ? p.Value : JSON.stringify(p.Value ?? ""),
    })),
  }));
}

/** Opens a pushdown run on `table` of the test servers (identity UserId, ClientIP; parameters in `Parameters`). */
export function openPushdown(
  table: string,
  mode: "none" | "names" | "values",
  maxGap = 2,
  maxDuration = 20,
  shards: Pick<PushdownOptions, "shardWork" | "shardUrls"> = {},
): Promise<ClickHousePushdown> {
  return ClickHousePushdown.open({
    ...shards,
    target: { url: URL, database: "default", table },
    columns: {
      identity: ["UserId", "ClientIP"],
      time: "TimeGenerated",
      event: "Operation",
      sequence: "seq",
      params: "Parameters",
      paramMode: mode,
    },
    maxGapMins: maxGap,
    maxDurationMins: maxDuration,
    onBadRow: "fail",
  });
}
