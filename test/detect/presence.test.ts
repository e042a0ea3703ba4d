// The occurrence view interns tokens by command, parameter and value; it must count and score exactly as
// the tokens' strings (presenceTokens) say, whatever the names hold.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { categoricalParams, KEY_SEPARATOR } from "../../src/detect/base.js";
import { Presence, presenceTokens } from "../../src/detect/presence.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { Cmd, SeqhuntError } from "../../src/index.js";

const SEP = KEY_SEPARATOR;

/** Names from a tiny alphabet holding the separator, so a command's name can spell another's parameter token. */
const part = fc.constantFrom("a", "b", `a${SEP}b`, "__proto__", "");
const command = fc.oneof(
  part,
  fc.tuple(part, fc.uniqueArray(part, { maxLength: 3 })).map(([n, ps]) => new Cmd(n, new Set(ps))),
  fc
    .tuple(part, fc.dictionary(part, fc.option(part, { nil: null }), { maxKeys: 3 }))
    .map(([n, ps]) => new Cmd(n, ps)),
);
const session = fc.record({
  session: fc.array(command, { minLength: 1, maxLength: 6 }),
  entity: fc.constantFrom("u1", "u2", undefined),
});
const sessions = fc.array(session, { minLength: 1, maxLength: 12 }) as fc.Arbitrary<WeightedSession[]>;

describe("Presence", () => {
  it("counts each token string once per session, ids in the order training first met them", () => {
    fc.assert(
      fc.property(sessions, (train) => {
        const json = Presence.train(train, true, "sum").toJSON();
        const categorical = categoricalParams(train);
        const ids: string[] = [];
        const seen = new Map<string, number>();
        for (const t of train)
          for (const token of presenceTokens(categorical, t.session)) {
            if (!ids.includes(token)) ids.push(token);
            seen.set(token, (seen.get(token) ?? 0) + 1);
          }
        expect(json.tokenIds).toEqual(ids);
        expect(json.global.seen).toEqual([...seen]);
        const keys = train.map((t) =>
          [...presenceTokens(categorical, t.session)]
            .map((token) => ids.indexOf(token))
            .sort((x, y) => x - y)
            .join(","),
        );
        expect(json.global.sets.counts.map(([k]) => k).sort()).toEqual([...new Set(keys)].sort());
      }),
    );
  });

  it("keeps sets whose ids lie far apart (gaps past one and two bytes) under the keys the JSON gives", () => {
    const names = Array.from({ length: 70_000 }, (_, i) => `c${i}`);
    const far = (ids: number[]) => ({ session: ids.map((i) => names[i] as string) });
    const train = [{ session: names }, far([0, 300, 69_999]), far([0, 300, 69_999]), far([254, 255, 510])];
    const trained = Presence.train(train, false, "sum");
    const json = trained.toJSON();
    expect(json.global.sets.counts.slice(1)).toEqual([
      ["0,300,69999", 2],
      ["254,255,510", 1],
    ]);
    const rebuilt = Presence.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(rebuilt.toJSON()).toEqual(json);
    for (const s of [...train.slice(1), far([0, 300]), far([300, 69_999])]) {
      expect(rebuilt.score({ ...s })).toBe(trained.score(s));
      expect(rebuilt.score({ ...s }, true)).toBe(trained.score(s, true));
    }
    // A saved key that is not sorted ids stays as it was, and matches no session's set.
    const withSets = (counts: [string, number][]) =>
      Presence.fromCounts({ ...json, global: { ...json.global, sets: { ...json.global.sets, counts } } });
    const foreign = withSets([["300,0", 5]]);
    expect(foreign.toJSON().global.sets.counts).toEqual([["300,0", 5]]);
    expect(foreign.score(far([0, 300]))).not.toBe(withSets([["0,300", 5]]).score(far([0, 300])));
    // Only ids in decimal, rising, joined by "," name a set: each variant stays foreign, as the saved text.
    const unmatched = foreign.score(far([0, 300]));
    for (const key of [
      "00,300",
      "0,0300",
      "0,300,",
      ",0,300",
      "0, 300",
      "+0,300",
      "0,3e2",
      "0,,300",
      "0.0,300",
    ]) {
      const loaded = withSets([[key, 5]]);
      expect(loaded.toJSON().global.sets.counts).toEqual([[key, 5]]);
      expect(loaded.score(far([0, 300]))).toBe(unmatched);
    }
    expect(withSets([["16777216", 5]]).toJSON().global.sets.counts).toEqual([["16777216", 5]]);
  });

  it("refuses saved counts of the wrong kind, naming the field", () => {
    const json = Presence.train([{ session: ["a", "b"] }, { session: ["a"] }], false, "sum").toJSON();
    const global = json.global;
    const cases: [unknown, RegExp][] = [
      [{ ...json, tokenIds: ["a", "a", "b"] }, /tokenIds\[1\]/],
      [{ ...json, tokenIds: [1, "b"] }, /tokenIds\[0\]/],
      [{ ...json, global: { ...global, seen: [["a", -1]] } }, /global\.seen\[0\]/],
      [{ ...json, global: { ...global, seen: "a" } }, /global\.seen must be a list/],
      [{ ...json, global: { ...global, sessions: "2" } }, /global must hold/],
      [
        { ...json, global: { ...global, sets: { ...global.sets, counts: [[1, 1]] } } },
        /global\.sets\.counts\[0\]/,
      ],
      [
        { ...json, global: { ...global, sets: { ...global.sets, sessions: null } } },
        /global\.sets\.sessions/,
      ],
      [
        {
          ...json,
          global: {
            ...global,
            sets: {
              ...global.sets,
              counts: [
                ["0", 1],
                ["0", 2],
              ],
            },
          },
        },
        /lists a set twice/,
      ],
      [{ ...json, entities: [["x", null]] }, /entities\[0\] must hold/],
      [{ ...json, entities: [[7, global]] }, /entities\[0\] must be/],
    ];
    for (const [bad, message] of cases) {
      expect(() => Presence.fromJSON(bad)).toThrow(SeqhuntError);
      expect(() => Presence.fromJSON(bad)).toThrow(message);
    }
  });

  it("scores and explains alike when trained and when rebuilt from its counts, unseen tokens too", () => {
    fc.assert(
      fc.property(
        sessions,
        sessions,
        fc.constantFrom("sum" as const, "max" as const),
        (train, test, combine) => {
          const trained = Presence.train(train, true, combine);
          const rebuilt = Presence.fromJSON(JSON.parse(JSON.stringify(trained.toJSON())));
          for (const s of [...train, ...test]) {
            expect(rebuilt.score({ ...s })).toBe(trained.score(s));
            expect(rebuilt.explain({ ...s })).toEqual(trained.explain(s));
          }
        },
      ),
    );
  });

  it("counts a token never seen in training once however often it occurs, and says so", () => {
    const view = Presence.train([{ session: ["a", "b"] }, { session: ["a"] }], false, "sum");
    const once = view.score({ session: ["a", "zz"] });
    expect(view.score({ session: ["a", "zz", "a", "zz"] })).toBe(once);
    expect(view.score({ session: ["a", "zz", "yy"] })).toBeGreaterThan(once);
    expect(view.explain({ session: ["a", "zz"] }).map((c) => c.step)).toEqual([
      "zz: never seen in training",
      "a occurs",
    ]);
  });

  it("explains the three rarest tokens, the first met first among equals", () => {
    const view = Presence.train(
      [{ session: ["a"] }, { session: ["a"] }, { session: ["b", "c", "d", "e"] }],
      false,
      "sum",
    );
    expect(view.explain({ session: ["a", "e", "d", "c", "b"] }).map((c) => c.step)).toEqual([
      "e occurs",
      "d occurs",
      "c occurs",
    ]);
  });

  it("takes a command whose name holds the separator for the parameter token it spells", () => {
    const view = Presence.train(
      [{ session: [new Cmd("a", new Set(["b"]))] }, { session: [`a${SEP}b`] }],
      false,
      "sum",
    );
    expect(view.toJSON().global.seen).toEqual([
      ["a", 1],
      [`a${SEP}b`, 2],
    ]);
  });
});

describe("Presence.heldOutScore", () => {
  const of = (entity: string, ...names: string[]): WeightedSession => ({ session: names, entity });
  // Every set distinct; the later sessions bring no command of their own (so ids stay in the same order).
  const train = [
    of("alice", "ls", "cd", "vi"),
    of("bob", "make", "gcc", "ls", "tar"),
    of("alice", "ls", "vi"),
    of("alice", "ls", "cd", "tar"),
    of("bob", "make", "ls"),
    of("bob", "gcc", "ls", "cd"),
    of("alice", "ls", "gcc"),
  ];
  const all = Presence.train(train, true, "sum");

  it("scores a session as everyone's presences and its entity's counted without it would", () => {
    for (let i = 2; i < train.length; i++) {
      const held = train[i] as WeightedSession;
      const others = Presence.train(
        train.filter((_, j) => j !== i),
        true,
        "sum",
      );
      // Everyone's counts of every session, the entities' of the others.
      const spliced = Presence.fromJSON({ ...all.toJSON(), entities: others.toJSON().entities });
      expect(all.heldOutScore(held)).toBeCloseTo(spliced.score(held, true), 10);
      // Counted, its own commands are likelier for its entity: held out it scores higher.
      expect(all.heldOutScore(held)).toBeGreaterThan(all.score(held, true));
    }
  });

  it("scores as with the whole set taken out alone when there is no entity", () => {
    const global = Presence.train(
      train.map((t) => ({ session: t.session })),
      true,
      "sum",
    );
    const s = { session: (train[3] as WeightedSession).session };
    expect(global.heldOutScore(s)).toBe(global.score(s, true));
  });
});

describe("Presence against the other entities", () => {
  const of = (entity: string, ...names: string[]): WeightedSession => ({ session: names, entity });
  // Every set distinct but one, which two entities share; a command only alice types.
  const train = [
    of("alice", "ls", "cd", "vi"),
    of("bob", "make", "gcc", "ls", "tar"),
    of("alice", "ls", "vi", "emacs"),
    of("alice", "ls", "cd", "tar"),
    of("bob", "make", "ls"),
    of("bob", "gcc", "ls", "cd"),
    of("carol", "ls", "cd", "vi"),
    of("alice", "ls", "gcc"),
  ];
  const all = Presence.train(train, true, "sum");
  const ids = all.toJSON().tokenIds;
  /** Everyone's presences replaced by those of the sessions of every entity but `entity` (set keys in `all`'s ids). */
  const spliced = (entity: string, entities = all.toJSON().entities) => {
    const rest = Presence.train(
      train.filter((t) => t.entity !== entity),
      true,
      "sum",
    ).toJSON();
    const key = (k: string) =>
      k
        .split(",")
        .map((id) => ids.indexOf(rest.tokenIds[Number(id)] as string))
        .sort((a, b) => a - b)
        .join(",");
    const sets = {
      ...rest.global.sets,
      counts: rest.global.sets.counts.map(([k, n]) => [key(k), n] as const),
    };
    return Presence.fromJSON({ ...all.toJSON(), global: { ...rest.global, sets }, entities });
  };

  it("scores a session as its entity's presences leaning on the other entities' and scored against them", () => {
    for (const s of [...train, of("bob", "vi", "emacs", "nc")]) {
      const expected = spliced(s.entity as string).score(s);
      expect(all.score(s, false, "others")).toBeCloseTo(expected, 10);
      expect(all.score(s, false, "others")).not.toBeCloseTo(all.score(s), 3);
    }
  });

  it("scores a training session held out from its entity against the others as counted without it", () => {
    train.forEach((held, i) => {
      if (held.entity === "carol") return;
      const without = Presence.train(
        train.filter((_, j) => j !== i),
        true,
        "sum",
      ).toJSON().entities;
      const expected = spliced(held.entity as string, without).score(held);
      expect(all.heldOutScore(held, "others")).toBeCloseTo(expected, 10);
    });
  });
});

// Cross-fitting counts two occurrence views over halves of the sessions a whole view counted: views alike
// the whole describe each session through its tokens (once for all three) and must score exactly as views
// of their own would.
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** Sessions of a few entities over many commands and values: sums over hundreds of tokens. */
function manySessions(): WeightedSession[] {
  const rand = seeded(11);
  const users = ["u1", "u2", "u3", "u4"];
  return Array.from({ length: 400 }, () => ({
    entity: users[Math.floor(rand() * users.length)] as string,
    session: Array.from({ length: 3 + Math.floor(rand() * 12) }, () =>
      rand() < 0.5
        ? `cmd${Math.floor(rand() * rand() * 300)}`
        : new Cmd(`op${Math.floor(rand() * 20)}`, { mode: `m${Math.floor(rand() * 4)}`, id: `${rand()}` }),
    ),
  }));
}

/** Every score the halves give (as scored and held out, against everyone and the others) of every session. */
function everyScore(view: Presence, all: readonly WeightedSession[]): number[] {
  return all.flatMap((s) => [
    view.score(s, false, "others"),
    view.score(s, true, "others"),
    view.heldOutScore(s, "others"),
    view.score(s, false, "everyone"),
    view.heldOutScore(s, "everyone"),
  ]);
}

/** The whole view over `all`, a view alike it and a view of its own each counting every other session. */
function halves(all: readonly WeightedSession[]): { alike: Presence; own: Presence } {
  const whole = Presence.train(all, true, "sum");
  const alike = whole.alike();
  const own = Presence.counting(whole.categorical, true, "sum");
  for (const [i, s] of all.entries())
    if (i % 2 === 0) {
      alike.add(s);
      own.add(s);
    }
  return { alike, own };
}

describe("Presence.alike", () => {
  it("scores every session exactly as a view of its own counting the same sessions", () => {
    fc.assert(
      fc.property(sessions, (all) => {
        const { alike, own } = halves(all);
        expect(everyScore(alike, all)).toEqual(everyScore(own, all));
      }),
    );
  });

  it("adds the others' tokens in the order it counted them, as a view of its own numbers them", () => {
    // The whole met many tokens first in the sessions this half did not count: its ids are in another order.
    const all = manySessions();
    const { alike, own } = halves(all);
    const scores = everyScore(alike, all);
    const expected = everyScore(own, all);
    for (const [i, x] of scores.entries()) expect(Object.is(x, expected[i])).toBe(true);
  });

  it("describes each session object once for the whole view and the views alike it", () => {
    let reads = 0;
    const commands = [new Cmd("ls", { dir: "/" }), "cd", new Cmd("rm", new Set(["-f"]))];
    const counted: WeightedSession = {
      entity: "u1",
      get session() {
        reads++;
        return commands;
      },
    };
    const whole = Presence.counting(new Set(["dir"]), true, "sum");
    whole.add(counted);
    whole.add({ entity: "u2", session: ["cd"] });
    const alike = whole.alike();
    alike.add(counted);
    alike.score(counted, false, "others");
    whole.alike().score(counted, false, "others");
    whole.heldOutScore(counted, "others");
    whole.explain(counted);
    expect(reads).toBe(1);
  });

  it("learns the tokens of a session scored before it was counted", () => {
    const first: WeightedSession = { session: ["x"] };
    const later: WeightedSession = { session: ["x", "y"] };
    const view = Presence.counting(new Set(), false, "sum");
    view.add(first);
    view.score(later);
    view.add(later);
    const fresh = Presence.counting(new Set(), false, "sum");
    fresh.add({ session: ["x"] });
    fresh.add({ session: ["x", "y"] });
    expect(view.toJSON()).toEqual(fresh.toJSON());
  });
});
