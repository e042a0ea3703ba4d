// markov-novelty's markov-set standardises its views by held-out scores with each training session taken out of
// its entity's counts (the chain's and the presences'), each entity weighed against the other entities' counts
// (everyone's less its own: SEA hits @1% false alarms 51.5% against everyone, 55.0% against the others). Before, the order view was scored in-sample and the
// occurrence view took out only the whole set: an entity's counts of few sessions had counted every pair of
// its own sessions, so the order view's spread was understated and its weight beside the occurrence view
// overstated (SEA hits @1% false alarms: 46.8% before, 51.5% held out).
import { describe, expect, it } from "vitest";
import { rng } from "../../src/demo/generate.js";
import { meanAndSpread } from "../../src/detect/base.js";
import { Chain } from "../../src/detect/chain.js";
import { markovNoveltyDetector } from "../../src/detect/markov-novelty.js";
import { Presence } from "../../src/detect/presence.js";
import type { WeightedSession } from "../../src/detect/types.js";

const rand = rng(11);
const COMMANDS = ["ls", "cd", "vi", "make", "gcc", "cat", "grep", "mail", "ssh", "tar", "rm", "cp"];
/** A user's session: mostly the user's own few commands, sometimes anyone's. */
const sessionOf = (entity: string, own: readonly string[]): WeightedSession => ({
  entity,
  session: Array.from({ length: 12 + Math.floor(rand() * 8) }, () =>
    rand() < 0.8
      ? (own[Math.floor(rand() * own.length)] as string)
      : (COMMANDS[Math.floor(rand() * COMMANDS.length)] as string),
  ),
});
const train: WeightedSession[] = [
  ...Array.from({ length: 15 }, () => sessionOf("alice", ["ls", "cd", "vi"])),
  ...Array.from({ length: 15 }, () => sessionOf("bob", ["make", "gcc", "grep", "cat"])),
];

describe("markov-novelty's views, held out from the entity, against the others", () => {
  it("are standardised by each training session's scores with the session taken out of its entity's counts, against the other entities'", () => {
    const state = markovNoveltyDetector().train(train).toJSON().state as {
      model: { markovSet: { model: { scales: { mean: number; spread: number }[] } } };
    };
    const [order, occurrence] = state.model.markovSet.model.scales;
    // By brute force: each session scored by the other entities' counts and its entity's counts without it.
    const heldOut = train.map((s, i) => {
      const rest = Chain.train(
        train.filter((t) => t.entity !== s.entity),
        1,
        false,
      ).globalCounts;
      const others = Chain.train(
        train.filter((_, j) => j !== i),
        1,
        true,
      ).entityCounts;
      return Chain.fromCounts(1, true, rest, others).score(s);
    });
    const expected = meanAndSpread(
      heldOut,
      train.map(() => 1),
    );
    expect(order?.mean).toBeCloseTo(expected.mean, 10);
    expect(order?.spread).toBeCloseTo(expected.spread, 10);
    // The occurrence view's, as Presence.heldOutScore scores against the others (exact: test/detect/presence.test.ts).
    const presence = Presence.train(train, true, "sum");
    const occurrences = meanAndSpread(
      train.map((s) => presence.heldOutScore(s, "others")),
      train.map(() => 1),
    );
    expect(occurrence?.mean).toBeCloseTo(occurrences.mean, 10);
    expect(occurrence?.spread).toBeCloseTo(occurrences.spread, 10);
    // In-sample the order view's spread is the smaller (what the view was standardised by before).
    const inSample = Chain.train(train, 1, true);
    expect(
      meanAndSpread(
        train.map((s) => inSample.score(s, "others")),
        train.map(() => 1),
      ).spread,
    ).toBeLessThan(expected.spread);
  });

  it("says to train again for a saved detector from before the views weighed entities against the others", () => {
    const { state } = markovNoveltyDetector().train(train).toJSON() as {
      state: { model: Record<string, unknown> };
    };
    expect(() => markovNoveltyDetector().load(state)).not.toThrow();
    const older = {
      ...state.model,
      views: "cross-fitted set tail, windows by last command, held out from the entity, no chain view",
    };
    expect(() => markovNoveltyDetector().load({ ...state, model: older })).toThrow(/train again/);
  });
});
