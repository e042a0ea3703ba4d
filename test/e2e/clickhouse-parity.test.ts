import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliSession, type InputOptions, loadSessions } from "../../src/cli/sessions.js";
import { rng } from "../../src/demo/generate.js";
import { Model } from "../../src/model/model.js";
import type { Command, SessionScore } from "../../src/types.js";
import { tempDir } from "../helpers/cli.js";
import {
  clickHouseUp,
  countsByName,
  demoEvents,
  loadDistributed,
  loadShardedByIdentity,
  openPushdown as open,
  query,
  SHARD_URLS,
  type TestEvent,
  writeJsonl,
} from "../helpers/clickhouse.js";

type Mode = "none" | "names" | "values";

const dir = tempDir();

function inputOptions(mode: Mode, maxGap: number, maxDuration: number): InputOptions {
  return {
    user: ["UserId", "ClientIP"],
    time: "TimeGenerated",
    event: "Operation",
    params: "Parameters",
    paramsFormat: "exchange",
    paramMode: mode,
    maxGap,
    maxDuration,
    sessions: false,
    onBadRow: "fail",
  };
}

/** The in-process pipeline (DuckDB reader + the Sessionizer) on the same events. */
async function inProcess(
  name: string,
  events: readonly TestEvent[],
  mode: Mode,
  maxGap = 2,
  maxDuration = 20,
) {
  const path = join(dir, `${name}.jsonl`);
  await writeJsonl(path, events);
  return (await loadSessions([path], inputOptions(mode, maxGap, maxDuration))).sessions;
}

/** The rank key of an in-process score, as the reference detector ranks: rarest window, else the whole session. */
function rarity(scores: readonly SessionScore[], i: number): number {
  const w = scores[i]?.rarestWindowLogLikelihood ?? Number.NaN;
  return Number.isNaN(w) ? (scores[i]?.logLikelihood ?? Number.MAX_VALUE) : w;
}

/** A session as comparable text; parameters sorted by name (their order means nothing to the model). */
function sessionView(s: {
  identity: readonly (string | null)[];
  start: number | null;
  end: number | null;
  commands: readonly Command[];
}) {
  const commands = s.commands.map((c) =>
    typeof c === "string"
      ? c
      : [c.name, c.params instanceof Set ? [...c.params].sort() : Object.entries(c.params).sort()],
  );
  return JSON.stringify([s.identity, s.start, s.end, commands]);
}

/**
 * Events built to stress sessionizing: equal times (the sequence decides), gaps exactly at the limit,
 * long runs that the duration rule splits many times over (several doubling levels), NULL identities,
 * repeated parameter names (the last value wins), names that look like tokens or object keys.
 */
function trickyEvents(seed: number): TestEvent[] {
  const random = rng(seed);
  const users = [null, "alice", "bob", "__proto__", "carol"];
  const ips = [null, "10.0.0.1", "10.0.0.2"];
  const ops = ["Get-Mailbox", "Set-Mailbox", "New-InboxRule", "##START##", "constructor", "Remove-Mailbox"];
  const names = ["Identity", "Force", "__proto__", "Name"];
  const events: TestEvent[] = [];
  const base = Date.UTC(2026, 0, 1) / 1000;
  for (const user of users) {
    for (const ip of ips) {
      let t = base + Math.floor(random() * 600);
      const count = 20 + Math.floor(random() * 180);
      for (let i = 0; i < count; i++) {
        const step = random();
        // 0 s (a tie), exactly the 60 s gap limit, just over it, short, or a long pause.
        t +=
          step < 0.2
            ? 0
            : step < 0.35
              ? 60
              : step < 0.45
                ? 61
                : step < 0.95
                  ? Math.floor(random() * 50)
                  : 4000;
        const params = Array.from({ length: Math.floor(random() * 4) }, () => ({
          Name: names[Math.floor(random() * names.length)] as string,
          Value: random() < 0.15 ? "" : `v${Math.floor(random() * 4)}`,
        }));
        events.push({
          UserId: user,
          ClientIP: ip,
          TimeGenerated: new Date(t * 1000).toISOString().slice(0, 19).replace("T", " "),
          Operation: ops[Math.floor(random() * ops.length)] as string,
          params,
        });
      }
    }
  }
  // A steady beat: every gap equals the max gap and sessions reach exactly the max duration (equal is not greater).
  for (let i = 0; i < 40; i++) {
    events.push({
      UserId: "dora",
      ClientIP: null,
      TimeGenerated: new Date((base + i * 30) * 1000).toISOString().slice(0, 19).replace("T", " "),
      Operation: ops[i % ops.length] as string,
      params: [],
    });
  }
  // Shuffled, so neither pipeline can lean on the load order.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as TestEvent, events[i] as TestEvent];
  }
  return events;
}

describe.runIf(clickHouseUp)("ClickHouse pushdown on a Distributed table of two shards", () => {
  const demo = demoEvents();
  beforeAll(async () => {
    await loadDistributed("parity_demo", demo);
  });

  for (const mode of ["none", "names", "values"] as const) {
    it(`sessions, raw counts and scores equal the in-process pipeline (${mode})`, async () => {
      const local = await inProcess(`demo-${mode}`, demo, mode);
      const push = await open("parity_demo", mode);
      try {
        expect(push.stats).toEqual({ read: demo.length, used: demo.length, skipped: new Map() });
        const pushed = await push.sessions();
        expect(pushed.length).toBe(local.length);
        expect(pushed.map(sessionView)).toEqual(local.map(sessionView));

        const model = new Model(local.map((s) => s.commands));
        model.train();
        const file = (await push.train()).toJSON();
        expect(countsByName(file)).toEqual(countsByName(model.toJSON()));

        for (const shape of [
          { window: 3, tokens: true, geoMean: false },
          { window: 1, tokens: false, geoMean: false },
          { window: 4, tokens: true, geoMean: true },
        ]) {
          const scores = await push.score(Model.fromJSON(file), shape, local.length + 1);
          const expected = model.score(
            local.map((s) => s.commands),
            { windowLength: shape.window, useStartEndTokens: shape.tokens, useGeoMean: shape.geoMean },
          );
          expect(scores.length).toBe(local.length);
          for (const s of scores) {
            const e = expected[s.sid];
            expect(e).toBeDefined();
            if (e === undefined) continue;
            expect(Math.abs(s.logLikelihood - e.logLikelihood)).toBeLessThan(1e-9);
            if (e.rarestWindowStart === null) {
              expect(s.rarestWindowStart).toBe(-1);
              expect(s.rarestWindowLogLikelihood).toBeNaN();
            } else {
              expect(s.rarestWindowStart).toBe(e.rarestWindowStart);
              expect(Math.abs(s.rarestWindowLogLikelihood - e.rarestWindowLogLikelihood)).toBeLessThan(1e-9);
            }
          }
          // Top N: rank by rank the same rarest-window likelihoods; the same session wherever that value is
          // unique (the order inside a group of equal values is float noise, in both pipelines).
          const ranked = [...expected.keys()].sort(
            (x, y) => rarity(expected, x) - rarity(expected, y) || x - y,
          );
          for (let r = 0; r < 50 && r < scores.length; r++) {
            const mine = scores[r]?.sid as number;
            const theirs = ranked[r] as number;
            expect(Math.abs(rarity(expected, mine) - rarity(expected, theirs))).toBeLessThan(1e-9);
            const equal = expected.filter(
              (_e, i) => Math.abs(rarity(expected, i) - rarity(expected, theirs)) < 1e-9,
            );
            if (equal.length === 1) expect(mine).toBe(theirs);
          }
        }
      } finally {
        await push.close();
      }
    });
  }

  it("fetches any number of top sessions (their ids travel as rows, not as SQL text)", async () => {
    const many: TestEvent[] = Array.from({ length: 60_000 }, (_, i) => ({
      UserId: `u${i}`,
      ClientIP: null,
      TimeGenerated: "2026-01-01 00:00:00",
      Operation: i % 7 === 0 ? "Set-Mailbox" : "Get-Mailbox",
      params: [],
    }));
    await loadDistributed("many_sessions", many);
    const push = await open("many_sessions", "none");
    try {
      const top = await push.score(await push.train(), { window: 1, tokens: false, geoMean: false }, 60_000);
      expect(top).toHaveLength(60_000);
      const fetched = await push.sessions(top.map((s) => s.sid));
      expect(fetched).toHaveLength(60_000);
      expect(fetched.filter((s) => s.commands[0] === "Set-Mailbox")).toHaveLength(Math.ceil(60_000 / 7));
    } finally {
      await push.close();
    }
  });

  it("drops its work tables when done", async () => {
    // This run's own tables only: other test files may run pushdowns on the same servers meanwhile.
    const push = await open("parity_demo", "names");
    const mine = `SELECT name FROM system.tables WHERE name IN (${push.workTableNames.map((n) => `'${n}'`).join(", ")})`;
    await push.score(await push.train(), { window: 3, tokens: true, geoMean: false }, 5);
    expect((await query<{ name: string }>(mine)).length).toBeGreaterThan(0);
    await push.close();
    expect(await query<{ name: string }>(mine)).toEqual([]);
  });
});

describe.runIf(clickHouseUp)("ClickHouse sessionizing on tricky timings", () => {
  for (const [seed, maxGap, maxDuration] of [
    [1, 1, 3],
    [5, 0.5, 1.5],
    [2, 1, 0.5],
    [3, 1.5, 7],
    [4, 1, 0],
  ] as const) {
    it(`matches the in-process Sessionizer (seed ${seed}, gap ${maxGap} min, duration ${maxDuration} min)`, async () => {
      const events = trickyEvents(seed);
      await loadDistributed(`tricky_${seed}`, events);
      const local: CliSession[] = await inProcess(`tricky-${seed}`, events, "values", maxGap, maxDuration);
      const push = await open(`tricky_${seed}`, "values", maxGap, maxDuration);
      try {
        const pushed = await push.sessions();
        expect(pushed.map(sessionView)).toEqual(local.map(sessionView));
        const model = new Model(local.map((s) => s.commands));
        model.train();
        expect(countsByName((await push.train()).toJSON())).toEqual(countsByName(model.toJSON()));
      } finally {
        await push.close();
      }
    });
  }
});

describe.runIf(clickHouseUp)("ClickHouse pushdown on a table sharded by identity", () => {
  const demo = demoEvents(7);
  const tricky = trickyEvents(6);
  const onShards = { shardUrls: SHARD_URLS };
  let held: number[] = [];
  beforeAll(async () => {
    held = await loadShardedByIdentity("sharded_demo", demo);
    await loadShardedByIdentity("sharded_tricky", tricky);
  });

  it("spreads the identities over both shards", () => {
    expect(held).toHaveLength(2);
    expect(held.reduce((a, b) => a + b, 0)).toBe(demo.length);
    for (const rows of held) expect(rows).toBeGreaterThan(demo.length / 10);
  });

  for (const mode of ["none", "names", "values"] as const) {
    it(`each shard sessionizes, counts and scores its identities: the in-process numbers (${mode})`, async () => {
      const local = await inProcess(`sharded-${mode}`, demo, mode);
      const push = await open("sharded_demo", mode, 2, 20, onShards);
      try {
        expect(push.sharded).toBe(true);
        expect(push.stats).toEqual({ read: demo.length, used: demo.length, skipped: new Map() });
        // Session ids interleave over the shards: compare the sessions, and map ids to in-process positions.
        const pushed = await push.sessions();
        const views = local.map(sessionView);
        expect(pushed.map(sessionView).sort()).toEqual([...views].sort());
        const position = new Map(views.map((v, i) => [v, i]));
        const indexOf = new Map(pushed.map((s) => [s.sid, position.get(sessionView(s)) as number]));

        const model = new Model(local.map((s) => s.commands));
        model.train();
        const file = (await push.train()).toJSON();
        expect(countsByName(file)).toEqual(countsByName(model.toJSON()));

        const shape = { window: 3, tokens: true, geoMean: false };
        const expected = model.score(
          local.map((s) => s.commands),
          { windowLength: 3 },
        );
        const all = await push.score(Model.fromJSON(file), shape, local.length + 1);
        expect(all).toHaveLength(local.length);
        for (const s of all) {
          const e = expected[indexOf.get(s.sid) as number] as SessionScore;
          expect(Math.abs(s.logLikelihood - e.logLikelihood)).toBeLessThan(1e-9);
          expect(s.rarestWindowStart).toBe(e.rarestWindowStart ?? -1);
          if (e.rarestWindowStart !== null)
            expect(Math.abs(s.rarestWindowLogLikelihood - e.rarestWindowLogLikelihood)).toBeLessThan(1e-9);
        }
        // The top 10, merged from each shard's own top 10: the ten rarest values of the whole table.
        const top = await push.score(Model.fromJSON(file), shape, 10);
        const rarest = [...expected.keys()]
          .map((i) => rarity(expected, i))
          .sort((x, y) => x - y)
          .slice(0, 10);
        top.forEach((s, r) => {
          const value = rarity(expected, indexOf.get(s.sid) as number);
          expect(Math.abs(value - (rarest[r] as number))).toBeLessThan(1e-9);
        });
        const fetched = await push.sessions(top.map((s) => s.sid));
        expect(fetched.map((s) => s.sid)).toEqual(top.map((s) => s.sid).sort((x, y) => x - y));
      } finally {
        await push.close();
      }
    });
  }

  it("matches the in-process Sessionizer on tricky timings, over both shards", async () => {
    const local = await inProcess("sharded-tricky", tricky, "values", 1, 3);
    const push = await open("sharded_tricky", "values", 1, 3, onShards);
    try {
      expect(push.sharded).toBe(true);
      expect((await push.sessions()).map(sessionView).sort()).toEqual(local.map(sessionView).sort());
      const model = new Model(local.map((s) => s.commands));
      model.train();
      expect(countsByName((await push.train()).toJSON())).toEqual(countsByName(model.toJSON()));
    } finally {
      await push.close();
    }
  });

  it("works on the server that received the query when told to, or when the key is not the identity", async () => {
    const push = await open("sharded_demo", "none", 2, 20, { shardWork: "initiator" });
    try {
      expect(push.sharded).toBe(false);
    } finally {
      await push.close();
    }
    const random = await open("parity_demo", "none", 2, 20, onShards);
    try {
      expect(random.sharded).toBe(false);
    } finally {
      await random.close();
    }
  });

  it("says which URLs to give when the shards' HTTP ports differ from --url's", async () => {
    await expect(open("sharded_demo", "none")).rejects.toThrow(/do not hold the shards.*--shard-urls/);
  });

  it("drops its work tables on every shard", async () => {
    // This run's own tables only: other test files may run pushdowns on the same servers meanwhile.
    const push = await open("sharded_demo", "names", 2, 20, onShards);
    const mine = `SELECT name FROM system.tables WHERE name IN (${push.workTableNames.map((n) => `'${n}'`).join(", ")})`;
    const onEachShard = () =>
      Promise.all(
        SHARD_URLS.map(async (url) => {
          const client = createClient({ url });
          try {
            return (
              (await (await client.query({ query: mine, format: "JSON" })).json()) as { data: unknown[] }
            ).data;
          } finally {
            await client.close();
          }
        }),
      );
    await push.score(await push.train(), { window: 3, tokens: true, geoMean: false }, 5);
    for (const tables of await onEachShard()) expect(tables.length).toBeGreaterThan(0);
    await push.close();
    expect(await onEachShard()).toEqual([[], []]);
  });
});
