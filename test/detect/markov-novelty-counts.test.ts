// markov-novelty's statistics built from count rows (as an engine counts them elsewhere, in parts) must
// equal training on the sessions themselves.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CATEGORICAL,
  categoricalOfParts,
  categoricalParams,
  KEY_SEPARATOR,
  namesOf,
} from "../../src/detect/base.js";
import { Chain } from "../../src/detect/chain.js";
import { NOVELTY_WINDOW } from "../../src/detect/markov-novelty.js";
import { MarkovNoveltyCountsBuilder } from "../../src/detect/markov-novelty-counts.js";
import { SET_CHAIN_ORDER } from "../../src/detect/markov-set.js";
import { Novelty } from "../../src/detect/novelty.js";
import { Presence, presenceTokens } from "../../src/detect/presence.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { Cmd } from "../../src/index.js";
import { END_TOKEN, START_TOKEN } from "../../src/model/tokens.js";
import type { Command } from "../../src/types.js";
import { typedSessions } from "../helpers/arbitraries.js";
import { chainByName, noveltyByName, presenceByName } from "../helpers/counts-by-name.js";

const SEP = KEY_SEPARATOR;

/** Distinct values per parameter of some sessions, null past {@link CATEGORICAL}: one part, as a shard sends it. */
function valuesPart(sessions: readonly WeightedSession[]): [string, string[] | null][] {
  const values = new Map<string, Set<string>>();
  for (const s of sessions)
    for (const c of s.session)
      if (typeof c !== "string" && !(c.params instanceof Set))
        for (const [p, v] of Object.entries(c.params)) {
          const seen = values.get(p) ?? new Set();
          seen.add(v ?? "");
          values.set(p, seen);
        }
  return [...values].map(([p, vs]) => [p, vs.size <= CATEGORICAL ? [...vs] : null]);
}

/** Count rows of `sessions` in two parts fed to a builder, as two shards' rows would be. */
function countedInParts(sessions: readonly WeightedSession[], window: number) {
  const half = Math.ceil(sessions.length / 2);
  const parts = [sessions.slice(0, half), sessions.slice(half)];
  const categorical = categoricalOfParts(parts.flatMap(valuesPart));
  const builder = new MarkovNoveltyCountsBuilder({ categorical, window });
  for (const part of parts)
    for (const s of part) {
      builder.addSet(s.entity, [...presenceTokens(categorical, s.session)], 1);
      const padded = [START_TOKEN, ...namesOf(s.session), END_TOKEN];
      for (let i = 1; i < padded.length; i++)
        builder.addStep(s.entity, padded[i - 1] as string, padded[i] as string, 1);
      const n = Math.min(window, padded.length);
      for (let i = 0; i + n <= padded.length; i++) builder.addWindow(padded.slice(i, i + n).join(SEP), 1);
    }
  return builder.build();
}

describe("markov-novelty's counts from count rows", () => {
  it("equal training on the sessions: chain, occurrence view and windows, per entity too", () => {
    fc.assert(
      fc.property(
        typedSessions,
        fc.array(fc.constantFrom("alice", "bob", undefined)),
        ({ sessions }, entities) => {
          const train: WeightedSession[] = sessions.map((session, i) => ({ session, entity: entities[i] }));
          const counted = countedInParts(train, NOVELTY_WINDOW);
          expect(chainByName(counted.chain)).toEqual(chainByName(Chain.train(train, SET_CHAIN_ORDER, true)));
          const presence = Presence.train(train, true, "sum");
          expect(presenceByName(counted.presence)).toEqual(presenceByName(presence));
          expect(noveltyByName(counted.novelty)).toEqual(noveltyByName(Novelty.train(train, NOVELTY_WINDOW)));
          for (const s of train)
            expect(counted.presence.score(s, true)).toBeCloseTo(presence.score(s, true), 9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("settles categorical parameters over every part: more than 20 values in all is not categorical", () => {
    const values = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `v${from + i}`);
    const parts: [string, string[] | null][] = [
      ["few", ["a", "b"]],
      ["split", values(0, 15)],
      ["many", null],
      ["few", ["b", "c"]],
      ["split", values(10, 25)],
      ["many", ["a"]],
      ["exactly", values(0, 20)],
    ];
    expect([...categoricalOfParts(parts)].sort()).toEqual(["exactly", "few"]);
    // The same rule as in-process training over whole sessions.
    const sessions = [values(0, 21), values(0, 20)].map((vs, i) => ({
      session: vs.map((v) => new Cmd("c", { [`p${i}`]: v }) as Command),
    }));
    expect([...categoricalParams(sessions)]).toEqual(["p1"]);
    expect([...categoricalOfParts(valuesPart(sessions))]).toEqual(["p1"]);
  });
});
