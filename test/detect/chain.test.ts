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
