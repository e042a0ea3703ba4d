// The default detector's counts (markov-novelty: chain steps, presence sets, novelty windows) counted in
// ClickHouse, each shard its own identities, must equal in-process training on the same sessions.
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ORDER } from "../../src/detect/adaptive.js";
import { Chain } from "../../src/detect/chain.js";
import { type ContextCounts, contextChainCounting } from "../../src/detect/context-chain.js";
import { NOVELTY_WINDOW } from "../../src/detect/markov-novelty.js";
import type { CountedInEngine } from "../../src/detect/markov-novelty-counts.js";
import { SET_CHAIN_ORDER } from "../../src/detect/markov-set.js";
import { Novelty } from "../../src/detect/novelty.js";
import { trainInMemory } from "../../src/detect/passes.js";
import { Presence } from "../../src/detect/presence.js";
import type { WeightedSession } from "../../src/detect/types.js";
import type { ClickHousePushdown } from "../../src/engine/clickhouse/pushdown.js";
import {
  clickHouseUp,
  demoEvents,
  loadDistributed,
  loadShardedByIdentity,
  openPushdown,
  SHARD_URLS,
  type TestEvent,
} from "../helpers/clickhouse.js";
import { chainByName, noveltyByName, presenceByName } from "../helpers/counts-by-name.js";

/**
 * The demo's events, with names that look like the padding tokens or object keys, a parameter named twice,
 * a parameter of many values (not categorical), one of few that only some users send, and names that are
 * array indices.
 */
function events(): TestEvent[] {
  return demoEvents(5).map((e, i) => {
    if (i % 17 === 0) return { ...e, Operation: i % 2 ? "##START##" : "__proto__", params: [] };
    const extra = [
      { Name: "Many", Value: `m${i % 40}` },
      ...(e.UserId?.startsWith("a") ? [{ Name: "__proto__", Value: `p${i % 3}` }] : []),
      ...(i % 11 === 0
        ? [
            { Name: "Twice", Value: "1" },
            { Name: "Twice", Value: "2" },
          ]
        : []),
      // Names a JavaScript object lists first, in numeric order (in-process training meets them so).
      ...(i % 13 === 0
        ? [
            { Name: "10", Value: "x" },
            { Name: "2", Value: `${i % 2}` },
          ]
        : []),
    ];
    return { ...e, params: [...e.params, ...extra] };
  });
}

/** Streamed sessions as a detector takes them, each with the `entity` identity column's value when given. */
async function sessionsOf(push: ClickHousePushdown, entity: number | null): Promise<WeightedSession[]> {
  const out: WeightedSession[] = [];
  await push.eachSession((s) =>
    out.push({
      session: s.commands,
      entity: entity === null ? undefined : (s.identity[entity] ?? undefined),
    }),
  );
  return out;
}

/** Compares pushed counts with in-process training on the same sessions: the counts, then each session's scores. */
function expectInProcessCounts(pushed: CountedInEngine, sessions: readonly WeightedSession[]): void {
  const chain = Chain.train(sessions, SET_CHAIN_ORDER, true);
  const presence = Presence.train(sessions, true, "sum");
  const novelty = Novelty.train(sessions, NOVELTY_WINDOW);
  expect(chainByName(pushed.chain)).toEqual(chainByName(chain));
  expect(presenceByName(pushed.presence)).toEqual(presenceByName(presence));
  expect(noveltyByName(pushed.novelty)).toEqual(noveltyByName(novelty));
  // Tokens get the ids in-process training gives them (where each first occurs), so every view scores
  // each session (training sessions held out) to the last bit.
  expect(pushed.presence.toJSON().tokenIds).toEqual(presence.toJSON().tokenIds);
  expect(pushed.presence.toJSON().global.seen).toEqual(presence.toJSON().global.seen);
  for (const s of sessions) {
    expect(pushed.chain.score(s)).toBe(chain.score(s));
    expect(pushed.presence.score(s, true)).toBe(presence.score(s, true));
    expect(pushed.presence.score(s)).toBe(presence.score(s));
    // Against the other entities (markov-novelty's markov-set), as trained in process to the last bit too.
    expect(pushed.chain.score(s, "others")).toBe(chain.score(s, "others"));
    expect(pushed.chain.heldOutScore(s, "others")).toBe(chain.heldOutScore(s, "others"));
    expect(pushed.presence.score(s, false, "others")).toBe(presence.score(s, false, "others"));
    expect(pushed.presence.heldOutScore(s, "others")).toBe(presence.heldOutScore(s, "others"));
    expect(pushed.novelty.count(s, true)).toEqual(novelty.count(s, true));
    expect(pushed.novelty.count(s, "whole")).toEqual(novelty.count(s, "whole"));
  }
}

/**
 * Compares context-chain counts made from a pushdown's steps with in-process counting of the same sessions:
 * the tokens in id order and the counts as a model file lists them (contexts in the order they were made).
 */
function expectInProcessContext(pushed: ContextCounts, sessions: readonly WeightedSession[], order: number) {
  const local = trainInMemory(contextChainCounting(order), sessions);
  expect(pushed.vocabulary.list()).toEqual(local.vocabulary.list());
  expect(pushed.counts.toJSON()).toEqual(local.counts.toJSON());
}

describe.runIf(clickHouseUp)("the default detector's counts in ClickHouse", () => {
  const all = events();
  const onShards = { shardUrls: SHARD_URLS };
  let held: number[] = [];
  beforeAll(async () => {
    held = await loadShardedByIdentity("default_counts", all);
    await loadDistributed("default_counts_random", all);
  });

  it("spreads the identities over both shards", () => {
    expect(held).toHaveLength(2);
    for (const rows of held) expect(rows).toBeGreaterThan(all.length / 10);
  });

  for (const mode of ["values", "names", "none"] as const)
    for (const entity of [null, 0] as const)
      it(`each shard counts its own sessions: in-process training's counts and scores (${mode}, entity ${entity ?? "none"})`, async () => {
        const push = await openPushdown("default_counts", mode, 2, 20, onShards);
        try {
          expect(push.sharded).toBe(true);
          const pushed = await push.countMarkovNovelty({ entity, window: NOVELTY_WINDOW });
          const sessions = await sessionsOf(push, entity);
          expect(sessions.length).toBeGreaterThan(100);
          expectInProcessCounts(pushed, sessions);
          if (mode === "values") {
            // Few values: categorical (its values are tokens); 40 values: not.
            expect(pushed.presence.categorical.has("__proto__")).toBe(true);
            expect(pushed.presence.categorical.has("Many")).toBe(false);
          }
          if (entity !== null) expect(pushed.chain.entityCounts.size).toBeGreaterThan(3);
        } finally {
          await push.close();
        }
      });

  for (const mode of ["values", "none"] as const)
    it(`each shard counts its own context-chain steps: in-process counting's counts, ids and order (${mode})`, async () => {
      const push = await openPushdown("default_counts", mode, 2, 20, onShards);
      try {
        expect(push.sharded).toBe(true);
        const sessions = await sessionsOf(push, null);
        expectInProcessContext(await push.countContextChain(MAX_ORDER), sessions, MAX_ORDER);
        // Orders below and above the longest session's steps; order 0 counts tokens alone.
        for (const order of [0, 1, 3, 40])
          expectInProcessContext(await push.countContextChain(order), sessions, order);
      } finally {
        await push.close();
      }
    });

  it("counts on the server that received the query when the table is not sharded by identity", async () => {
    const push = await openPushdown("default_counts_random", "values");
    try {
      expect(push.sharded).toBe(false);
      const pushed = await push.countMarkovNovelty({ entity: 1, window: 3 });
      const sessions = await sessionsOf(push, 1);
      const novelty = Novelty.train(sessions, 3);
      expect(noveltyByName(pushed.novelty)).toEqual(noveltyByName(novelty));
      expect(presenceByName(pushed.presence)).toEqual(presenceByName(Presence.train(sessions, true, "sum")));
      expect(chainByName(pushed.chain)).toEqual(chainByName(Chain.train(sessions, SET_CHAIN_ORDER, true)));
      expectInProcessContext(await push.countContextChain(MAX_ORDER), sessions, MAX_ORDER);
    } finally {
      await push.close();
    }
  });

  it("counts windows of one command and sessions shorter than the window", async () => {
    const push = await openPushdown("default_counts", "none", 2, 20, onShards);
    try {
      const sessions = await sessionsOf(push, null);
      for (const window of [1, 40]) {
        const pushed = await push.countMarkovNovelty({ entity: null, window });
        expect(noveltyByName(pushed.novelty)).toEqual(noveltyByName(Novelty.train(sessions, window)));
      }
    } finally {
      await push.close();
    }
  });

  it("drops its count tables on every shard", async () => {
    const push = await openPushdown("default_counts", "values", 2, 20, onShards);
    const names = push.workTableNames;
    try {
      await push.countMarkovNovelty({ entity: null, window: NOVELTY_WINDOW });
      await push.countContextChain(MAX_ORDER);
    } finally {
      await push.close();
    }
    for (const url of SHARD_URLS) {
      const left = await fetch(url, {
        method: "POST",
        body: "SELECT name FROM system.tables WHERE database = 'default' FORMAT TabSeparated",
      });
      const tables = (await left.text()).split("\n");
      for (const name of names) expect(tables).not.toContain(name);
    }
  });
});
