import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { openDuckDB, readEvents } from "../../src/io/read-events.js";
import { jsonValueLimit, MAX_JSON_VALUE_BYTES } from "../../src/io/sources/duckdb-options.js";
import { keysInOrder } from "../../src/io/sources/json-records.js";
import { sourceQueries } from "../../src/io/sources/query.js";
import { tempDir } from "../helpers/cli.js";

const dir = tempDir();
const MiB = 1024 * 1024;

describe("keysInOrder (a JSON file's field names, as its first records show them)", () => {
  it("orders keys by the first record holding each, then by the lowest place any record gives it", () => {
    expect(
      keysInOrder([
        ["time", "user", "op"],
        ["time", "errorCode", "user", "op"],
        ["extra", "time"],
      ]),
    ).toEqual(["time", "user", "op", "errorCode", "extra"]);
    // Keys first shown by one record: a key a later record lists first comes first.
    expect(keysInOrder([["a", "b", "c"], ["c"]])).toEqual(["a", "c", "b"]);
  });

  it("lists each key once, and none for no record", () => {
    expect(keysInOrder([["a", "b"], ["b", "a"], ["a"]])).toEqual(["a", "b"]);
    expect(keysInOrder([])).toEqual([]);
  });
});

/** A CloudTrail container of `n` records whose text is about `bytes` long once decompressed. */
function container(n: number, pad: number): string {
  const records = Array.from({ length: n }, (_, i) => ({
    userIdentity: { arn: `arn:aws:iam::1:user/u${i % 3}` },
    eventTime: `2026-11-30T10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}Z`,
    eventSource: "iam.amazonaws.com",
    eventName: "GetUser",
    requestParameters: { note: "x".repeat(pad) },
  }));
  return JSON.stringify({ Records: records });
}

describe("jsonValueLimit (the largest JSON value a file is read with)", () => {
  it("is what the file can hold: its size, or a gzip file's size decompressed, between DuckDB's 16 MiB and 128 MiB", () => {
    const small = join(dir, "small.json");
    writeFileSync(small, container(3, 10));
    expect(jsonValueLimit(small)).toBe(16 * MiB);
    const big = join(dir, "big.json");
    writeFileSync(big, container(20, MiB));
    expect(jsonValueLimit(big)).toBe(Buffer.byteLength(container(20, MiB)) + 1);
    // Repetitive text compresses far beyond any assumed ratio: only the gzip trailer tells its size.
    const gz = join(dir, "big.json.gz");
    writeFileSync(gz, gzipSync(container(20, MiB)));
    expect(jsonValueLimit(gz)).toBe(Buffer.byteLength(container(20, MiB)) + 1);
    const huge = join(dir, "huge.json.gz");
    writeFileSync(huge, gzipSync(Buffer.alloc(200 * MiB, 32)));
    expect(jsonValueLimit(huge)).toBe(MAX_JSON_VALUE_BYTES);
  });

  it("reads a gzipped container larger than DuckDB's own limit (its size from the trailer)", async () => {
    const path = join(dir, "trail.json.gz");
    writeFileSync(path, gzipSync(container(20, MiB)));
    const users: (string | null)[] = [];
    const stats = await readEvents(
      [path],
      {
        identity: ["userIdentity.arn"],
        time: "eventTime",
        event: ["eventName"],
        params: null,
        paramsFormat: "json-object",
        paramMode: "none",
        onBadRow: "fail",
      },
      (identity) => users.push(identity[0] ?? null),
    );
    expect(stats.used).toBe(20);
    expect(new Set(users)).toEqual(
      new Set(["arn:aws:iam::1:user/u0", "arn:aws:iam::1:user/u1", "arn:aws:iam::1:user/u2"]),
    );
  });
});

describe("small JSON files alike are read in sets, one scan each (a CloudTrail tree)", () => {
  /** A CloudTrail record. */
  const trail = (user: string, second: number, eventName: string, eventID: string) => ({
    userIdentity: { type: "IAMUser", arn: `arn:aws:iam::1:user/${user}` },
    eventTime: `2026-11-30T10:00:${String(second).padStart(2, "0")}Z`,
    eventSource: "iam.amazonaws.com",
    eventName,
    eventID,
  });
  // Ties in time across files (u1's two events at second 5) keep file order; e3 is a copy in two files.
  const RECORDS = [
    [trail("u1", 5, "ListUsers", "e1"), trail("u2", 1, "GetUser", "e2")],
    [trail("u1", 5, "CreateUser", "e3"), trail("u2", 2, "ListRoles", "e4")],
    [trail("u1", 3, "GetRole", "e5")],
    [trail("u1", 5, "CreateUser", "e3"), trail("u1", 7, "DeleteUser", "e6")],
  ];
  const fields = {
    identity: ["userIdentity.arn"],
    time: "eventTime",
    event: ["eventName"],
    params: null,
    paramsFormat: "json-object" as const,
    paramMode: "none" as const,
    fold: { key: "eventID", records: "copies of events" },
  };

  /** Reads with the fold (DuckDB folds and sorts) or without it (rows held in file order, sorted here). */
  async function read(files: string[], onBadRow: "fail" | "skip" = "fail", folded = true) {
    const events: string[] = [];
    const options = { ...fields, onBadRow, sortInMemory: true, fold: folded ? fields.fold : undefined };
    const stats = await readEvents(files, options, (id, time, command) =>
      events.push(`${id[0]} ${time} ${String(command)}`),
    );
    return { events, stats };
  }

  const write = (name: string, records: readonly unknown[], gz = true) => {
    const path = join(dir, name);
    const text = JSON.stringify({ Records: records });
    writeFileSync(path, gz ? gzipSync(text) : text);
    return path;
  };

  it("reads, orders and folds the files' records as one file holding them all", async () => {
    const files = RECORDS.map((r, i) => write(`set-${i}.json.gz`, r));
    const whole = await read([write("set-whole.json.gz", RECORDS.flat())]);
    const r = await read(files);
    expect(r.events).toEqual(whole.events);
    expect(r.stats).toEqual(whole.stats);
    expect(r.stats.folded).toBe(1);
    // u1's events at second 5, in file order: ListUsers (file 0) before CreateUser (file 1).
    expect(r.events.filter((e) => e.includes("user/u1")).map((e) => e.split(" ")[2])).toEqual([
      "GetRole",
      "ListUsers",
      "CreateUser",
      "DeleteUser",
    ]);
    // Unfolded, the rows of a set come in file order, as the sort in memory needs them.
    const unfolded = await read(files, "fail", false);
    expect(unfolded.events).toEqual(
      (await read([write("set-whole.json.gz", RECORDS.flat())], "fail", false)).events,
    );
    expect(unfolded.events.filter((e) => e.includes("user/u1")).map((e) => e.split(" ")[2])).toEqual([
      "GetRole",
      "ListUsers",
      "CreateUser",
      "CreateUser",
      "DeleteUser",
    ]);
  });

  it("groups files alike into one query, and reads files unlike them alone", async () => {
    const alike = RECORDS.map((r, i) => write(`group-${i}.json.gz`, r));
    const other = write("group-plain.json", RECORDS[0] as unknown[], false);
    const paths = [...alike, other, ...alike.slice(0, 2)];
    const { con, close } = await openDuckDB();
    try {
      const queries = await sourceQueries(
        con,
        paths.map((path, index) => ({ path, readFrom: path, index, numbered: true })),
        { ...fields, timeFormat: undefined, eventJoiner: ":", params: null, fold: null },
      );
      expect(queries.map((q) => q.files.map((f) => f.index))).toEqual([[0, 1, 2, 3], [4], [5, 6]]);
    } finally {
      close();
    }
  });

  it("a bad record names its own file and its number in that file", async () => {
    const bad = { ...trail("u3", 1, "GetUser", "e9"), eventTime: "yesterday" };
    const files = [
      write("bad-0.json.gz", RECORDS[0] as unknown[]),
      write("bad-1.json.gz", RECORDS[1] as unknown[]),
      write("bad-2.json.gz", [trail("u3", 0, "GetUser", "e8"), bad]),
    ];
    await expect(read(files)).rejects.toThrow(
      /bad-2\.json\.gz record 2: column "eventTime": unparseable time: "yesterday"/,
    );
    expect((await read(files, "skip")).stats.skipped).toEqual(new Map([["unparseable time", 1]]));
  });

  it("files unlike their neighbours are read as they are: another container, plain text, records as values", async () => {
    const page = join(dir, "page.json.gz");
    // A Microsoft Graph page: its records under `value`.
    writeFileSync(page, gzipSync(JSON.stringify({ "@odata.context": "x", value: RECORDS[2] })));
    const plain = write("plain.json", RECORDS[3] as unknown[], false);
    const values = join(dir, "values.json.gz");
    writeFileSync(values, gzipSync(JSON.stringify(RECORDS[1])));
    const files = [write("mix-0.json.gz", RECORDS[0] as unknown[]), values, page, plain];
    const whole = await read([
      write("mix-whole.json.gz", [
        ...(RECORDS[0] as []),
        ...(RECORDS[1] as []),
        ...(RECORDS[2] as []),
        ...(RECORDS[3] as []),
      ]),
    ]);
    expect((await read(files)).events).toEqual(whole.events);
  });
});

describe("JSON Lines files are read in sets, one scan each", () => {
  const line = (user: string, second: number, op: string) =>
    JSON.stringify({ user, time: `2026-11-30T10:00:${String(second).padStart(2, "0")}Z`, op });
  const jsonlFields = {
    identity: ["user"],
    time: "time",
    event: ["op"],
    params: null,
    paramsFormat: "json-object" as const,
    paramMode: "none" as const,
  };
  const put = (name: string, lines: readonly string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };
  async function read(files: string[], onBadRow: "fail" | "skip" = "fail") {
    const events: string[] = [];
    const stats = await readEvents(files, { ...jsonlFields, onBadRow, sortInMemory: true }, (id, t, c) =>
      events.push(`${id[0]} ${t} ${String(c)}`),
    );
    return { events, stats };
  }
  const LINES = [
    [line("a", 3, "x"), line("b", 1, "y")],
    [line("a", 3, "z"), line("b", 2, "y")],
    [line("a", 1, "w")],
  ];

  it("groups consecutive files (all compressed or none), and orders and numbers as one file would", async () => {
    const gz = (name: string, lines: readonly string[]) => {
      const path = join(dir, name);
      writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
      return path;
    };
    const paths = [
      put("l-0.jsonl", LINES[0] as string[]),
      put("l-1.jsonl", LINES[1] as string[]),
      gz("l-2.jsonl.gz", LINES[2] as string[]),
      gz("l-3.jsonl.gz", LINES[0] as string[]),
    ];
    const { con, close } = await openDuckDB();
    try {
      const queries = await sourceQueries(
        con,
        paths.map((path, index) => ({ path, readFrom: path, index, numbered: true })),
        { ...jsonlFields, timeFormat: undefined, eventJoiner: ":", fold: null },
      );
      expect(queries.map((q) => q.files.map((f) => f.index))).toEqual([
        [0, 1],
        [2, 3],
      ]);
    } finally {
      close();
    }
    const whole = await read([put("l-whole.jsonl", [...LINES.flat(), ...(LINES[0] as string[])])]);
    expect((await read(paths)).events).toEqual(whole.events);
  });

  it("an empty file among them is still an error of its own", async () => {
    const paths = [
      put("e-0.jsonl", LINES[0] as string[]),
      put("e-empty.jsonl", []),
      put("e-2.jsonl", LINES[2] as string[]),
    ];
    await expect(read(paths)).rejects.toThrow(/e-empty\.jsonl: the file is empty/);
  });

  it("a bad line and a line too long name their own file and line", async () => {
    const files = [
      put("bad-0.jsonl", LINES[0] as string[]),
      put("bad-1.jsonl", [line("c", 1, "x"), "{not json", line("c", 2, "y")]),
    ];
    await expect(read(files)).rejects.toThrow(/bad-1\.jsonl:2: /);
    const long = put("long-1.jsonl", [
      line("c", 1, "x"),
      line("c", 2, "y"),
      `{"user":"d","pad":"${"x".repeat(17 * 1024 * 1024)}"}`,
      line("c", 3, "z"),
    ]);
    await expect(read([files[0] as string, long])).rejects.toThrow(/long-1\.jsonl:3: line too long/);
    const skipped = await read([files[0] as string, files[1] as string, long], "skip");
    expect(skipped.stats.skipped).toEqual(
      new Map([
        ["bad JSON", 1],
        ["line too long", 1],
      ]),
    );
    expect(skipped.stats.used).toBe(7);
  });
});
