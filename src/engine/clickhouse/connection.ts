import { Readable } from "node:stream";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { SeqhuntError } from "../../errors.js";
import { qualified } from "./sql.js";

/** Where the events live and how to log in. */
export interface ClickHouseTarget {
  /** HTTP interface, e.g. `http://127.0.0.1:8123`. */
  readonly url: string;
  readonly database: string;
  readonly table: string;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
}

/** One connection, with every server error turned into a {@link SeqhuntError} that says what to fix. */
export class Connection {
  readonly #client: ClickHouseClient;
  readonly target: ClickHouseTarget;

  private constructor(target: ClickHouseTarget) {
    this.target = target;
    this.#client = createClient({
      url: target.url,
      username: target.user ?? "default",
      password: target.password ?? "",
      database: target.database,
      request_timeout: 3_600_000,
      compression: { request: false, response: false },
      // Errors reach the user as SeqhuntErrors; the client's own console warnings would only add noise.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /** Connects and checks the server answers and accepts the credentials. */
  static async open(target: ClickHouseTarget): Promise<Connection> {
    let parsed: URL;
    try {
      parsed = new URL(target.url);
    } catch {
      throw new SeqhuntError(
        `--url ${JSON.stringify(target.url)} is not a URL (e.g. http://127.0.0.1:8123)`,
        {
          field: "url",
        },
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw new SeqhuntError(`--url must start with http:// or https://, got ${JSON.stringify(target.url)}`);
    const connection = new Connection(target);
    await connection.rows("SELECT 1");
    return connection;
  }

  /** Rows of a query as arrays of values (64-bit integers arrive as text). */
  async rows(query: string): Promise<unknown[][]> {
    return this.#run(async () => {
      // JSONCompact is the compact form 18.16 knows; infinities and NaN come as text ("-inf", "nan").
      const result = await this.#client.query({
        query,
        format: "JSONCompact",
        clickhouse_settings: { output_format_json_quote_denormals: 1 },
      });
      return ((await result.json()) as { data: unknown[][] }).data;
    });
  }

  /**
   * Streams a query's rows as TabSeparated cells (unescaped text): far lighter than JSON for the millions
   * of rows a count table of free-text values can have.
   */
  async eachRow(query: string, onRow: (cells: string[]) => void): Promise<void> {
    await this.#run(async () => {
      const result = await this.#client.query({ query, format: "TabSeparated" });
      for await (const rows of result.stream()) {
        for (const row of rows as { text: string }[]) {
          const cells = row.text.split("\t");
          for (let i = 0; i < cells.length; i++) {
            const cell = cells[i] as string;
            if (cell.includes("\\")) cells[i] = unescapeTsv(cell);
          }
          onRow(cells);
        }
      }
    });
  }

  /**
   * Streams a query's rows as JSON objects (JSONEachRow: arrays and NULLs as JSON has them), a chunk of the
   * HTTP response at a time: the whole result is never held (the sessions of a large table).
   */
  async eachObject(query: string, onRow: (row: Record<string, unknown>) => void): Promise<void> {
    await this.#run(async () => {
      const result = await this.#client.query({ query, format: "JSONEachRow" });
      for await (const rows of result.stream()) {
        for (const row of rows as { json: () => Record<string, unknown> }[]) onRow(row.json());
      }
    });
  }

  /** Runs a statement that returns nothing (DDL, INSERT ... SELECT). */
  async command(query: string): Promise<void> {
    await this.#run(() => this.#client.command({ query }));
  }

  /** Inserts rows (arrays of cells) into a table as TabSeparated text: values never enter SQL text. */
  async insert(table: string, rows: Iterable<readonly (string | number)[]>): Promise<void> {
    const lines = (function* () {
      let batch = "";
      for (const row of rows) {
        batch += `${row.map(tsvCell).join("\t")}\n`;
        if (batch.length > 1 << 20) {
          yield batch;
          batch = "";
        }
      }
      if (batch !== "") yield batch;
    })();
    await this.#run(() =>
      this.#client.insert({
        table: qualified(this.target.database, table),
        values: Readable.from(lines, { objectMode: false }),
        format: "TabSeparated",
      }),
    );
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw explain(err, this.target);
    }
  }
}

/** A Float64 cell of a query result (text for infinities and NaN). */
export function float(cell: unknown): number {
  if (typeof cell === "number") return cell;
  const text = String(cell);
  if (text === "inf" || text === "+inf") return Number.POSITIVE_INFINITY;
  if (text === "-inf") return Number.NEGATIVE_INFINITY;
  if (text === "nan" || text === "-nan" || cell === null) return Number.NaN;
  return Number(text);
}

const TSV_ESCAPES = new Map(Object.entries({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", "0": "\0" }));

/** A TabSeparated cell's text: backslash escapes undone. */
function unescapeTsv(cell: string): string {
  return cell.replace(/\\(.)/g, (_, c: string) => TSV_ESCAPES.get(c) ?? c);
}

/** A cell of TabSeparated input: numbers as ClickHouse reads them (inf, nan), text escaped. */
function tsvCell(value: string | number): string {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (value === Number.POSITIVE_INFINITY) return "inf";
    if (value === Number.NEGATIVE_INFINITY) return "-inf";
    return String(value);
  }
  return value.replace(/[\\\t\n\r\0]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\0",
  );
}

/** A server or network failure as an error that names the cause. */
function explain(err: unknown, target: ClickHouseTarget): SeqhuntError {
  const e = err as { code?: string; message?: string; type?: string };
  const message = e.message ?? String(err);
  const where = `ClickHouse at ${target.url}`;
  if (
    e.code === "ECONNREFUSED" ||
    e.code === "ENOTFOUND" ||
    e.code === "EHOSTUNREACH" ||
    /ECONNREFUSED|ENOTFOUND|socket hang up|Timeout error/i.test(message)
  )
    return new SeqhuntError(`cannot reach ${where}: ${message.split("\n")[0]}`, { field: "url" });
  const code = Number(e.code);
  if (
    code === 192 ||
    code === 193 ||
    code === 516 ||
    /Authentication failed|Wrong password|Unknown user/i.test(message)
  )
    return new SeqhuntError(
      `${where} refused the credentials of user ${JSON.stringify(target.user ?? "default")} (set SEQHUNT_CLICKHOUSE_USER and SEQHUNT_CLICKHOUSE_PASSWORD)`,
      { field: "user" },
    );
  if (code === 81 || /Database .* doesn't exist/i.test(message))
    return new SeqhuntError(`${where} has no database ${JSON.stringify(target.database)}`, {
      field: "database",
    });
  if (code === 60 || /Table .* doesn't exist/i.test(message))
    return new SeqhuntError(`${where} has no table ${JSON.stringify(`${target.database}.${target.table}`)}`, {
      field: "table",
    });
  return new SeqhuntError(`${where}: ${message.split("\n")[0]}`);
}
