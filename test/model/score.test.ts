// Scoring new sessions against a trained model (test/fixtures/fixtures/score.json) and without underflow.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Model } from "../../src/index.js";
import type { Command } from "../../src/types.js";
import { typedSessions } from "../helpers/arbitraries.js";
import { close, decodeSessions, type FixtureCommand, readFixture } from "../helpers/shared.js";

interface ScoreCase {
  name: string;
  train: FixtureCommand[][];
  test: FixtureCommand[][];
  expect: {
    likelihoods: { tokens: number[]; noTokens: number[] };
    rarestWindows: {
      windowLen: number;
      useStartEndTokens: boolean;
      useGeoMean: boolean;
      likelihoods: (number | null)[];
      windowStarts: (number[] | null)[];
    }[];
  };
}
const fixture = readFixture<{ cases: ScoreCase[] }>("fixtures", "score.json");

describe.each(fixture.cases)("score fixture $name", (c) => {
  const model = new Model(decodeSessions(c.train));
  model.train();
  const test = decodeSessions(c.test);

  it.each(c.expect.rarestWindows)(
    "matches windowLen $windowLen tokens $useStartEndTokens geo $useGeoMean",
    (r) => {
      const scores = model.score(test, {
        windowLength: r.windowLen,
        useStartEndTokens: r.useStartEndTokens,
        useGeoMean: r.useGeoMean,
      });
      const full = c.expect.likelihoods[r.useStartEndTokens ? "tokens" : "noTokens"];
      scores.forEach((s, i) => {
        expect(close(s.likelihood, full[i] as number), `likelihood ${i}`).toBe(true);
        expect(
          close(s.rarestWindowLikelihood, r.likelihoods[i] as number | null),
          `window likelihood ${i}`,
        ).toBe(true);
        const starts = r.windowStarts[i];
        if (starts === null || starts === undefined) {
          expect(s.rarestWindowStart).toBeNull();
          expect(s.rarestWindow).toEqual([]);
        } else {
          expect(starts).toContain(s.rarestWindowStart);
          expect(s.rarestWindow).toEqual(
            (test[i] as Command[]).slice(
              s.rarestWindowStart as number,
              (s.rarestWindowStart as number) + r.windowLen,
            ),
          );
        }
      });
    },
  );

  it("leaves the model unchanged", () => {
    const before = JSON.stringify(model.toJSON());
    model.score(test, { windowLength: 3 });
    expect(JSON.stringify(model.toJSON())).toBe(before);
  });
});

describe("score", () => {
  it("on the training sessions equals the reference's compute methods", () => {
    fc.assert(
      fc.property(typedSessions, fc.integer({ min: 1, max: 4 }), ({ sessions }, k) => {
        const m = new Model(sessions);
        m.train();
        m.computeLikelihoodsOfSessions();
        m.computeRarestWindows(k);
        m.score(sessions, { windowLength: k }).forEach((s, i) => {
          expect(s.likelihood).toBe(m.sessionLikelihoods?.[i]);
          expect(Object.is(s.rarestWindowLikelihood, m.rareWindowLikelihoods.get(k)?.[i])).toBe(true);
          expect(s.rarestWindow).toEqual(m.rareWindows.get(k)?.[i]);
        });
      }),
    );
  });

  it("keeps log-likelihoods finite and ordered where likelihoods underflow", () => {
    const m = new Model(Array.from({ length: 50 }, () => ["a", "b", "a", "b", "c"]));
    m.train();
    const long = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? "a" : "b"));
    const [s1, s2] = m.score([long, [...long, "c", ...long]], { windowLength: 3 });
    expect(s1?.likelihood).toBe(0);
    expect(Number.isFinite(s1?.logLikelihood)).toBe(true);
    expect(s2?.logLikelihood).toBeLessThan(s1?.logLikelihood as number);
    // the rarest window of the second session is where "c" breaks the pattern
    expect(s2?.rarestWindow).toContain("c");
  });

  it("finds windows of length 50 exactly like a direct sum (prefix sums lose nothing)", () => {
    const train = [
      ["a", "b", "c", "a", "b", "d"],
      ["a", "c", "c", "b"],
    ];
    const m = new Model(train);
    m.train();
    const probe = Array.from({ length: 400 }, (_, i) => ["a", "b", "c", "d", "e"][(i * 7) % 5] as string);
    const [score] = m.score([probe], { windowLength: 50, useStartEndTokens: false });
    // direct O(n * k) reference: sum of log prior/transition terms per window
    const tp = (a: string, b: string) => Math.log(m.transProbs?.get(a).get(b) as number);
    let best = Number.POSITIVE_INFINITY;
    let bestStart = -1;
    for (let i = 0; i + 50 <= probe.length; i++) {
      let w = Math.log(m.priorProbs?.get(probe[i] as string) as number);
      for (let j = i + 1; j < i + 50; j++) w += tp(probe[j - 1] as string, probe[j] as string);
      if (w < best - 1e-9) {
        best = w;
        bestStart = i;
      }
    }
    expect(score?.rarestWindowStart).toBe(bestStart);
    expect(close(score?.rarestWindowLogLikelihood as number, best, 1e-12)).toBe(true);
  });
});
