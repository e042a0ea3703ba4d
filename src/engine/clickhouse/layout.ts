import { SeqhuntError } from "../../errors.js";
import type { Connection } from "./connection.js";
import { qualified, stringLiteral } from "./sql.js";

/**
 * Where the per-identity work runs. `auto`: on the shards when the table is a Distributed table whose
 * sharding key reads identity columns only, else on the server that receives the query. `identity`: on the
 * shards, whatever the key says (for tables whose shards were filled by identity directly). `initiator`:
 * always on the receiving server.
 */
export type ShardWork = "auto" | "identity" | "initiator";

/** A Distributed table's definition: `Distributed(cluster, database, table[, sharding key[, policy]])`. */
export interface DistributedEngine {
  readonly cluster: string;
  readonly database: string;
  readonly table: string;
  /** The sharding key expression as the server prints it, or null when there is none. */
  readonly shardingKey: string | null;
}

/** How the events are laid out, as far as the pushdown cares. */
export type Layout =
  | { readonly kind: "single" }
  | {
      readonly kind: "sharded";
      readonly engine: DistributedEngine;
      /** HTTP URLs of one replica of each shard, in shard order. */
      readonly shardUrls: readonly string[];
    };

/** Splits at commas outside parentheses, brackets and quotes. */
function topLevelArguments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== null) {
      if (c === "\\") {
        current += c + (text[i + 1] ?? "");
        i++;
        continue;
      }
      if (c === quote) quote = null;
    } else if (c === "'" || c === "`" || c === '"') quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      out.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

/** A name argument of the engine: 'quoted', `quoted` or bare. */
function unquote(name: string): string {
  const m = /^(['`"])(.*)\1$/s.exec(name);
  return m === null ? name : (m[2] as string).replace(/\\(.)/g, "$1");
}

/** The Distributed engine of a `SHOW CREATE TABLE` statement, or null for any other engine. */
export function parseDistributedEngine(createStatement: string): DistributedEngine | null {
  const start = /\bENGINE\s*=\s*Distributed\s*\(/i.exec(createStatement);
  if (start === null) return null;
  let depth = 1;
  let i = start.index + start[0].length;
  const from = i;
  for (; i < createStatement.length && depth > 0; i++) {
    const c = createStatement[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
  }
  const args = topLevelArguments(createStatement.slice(from, i - 1));
  if (args.length < 3) return null;
  return {
    cluster: unquote(args[0] as string),
    database: unquote(args[1] as string),
    table: unquote(args[2] as string),
    shardingKey: args[3] ?? null,
  };
}

/** Functions whose value is not decided by their arguments: a key that calls one spreads an identity. */
const NONDETERMINISTIC =
  /\b(rand\w*|now\w*|today|yesterday|generateUUID\w*|randConstant|rowNumberInAllBlocks|blockNumber)\s*\(/i;

/**
 * Whether a sharding key puts every event of one identity on one shard: it reads some columns, all of them
 * identity columns, and calls nothing random.
 */
export function keysByIdentity(shardingKey: string | null, identity: readonly string[]): boolean {
  if (shardingKey === null || NONDETERMINISTIC.test(shardingKey)) return false;
  const text = shardingKey.replace(/'(?:\\.|[^'\\])*'/g, "''");
  const columns = new Set<string>();
  for (const m of text.matchAll(/`((?:\\.|[^`\\])*)`|\b([A-Za-z_][A-Za-z0-9_.]*)\b(\s*\()?/g)) {
    if (m[1] !== undefined) columns.add(m[1].replace(/\\(.)/g, "$1"));
    else if (m[2] !== undefined && m[3] === undefined && !/^\d/.test(m[2])) columns.add(m[2]);
  }
  return columns.size > 0 && [...columns].every((c) => identity.includes(c));
}

/** One replica of each shard of `cluster`, in shard order: host and native port, as the server lists them. */
async function clusterShards(
  connection: Connection,
  cluster: string,
): Promise<{ host: string; port: number }[]> {
  const rows = await connection.rows(
    `SELECT shard_num, any(host_name), any(port) FROM system.clusters WHERE cluster = ${stringLiteral(cluster)} AND replica_num = 1 GROUP BY shard_num ORDER BY shard_num`,
  );
  return rows.map((r) => ({ host: String(r[1]), port: Number(r[2]) }));
}

/** Decides where the work runs (see {@link ShardWork}) and finds the shards' HTTP URLs. */
export async function detectLayout(
  connection: Connection,
  options: {
    readonly identity: readonly string[];
    readonly work: ShardWork;
    readonly shardUrls?: readonly string[] | undefined;
  },
): Promise<Layout> {
  if (options.work === "initiator") return { kind: "single" };
  const { database, table } = connection.target;
  const create = String(
    (await connection.rows(`SHOW CREATE TABLE ${qualified(database, table)}`))[0]?.[0] ?? "",
  );
  const engine = parseDistributedEngine(create);
  if (engine === null) {
    if (options.work === "identity")
      throw new SeqhuntError(
        `${database}.${table} is not a Distributed table: there are no shards to work on`,
      );
    return { kind: "single" };
  }
  if (options.work === "auto" && !keysByIdentity(engine.shardingKey, options.identity))
    return { kind: "single" };
  const shards = await clusterShards(connection, engine.cluster);
  if (shards.length < 2) return { kind: "single" };
  const base = new URL(connection.target.url);
  const shardUrls =
    options.shardUrls ??
    shards.map(
      (s) =>
        `${base.protocol}//${s.host.includes(":") ? `[${s.host}]` : s.host}:${base.port || (base.protocol === "https:" ? "443" : "80")}`,
    );
  if (shardUrls.length !== shards.length)
    throw new SeqhuntError(
      `cluster ${JSON.stringify(engine.cluster)} has ${shards.length} shards but --shard-urls gives ${shardUrls.length} URLs`,
      { field: "shard-urls" },
    );
  return { kind: "sharded", engine, shardUrls };
}
