// Every registered detector through the one interface: save/load, exact merge where the registry says so,
// and the default detector's rules on length and never-seen commands (written against the registry's
// default, so they keep holding when the default changes).
import { describe, expect, it } from "vitest";
import { loadDetector, mergeDetectors, trainDetector } from "../../src/detect/detector.js";
import { DEFAULT_METHOD, DETECTORS, detectorEntry } from "../../src/detect/registry.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { SeqhuntError } from "../../src/errors.js";

/** A seeded normal process: mostly a cycle over a small alphabet, with noise. */
function process(seed: number) {
  let state = seed;
  const rand = () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
  const cmds = ["ls", "cd", "vim", "make", "git", "grep", "cat", "less"];
  return (length: number): string[] => {
    const out: string[] = [];
    let c = 0;
    for (let i = 0; i < length; i++) {
      c = rand() < 0.8 ? (c + 1) % cmds.length : Math.floor(rand() * cmds.length);
      out.push(cmds[c] as string);
    }
    return out;
  };
}

const normal = process(1);
const train: WeightedSession[] = [
  ...Array.from({ length: 200 }, (_, i) => ({
    session: normal(1 + ((i * 37) % 120)),
    entity: `u${i % 3}`,
    weight: 1 + (i % 2),
  })),
  // "sudo" seen once: the rarest command seen in training.
  { session: ["ls", "sudo", "ls"], entity: "u0" },
];
const test: WeightedSession[] = Array.from({ length: 60 }, (_, i) => ({
  session: normal(1 + ((i * 53) % 300)),
  entity: `u${i % 3}`,
}));

describe.each([...DETECTORS.keys()])("detector %s", (method) => {
  const d = trainDetector(method, train);

  it("loads from its JSON and scores, explains and calibrates as before", () => {
    const loaded = loadDetector(JSON.parse(JSON.stringify(d)));
    expect(loaded.method).toBe(method);
    const scores = d.score(test);
    expect(loaded.score(test)).toEqual(scores);
    expect(scores.map(loaded.percentile)).toEqual(scores.map(d.percentile));
    expect(loaded.scoreHeldOut(train)).toEqual(d.trainingScores());
    // Saved files hold counts, not sessions; adaptive's file alone keeps its training sessions (it retrains on load).
    if (method === "adaptive") expect(loaded.trainingScores()).toEqual(d.trainingScores());
    else expect(() => loaded.trainingScores()).toThrow(SeqhuntError);
  });

  it("explains in user-facing words, never internal tokens", () => {
    const e = d.explain({ session: ["ls", "nc"], entity: "u1" });
    const text = [e.reason, ...e.steps.map((s) => s.step)].join(" | ");
    expect(text).not.toMatch(/##(START|END|UNK)##/);
    expect(e.reason).not.toBe("");
  });

  it(DETECTORS.get(method)?.mergeable ? "merges exactly" : "refuses to merge, saying why", () => {
    const a = trainDetector(method, train.slice(0, 90));
    const b = loadDetector(JSON.parse(JSON.stringify(trainDetector(method, train.slice(90)))));
    if (!detectorEntry(method).mergeable) {
      expect(() => mergeDetectors(a, b)).toThrow(/cannot be updated with new data/);
      return;
    }
    const whole = d.score(test);
    mergeDetectors(a, b)
      .score(test)
      .forEach((x, i) => {
        expect(x).toBeCloseTo(whole[i] as number, 10);
      });
  });
});

describe(`the default detector (${DEFAULT_METHOD})`, () => {
  const d = trainDetector(DEFAULT_METHOD, train);

  it("ranks a one-event session of a never-seen command above sessions of every length", () => {
    const candidates = [...test, { session: ["nc"], entity: "u1" }];
    const scores = d.score(candidates);
    const top = scores.indexOf(Math.max(...scores));
    expect(top).toBe(candidates.length - 1);
  });

  it("finds a short session with one odd step rarer than long normal ones (scores do not grow with length)", () => {
    const long = d.score([600, 900, 1200].map((n) => ({ session: normal(n), entity: "u2" })));
    const [odd = 0] = d.score([{ session: ["ls", "make", "ls"], entity: "u2" }]);
    expect(odd).toBeGreaterThan(Math.max(...long));
    // and normal sessions of very different lengths score alike
    const [short = 0, longer = 0] = d.score([
      { session: normal(20), entity: "u0" },
      { session: normal(2000), entity: "u0" },
    ]);
    expect(Math.abs(longer - short)).toBeLessThan(Math.abs(odd - short));
  });

  it("never finds a never-seen command less surprising than the rarest seen one, wherever it stands", () => {
    const base = normal(40);
    for (const at of [0, 1, 20, 39]) {
      for (const [entity, length] of [
        ["u0", 40],
        [undefined, 2],
        ["u1", 1],
      ] as const) {
        const session = base.slice(0, length);
        const unseen = session.map((c, i) => (i === Math.min(at, length - 1) ? "nc" : c));
        const rarest = session.map((c, i) => (i === Math.min(at, length - 1) ? "sudo" : c));
        const [u = 0, r = 0] = d.score([
          { session: unseen, entity },
          { session: rarest, entity },
        ]);
        expect(u).toBeGreaterThanOrEqual(r);
      }
    }
  });
});
