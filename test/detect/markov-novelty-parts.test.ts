// markov-novelty counted in parts (one per worker thread) and merged: the detector trained in one thread,
// score for score to the last bit, however the sessions are split (by entity, alternately, all in one part).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { markovNoveltyDetector, markovNoveltyFromCounts } from "../../src/detect/markov-novelty.js";
import {
  MarkovNoveltyPartCounter,
  mergeCategorical,
  mergeMarkovNoveltyParts,
} from "../../src/detect/markov-novelty-parts.js";
import { sessionPassesOf } from "../../src/detect/passes.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { trustedCmd } from "../../src/model/cmd.js";

const sea = join(import.meta.dirname, "..", "fixtures", "datasets", "sea");

/** Sessions of 50 commands of SEA users 1 to 4 taking turns, each user an entity. */
const typed: WeightedSession[] = (() => {
  const users = [1, 2, 3, 4].map((u) =>
    readFileSync(join(sea, `User${u}`), "utf8")
      .trim()
      .split("\n"),
  );
  return Array.from({ length: 60 }, (_, i) => ({
    session: (users[i % 4] as string[]).slice((i >> 2) * 50, ((i >> 2) + 1) * 50),
    entity: `User${(i % 4) + 1}`,
  }));
})();

/** Seeded commands with parameter values: `mode` categorical over all sessions, though not in each part alone. */
const valued: WeightedSession[] = (() => {
  let state = 11;
  const rand = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  return Array.from({ length: 240 }, (_, i) => ({
    session: Array.from({ length: 1 + (i % 7) }, (_, k) =>
      trustedCmd(["ls", "cat", "rm", "cp"][Math.floor(rand() * 4)] as string, {
        // 24 modes in all: more than 20, but each half (by entity parity) sees 12.
        mode: `m${(i % 2) + 2 * Math.floor(rand() * 12)}`,
        ...(k % 3 === 0 ? { user: String(Math.floor(rand() * 5)) } : {}),
        ...(rand() < 0.3 ? { force: null } : {}),
      }),
    ),
    entity: `e${i % 6}`,
  }));
})();

/** The sessions' indices split into parts by `partOf`, each part in training order. */
function split(n: number, parts: number, partOf: (i: number) => number): Int32Array[] {
  const out = Array.from({ length: parts }, () => [] as number[]);
  for (let i = 0; i < n; i++) out[partOf(i)]?.push(i);
  return out.map((p) => Int32Array.from(p));
}

/** Counts each part as a worker thread does, merges, and finishes training over every session held out. */
async function trainedInParts(sessions: readonly WeightedSession[], orders: readonly Int32Array[]) {
  const counters = orders.map(() => new MarkovNoveltyPartCounter());
  const own = orders.map((order) => Array.from(order, (i) => sessions[i] as WeightedSession));
  const categorical = mergeCategorical(counters.map((c, p) => c.first(own[p] as WeightedSession[])));
  // The parts cross threads as structured clones.
  const parts = counters.map((c, p) => ({
    part: structuredClone(c.second(own[p] as WeightedSession[], categorical)),
    order: orders[p] as Int32Array,
  }));
  return markovNoveltyFromCounts(mergeMarkovNoveltyParts(parts, categorical), sessionPassesOf(sessions));
}

const layouts: Record<string, (n: number) => Int32Array[]> = {
  "by entity (two parts)": (n) => split(n, 2, (i) => i % 2),
  "alternately (three parts, entities in several)": (n) => split(n, 3, (i) => i % 3),
  "one part and an empty one": (n) => split(n, 2, () => 0),
};

describe.each(Object.entries({ typed, valued }))(
  "markov-novelty counted in parts on %s sessions",
  (_, data) => {
    const whole = markovNoveltyDetector().train(data);
    it.each(Object.keys(layouts))("scores as trained in one thread, split %s", async (layout) => {
      const merged = await trainedInParts(
        data,
        (layouts[layout] as (n: number) => Int32Array[])(data.length),
      );
      const [a, b] = [merged.trainingScores(), whole.trainingScores()];
      expect(a).toHaveLength(b.length);
      a.forEach((x, i) => {
        expect(Object.is(x, b[i])).toBe(true);
      });
      const probe = [...data.slice(0, 8), { session: ["never-seen", "ls"] }];
      expect(merged.score(probe)).toEqual(whole.score(probe));
      expect(probe.map((s) => merged.explain(s))).toEqual(probe.map((s) => whole.explain(s)));
      expect(merged.percentile(a[3] as number)).toBe(whole.percentile(b[3] as number));
    });
  },
);

describe("merged categorical parameters", () => {
  it("are decided over every part: a parameter with few values in each part but many in all is not", () => {
    const halves = split(valued.length, 2, (i) => i % 2).map((order) => {
      const c = new MarkovNoveltyPartCounter();
      return c.first(Array.from(order, (i) => valued[i] as WeightedSession));
    });
    expect([...mergeCategorical(halves)].sort()).toEqual(["force", "user"]);
    expect([...mergeCategorical(halves.slice(0, 1))].sort()).toEqual(["force", "mode", "user"]);
  });
});
