// The first-order chain (chain.ts): a session's steps asked again after more counts are the new counts' steps.
import { describe, expect, it } from "vitest";
import { Chain } from "../../src/detect/chain.js";
import type { WeightedSession } from "../../src/detect/types.js";

const session = (...names: string[]): WeightedSession => ({ session: names });

describe("Chain", () => {
  it("scores a session against the counts of the moment, the same session asked again after more are added", () => {
    const chain = Chain.empty(1, false);
    chain.add(session("a", "b"));
    const probe = session("a", "c");
    const before = chain.steps(probe);
    expect(chain.steps(probe)).toEqual(before);
    chain.add(session("a", "c"));
    chain.add(session("a", "c"));
    const after = chain.steps(probe);
    expect(after[0]).toBeLessThan(before[0] as number);
    expect(after).toEqual(Chain.train([session("a", "b"), probe, probe], 1, false).steps(probe));
  });
});

const of = (entity: string, ...names: string[]): WeightedSession => ({ session: names, entity });
const twoEntities = [
  of("alice", "a", "b", "c"),
  of("alice", "a", "b", "x"),
  of("alice", "a", "y", "b", "a", "b"),
  of("bob", "a", "c", "c"),
  of("bob", "x", "a", "b"),
];

describe("Chain.heldOutScore", () => {
  const sessions = twoEntities;
  const everyone = Chain.train(sessions, 1, true);

  it("scores a training session as its entity's chain counted without it would (everyone's counts kept)", () => {
    sessions.forEach((held, i) => {
      const others = sessions.filter((_, j) => j !== i);
      // Everyone's counts of all the sessions, the entities' of the others.
      const entities = Chain.train(others, 1, true).entityCounts;
      const without = Chain.fromCounts(1, true, Chain.train(sessions, 1, false).globalCounts, entities);
      expect(everyone.heldOutScore(held)).toBeCloseTo(without.score(held), 12);
      // Counted, its own steps are likelier for its entity: the held-out score is the higher.
      expect(everyone.heldOutScore(held)).toBeGreaterThan(everyone.score(held));
    });
  });

  it("scores as counted without an entity model", () => {
    const global = Chain.train(sessions, 1, false);
    expect(global.heldOutScore(sessions[0] as WeightedSession)).toBe(
      global.score(sessions[0] as WeightedSession),
    );
  });
});

describe("Chain against the other entities", () => {
  const sessions = [...twoEntities, of("carol", "c", "a", "b")];
  const chain = Chain.train(sessions, 1, true);
  const othersOf = (entity: string | undefined) =>
    Chain.train(
      sessions.filter((t) => t.entity !== entity),
      1,
      false,
    ).globalCounts;

  it("scores a session as the entity's chain backed off to a chain of the other entities' sessions", () => {
    for (const s of [...sessions, of("bob", "y", "a", "zz"), of("dave", "a", "b")]) {
      const expected = Chain.fromCounts(1, true, othersOf(s.entity), chain.entityCounts).score(s);
      expect(chain.score(s, "others")).toBeCloseTo(expected, 12);
    }
  });

  it("scores a training session held out from its entity against the others as counted without it", () => {
    sessions.forEach((held, i) => {
      // An entity of one session has no counts left to compare.
      if (held.entity === "carol") return;
      const entities = Chain.train(
        sessions.filter((_, j) => j !== i),
        1,
        true,
      ).entityCounts;
      const without = Chain.fromCounts(1, true, othersOf(held.entity), entities);
      expect(chain.heldOutScore(held, "others")).toBeCloseTo(without.score(held), 12);
    });
  });
});

describe("Chain.heldOutAndScored", () => {
  it.each(["everyone", "others"] as const)(
    "gives held out, as scored and the reason as asked one by one, against %s, to the last bit",
    (against) => {
      // An entity of one session, a session without an entity and one naming a command never counted.
      const probes = [...twoEntities, of("dave", "a", "b"), { session: ["a", "q"] }];
      const chain = Chain.train(probes, 1, true);
      for (const s of probes) {
        const one = Chain.train(probes, 1, true);
        const both = chain.heldOutAndScored(s, against, 0.3);
        expect(Object.is(both.heldOut, one.heldOutScore(s, against, 0.3))).toBe(true);
        expect(Object.is(both.scored, one.score(s, against, 0.3))).toBe(true);
        expect(both.reason).toBe(one.explain(s, against).reason);
        // The steps kept for the session are its steps as scored.
        expect(chain.steps(s, against)).toEqual(one.steps(s, against));
      }
    },
  );
});
