// markov-set's training passes read each command's parameters in place: no array per parameter (its categorical
// parameters and occurrence tokens).
import { afterEach, describe, expect, it, vi } from "vitest";
import { markovNoveltyDetector } from "../../src/detect/markov-novelty.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { trustedCmd } from "../../src/model/cmd.js";

afterEach(() => {
  vi.restoreAllMocks();
});

const named: WeightedSession[] = Array.from({ length: 40 }, (_, i) => ({
  session: Array.from(
    { length: 2 + (i % 5) },
    (_, k) => ["ls", "cd", "cat", "rm"][(i + k * k) % 4] as string,
  ),
  entity: `u${i % 3}`,
}));

const valued: WeightedSession[] = named.map((s, i) => ({
  ...s,
  session: s.session.map((name, k) =>
    trustedCmd(name as string, { mode: `m${(i + k) % 3}`, ...(k % 2 === 0 ? { path: `/p${i}` } : {}) }),
  ),
}));

describe("markov-set's training reads each command's parameters in place", () => {
  it("markov-set's categorical parameters and occurrence tokens make no array per parameter", () => {
    const entries = vi.spyOn(Object, "entries");
    markovNoveltyDetector().train(valued);
    expect(entries).not.toHaveBeenCalled();
  });
});
