import { SeqhuntError } from "../../errors.js";
import { type ClickHouseTarget, Connection } from "./connection.js";
import type { Layout } from "./layout.js";
import { qualified, quoteIdentifier, stringLiteral, type WorkTables } from "./sql.js";

/** A server that does per-identity work: where it reads the events and keeps its work tables. */
export interface Site {
  readonly connection: Connection;
  /** `db`.`table` of the events this server holds (the whole table when there are no shards). */
  readonly events: string;
  /** The database of its work tables. */
  readonly database: string;
  /** Its place among the sites (0 when there are no shards). */
  readonly index: number;
}

/**
 * The servers of one pushdown run: the one that receives the queries (the initiator) and those that do the
 * per-identity work (the initiator alone, or every shard). Work tables have the same name on every site;
 * {@link WorkSites.all} reads one across all of them.
 */
export class WorkSites {
  private constructor(
    readonly initiator: Connection,
    readonly sites: readonly Site[],
    readonly tables: WorkTables,
    /** The cluster whose shards are the sites, or null when the initiator does the work. */
    readonly cluster: string | null,
  ) {}

  /** The initiator alone does the work, reading `events` (any table, Distributed ones included). */
  static single(initiator: Connection, events: string, tables: WorkTables): WorkSites {
    const site = { connection: initiator, events, database: initiator.target.database, index: 0 };
    return new WorkSites(initiator, [site], tables, null);
  }

  /**
   * Every shard of a Distributed table does its own identities' work, on its local table. Checks that the
   * URLs reach the shards: their local tables together hold the `rows` the Distributed table has.
   */
  static async sharded(
    initiator: Connection,
    layout: Extract<Layout, { kind: "sharded" }>,
    tables: WorkTables,
    rows: number,
  ): Promise<WorkSites> {
    const { engine } = layout;
    const events = qualified(engine.database, engine.table);
    const connections: Connection[] = [];
    try {
      for (const url of layout.shardUrls) {
        const target: ClickHouseTarget = {
          ...initiator.target,
          url,
          database: engine.database,
          table: engine.table,
        };
        connections.push(await Connection.open(target));
      }
      const counts = await Promise.all(
        connections.map(async (c) => Number((await c.rows(`SELECT count() FROM ${events}`))[0]?.[0] ?? 0)),
      );
      const total = counts.reduce((a, b) => a + b, 0);
      if (new Set(layout.shardUrls).size !== layout.shardUrls.length || total !== rows)
        throw new SeqhuntError(
          `the servers ${layout.shardUrls.join(", ")} do not hold the shards of cluster ${JSON.stringify(engine.cluster)} (their ${engine.database}.${engine.table} tables have ${counts.join(" + ")} rows, the Distributed table ${rows}): give each shard's HTTP URL with --shard-urls, or --shard-work initiator`,
          { field: "shard-urls" },
        );
    } catch (err) {
      for (const c of connections) await c.close();
      throw err;
    }
    const sites = connections.map((connection, index) => ({
      connection,
      events,
      database: engine.database,
      index,
    }));
    return new WorkSites(initiator, sites, tables, engine.cluster);
  }

  /** Runs `work` on every site at once; waits for all (a failed site must not race the cleanup), then throws the first error. */
  async onEach(work: (site: Site) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.sites.map(work));
    const failed = results.find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** `db`.`table` of a work table on a site. */
  on(site: Site, table: string): string {
    return qualified(site.database, table);
  }

  /**
   * A name the initiator reads a work table by, across every site: the table itself, or a Distributed table
   * over the sites' tables (created here with `columns`; reading it runs the query's first stage on each shard).
   */
  async all(table: string, columns: string): Promise<string> {
    const site = this.sites[0] as Site;
    if (this.cluster === null) return this.on(site, table);
    const name = qualified(this.initiator.target.database, `${table}_all`);
    await this.initiator.command(`DROP TABLE IF EXISTS ${name}`);
    await this.initiator.command(
      `CREATE TABLE ${name} (${columns}) ENGINE = Distributed(${stringLiteral(this.cluster)}, ${quoteIdentifier(site.database)}, ${quoteIdentifier(table)})`,
    );
    return name;
  }

  /** Drops every work table on every site (and the initiator's Distributed tables), then closes the connections. */
  async close(): Promise<void> {
    try {
      await this.onEach(async (site) => {
        for (const table of Object.values(this.tables))
          await site.connection.command(`DROP TABLE IF EXISTS ${this.on(site, table)}`);
      });
      if (this.cluster !== null) {
        for (const table of Object.values(this.tables))
          await this.initiator.command(
            `DROP TABLE IF EXISTS ${qualified(this.initiator.target.database, `${table}_all`)}`,
          );
      }
    } finally {
      for (const site of this.sites) if (site.connection !== this.initiator) await site.connection.close();
      await this.initiator.close();
    }
  }
}
