// Loads the benchmark's generated events into ClickHouse: a MergeTree table on each of the two loopback
// servers of scripts/clickhouse.sh (alternate sessions) and a Distributed table over them.
import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { commandNames, generateEvents } from "./data.js";

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

/** Loads `events` generated events as table `name` (Distributed) unless it already holds them. */
export async function loadEvents(name: string, events: number, seed = 1): Promise<void> {
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
    await first.command({
      query: `CREATE TABLE default.${name} AS default.${name}_local ENGINE = Distributed(seqhunt_two_shards, default, ${name}_local, rand())`,
    });
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
      for (const e of session) {
        const names = e.params.map(([p]) => quoted(p)).join(",");
        const values = e.params.map(([, v]) => quoted(v)).join(",");
        lines.push(`${e.user}\t${e.time}\t${seq++}\t${commandNames[e.command]}\t[${names}]\t[${values}]\n`);
      }
      shard = 1 - shard;
      await flush(false);
    }
    await flush(true);
  } finally {
    for (const client of clients) await client.close();
  }
}
