// markov-set's training sessions as scored, worked out from its held-out pass (markovSetAsScored): the detector's
// own scores and reasons, to the last bit, whatever the options.
import { describe, expect, it } from "vitest";
import {
  type MarkovSetCounts,
  type MarkovSetHeldOut,
  type MarkovSetOptions,
  markovSetAsScored,
  markovSetCounting,
  markovSetFromHeldOut,
  markovSetHeldOut,
} from "../../src/detect/markov-set.js";
import { type PassTraining, trainInMemory } from "../../src/detect/passes.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { trustedCmd } from "../../src/model/cmd.js";

/** Seeded sessions with parameters, six entities and a few without one. */
const sessions: WeightedSession[] = (() => {
  let state = 7;
  const rand = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  return Array.from({ length: 150 }, (_, i) => ({
    session: Array.from({ length: 1 + (i % 6) }, () =>
      trustedCmd(["ls", "cat", "rm", "cp", "ssh"][Math.floor(rand() * 5)] as string, {
        mode: `m${Math.floor(rand() * 4)}`,
        ...(rand() < 0.3 ? { force: null } : {}),
      }),
    ),
    ...(i % 10 === 9 ? {} : { entity: `e${i % 6}` }),
    ...(i % 7 === 0 ? { weight: 2 } : {}),
  }));
})();

describe("markovSetAsScored", () => {
  it.each([
    ["held out from the entity, against the others", { entityHeldOut: true, against: "others" }],
    ["held out from the entity, against everyone", { entityHeldOut: true }],
    ["the whole set held out, against everyone", {}],
    ["the whole set held out, against the others", { against: "others" }],
  ] as const)("scores and explains each training session as the detector does: %s", (_, given) => {
    const options: MarkovSetOptions = { method: "markov-set", combine: "sum", ...given };
    function* training(
      asScored: boolean,
    ): PassTraining<{ counts: MarkovSetCounts; heldOut: MarkovSetHeldOut }> {
      const counts = yield* markovSetCounting(options.combine);
      const heldOut = yield* markovSetHeldOut(counts, options, { asScored });
      return { counts, heldOut };
    }
    const trained = (asScored: boolean) => trainInMemory(training(asScored), sessions);
    const plain = trained(false);
    const kept = trained(true);
    // The held-out numbers are the same with the views as scored kept beside them.
    expect(kept.heldOut.order).toEqual(plain.heldOut.order);
    expect(kept.heldOut.occurrence).toEqual(plain.heldOut.occurrence);
    expect(plain.heldOut.scored).toBeUndefined();
    const detector = markovSetFromHeldOut(options, plain.counts, plain.heldOut);
    const { scores, reasons } = markovSetAsScored(options, kept.counts, kept.heldOut, sessions);
    sessions.forEach((s, i) => {
      expect(Object.is(scores[i], detector.score([s])[0])).toBe(true);
      expect(reasons[i]).toBe(detector.explain(s).reason);
    });
    // Both views say why for some sessions.
    expect(new Set(reasons.map((r) => r.includes("(rare for")))).toEqual(new Set([true, false]));
  });
});
