import { describe, expect, it } from "vitest";
import { keysByIdentity, parseDistributedEngine } from "../../src/engine/clickhouse/layout.js";

const identity = ["UserId", "ClientIP"];

describe("the layout of a Distributed table", () => {
  it("reads the cluster, local table and sharding key from SHOW CREATE TABLE", () => {
    const create =
      "CREATE TABLE default.events ( UserId Nullable(String), `a,b` String) ENGINE = Distributed(seqhunt_two_shards, default, events_local, cityHash64(ifNull(UserId, ''), ifNull(ClientIP, ',')))";
    expect(parseDistributedEngine(create)).toEqual({
      cluster: "seqhunt_two_shards",
      database: "default",
      table: "events_local",
      shardingKey: "cityHash64(ifNull(UserId, ''), ifNull(ClientIP, ','))",
    });
    expect(parseDistributedEngine("ENGINE = Distributed('c', 'db', 't')")).toEqual({
      cluster: "c",
      database: "db",
      table: "t",
      shardingKey: null,
    });
    expect(parseDistributedEngine("CREATE TABLE t (a String) ENGINE = MergeTree ORDER BY a")).toBeNull();
  });

  it("takes a key as by identity only when it reads identity columns and nothing random", () => {
    expect(keysByIdentity("cityHash64(UserId, ClientIP)", identity)).toBe(true);
    expect(
      keysByIdentity("cityHash64(ifNull(UserId, 'TimeGenerated'), ifNull(ClientIP, ''))", identity),
    ).toBe(true);
    expect(keysByIdentity("sipHash64(`UserId`)", identity)).toBe(true);
    expect(keysByIdentity("intHash32(UserId) % 4", identity)).toBe(true);
    expect(keysByIdentity("rand()", identity)).toBe(false);
    expect(keysByIdentity("cityHash64(UserId) + rand()", identity)).toBe(false);
    expect(keysByIdentity("cityHash64(UserId, TimeGenerated)", identity)).toBe(false);
    expect(keysByIdentity("42", identity)).toBe(false);
    expect(keysByIdentity(null, identity)).toBe(false);
  });
});
