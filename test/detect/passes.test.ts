// Pass-wise training: the same detector as training on the sessions in memory, byte for byte, on SEA
// (typed commands, per user), the UNM lpr slice (system calls) and sessions with parameter values; each pass
// reads fresh copies of the sessions (as a spill file does), and the counts may come from elsewhere.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChainCounts } from "../../src/detect/adaptive.js";
import { Chain } from "../../src/detect/chain.js";
import {
  countMarkovNovelty,
  markovNoveltyDetector,
  markovNoveltyFromCounts,
} from "../../src/detect/markov-novelty.js";
import { Novelty } from "../../src/detect/novelty.js";
import {
  NumberColumn,
  sessionPassesOf,
  together,
  trainInMemory,
  type Visit,
} from "../../src/detect/passes.js";
import { Presence } from "../../src/detect/presence.js";
import { detectorEntry } from "../../src/detect/registry.js";
import type { Detector, SessionPasses, WeightedSession } from "../../src/detect/types.js";
import { trustedCmd } from "../../src/model/cmd.js";
import { Vocabulary } from "../../src/model/vocabulary.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "datasets", "sea");

/** The first 20 sessions of 100 commands of SEA users 1 to 5, each user an entity, weights 1 to 3. */
const sea: WeightedSession[] = [1, 2, 3, 4, 5].flatMap((u) => {
  const cmds = readFileSync(join(fixtures, `User${u}`), "utf8")
    .trim()
    .split("\n");
  return Array.from({ length: 20 }, (_, i) => ({
    session: cmds.slice(i * 100, (i + 1) * 100),
    entity: `User${u}`,
    weight: 1 + (i % 3),
  }));
});

/** The UNM lpr slice's processes (no entity). */
const unm: WeightedSession[] = readFileSync(join(import.meta.dirname, "data", "unm-lpr-slice.txt"), "utf8")
  .trim()
  .split("\n")
  .filter((l) => !l.startsWith("#"))
  .map((l) => ({ session: l.split(" ").slice(2) }));

/** Seeded sessions of commands with parameter values: `mode` is categorical, `id` is not. */
const params: WeightedSession[] = (() => {
  let state = 7;
  const rand = () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  return Array.from({ length: 200 }, (_, i) => ({
    session: Array.from({ length: 1 + (i % 9) }, () =>
      trustedCmd(pick(["get", "put", "del"]), {
        mode: pick(["a", "b", "c"]),
        id: String(Math.floor(rand() * 100)),
        ...(rand() < 0.2 ? { flag: null } : {}),
      }),
    ),
    entity: `e${i % 4}`,
    weight: i % 5 === 0 ? 2 : undefined,
  }));
})();

/** Passes that hand out a fresh copy of each session every time (nothing is shared between passes), counted. */
function copiedPasses(sessions: readonly WeightedSession[]): SessionPasses & { passes: number } {
  const passes = {
    passes: 0,
    pass: async (visit: Visit) => {
      passes.passes++;
      for (const [i, s] of sessions.entries()) {
        // Read in chunks as a file is: a training that does not wait for the pass sees it half done.
        if (i % 16 === 0) await new Promise((done) => setImmediate(done));
        visit(
          {
            ...s,
            session: s.session.map((c) =>
              typeof c === "string"
                ? `${c}`
                : trustedCmd(c.name, { ...(c.params as Record<string, string | null>) }),
            ),
          },
          i,
        );
      }
    },
  };
  return passes;
}

/** The two detectors are the same: equal JSON and equal training scores (as numbers, -0 told from 0). */
function expectSame(passed: Detector, held: Detector, probe: readonly WeightedSession[]): void {
  expect(JSON.stringify(passed.toJSON())).toBe(JSON.stringify(held.toJSON()));
  const [a, b] = [passed.trainingScores(), held.trainingScores()];
  expect(a).toHaveLength(b.length);
  a.forEach((x, i) => {
    expect(Object.is(x, b[i])).toBe(true);
  });
  expect(passed.score(probe)).toEqual(held.score(probe));
  expect(passed.explain(probe[0] as WeightedSession)).toEqual(held.explain(probe[0] as WeightedSession));
}

const sets = { sea, unm, params };

describe.each(["markov-novelty", "markov-set", "markov-max"])("%s trained in passes", (method) => {
  it.each(Object.keys(sets))("is the detector trained in memory on %s", async (name) => {
    const data = sets[name as keyof typeof sets];
    const factory = detectorEntry(method).factory();
    const passes = copiedPasses(data);
    const passed = await (factory.trainPasses as NonNullable<typeof factory.trainPasses>)(passes);
    expectSame(passed, factory.train(data), data.slice(0, 10));
    // The categorical parameters, the counts, the held-out scores; markov-novelty then markov-set's cross-fitted
    // scores (its context chain, in three passes alongside: counts, held-out scores, expected surprise).
    expect(passes.passes).toBe(method === "markov-novelty" ? 4 : 3);
  });
});

describe("markov-novelty from counts", () => {
  it("counts supplied from elsewhere (each view rebuilt from its counts) give the detector trained in memory", async () => {
    const counted = await countMarkovNovelty(copiedPasses(sea));
    const chain = counted.chain.toJSON();
    const counts = {
      chain: Chain.fromJSON(JSON.parse(JSON.stringify(chain))),
      presence: Presence.fromCounts(JSON.parse(JSON.stringify(counted.presence.toJSON()))),
      novelty: Novelty.fromCounts(counted.novelty.window, counted.novelty.counts()),
      context: {
        vocabulary: new Vocabulary(counted.context.vocabulary.list()),
        counts: ChainCounts.fromJSON(JSON.parse(JSON.stringify(counted.context.counts.toJSON()))),
      },
    };
    const passes = copiedPasses(sea);
    const d = await markovNoveltyFromCounts(counts, passes);
    // One pass over the sessions held out, one for each session's expected surprise (and the context chain's
    // halves counted), one scoring each session by the half that did not count it.
    expect(passes.passes).toBe(3);
    expectSame(d, markovNoveltyDetector().train(sea), sea.slice(0, 10));
  });

  it("with other constants, as the factory with the same constants", async () => {
    const options = { window: 3, floor: 2, tailShare: 0.2 };
    const counts = await countMarkovNovelty(sessionPassesOf(unm), options);
    expect(counts.novelty.window).toBe(3);
    const d = await markovNoveltyFromCounts(counts, sessionPassesOf(unm), options);
    expectSame(d, markovNoveltyDetector(options).train(unm), unm.slice(0, 5));
  });
});

describe("together", () => {
  it("runs two trainings over the same passes, the longer one alone at the end", () => {
    const seen: string[] = [];
    function* twice(name: string, passes: number) {
      for (let p = 0; p < passes; p++)
        yield ((s: WeightedSession) => seen.push(`${name}${p}:${s.session[0]}`)) as Visit;
      return name;
    }
    const result = trainInMemory(together(twice("a", 1), twice("b", 2)), [
      { session: ["x"] },
      { session: ["y"] },
    ]);
    expect(result).toEqual(["a", "b"]);
    expect(seen).toEqual(["a0:x", "b0:x", "a0:y", "b0:y", "b1:x", "b1:y"]);
  });
});

describe("NumberColumn", () => {
  it("gives back every number pushed, in order, across its blocks", () => {
    for (const n of [0, 1, 65_535, 65_536, 65_537, 200_000]) {
      const column = new NumberColumn();
      for (let i = 0; i < n; i++) column.push(i * 0.5 - 7);
      const values = column.values();
      expect(values.length).toBe(n);
      expect(values.every((x, i) => x === i * 0.5 - 7)).toBe(true);
      column.push(1);
      expect(column.values().length).toBe(n + 1);
      expect(column.values()[n]).toBe(1);
    }
  });
});
