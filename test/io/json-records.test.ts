import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readEvents } from "../../src/io/read-events.js";
import { jsonValueLimit, MAX_JSON_VALUE_BYTES } from "../../src/io/sources/duckdb-options.js";
import { keysInOrder } from "../../src/io/sources/json-records.js";
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
