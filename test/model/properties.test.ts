// Properties the issue names: rows sum to 1, order does not matter, unseen commands are ##UNK##,
// a geo-mean window is the plain one to the power 1/k, log-likelihood is ln(likelihood).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Model } from "../../src/index.js";
import { plainSessions, typedSessions } from "../helpers/arbitraries.js";
import { close } from "../helpers/shared.js";

function trained(sessions: ConstructorParameters<typeof Model>[0]) {
  const m = new Model(sessions);
  m.train();
  return m;
}

describe("model properties", () => {
  it("every transition row sums to 1", () => {
    fc.assert(
      fc.property(typedSessions, ({ sessions }) => {
        for (const row of trained(sessions).transProbs?.values() ?? []) {
          expect([...row.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        }
      }),
    );
  });

  it("scores do not depend on the order of the sessions", () => {
    fc.assert(
      fc.property(
        typedSessions.chain((t) =>
          fc.tuple(
            fc.constant(t),
            fc.shuffledSubarray(
              t.sessions.map((_, i) => i),
              { minLength: t.sessions.length },
            ),
          ),
        ),
        ([{ sessions }, order]) => {
          const a = trained(sessions);
          const b = trained(order.map((i) => sessions[i] as (typeof sessions)[number]));
          a.computeScores({ useStartEndTokens: true });
          b.computeScores({ useStartEndTokens: true });
          order.forEach((i, j) => {
            expect(
              close(b.sessionLikelihoods?.[j] as number, a.sessionLikelihoods?.[i] as number, 1e-12),
            ).toBe(true);
            const ra = a.rareWindowLikelihoods.get(3)?.[i] as number;
            expect(
              close(b.rareWindowLikelihoods.get(3)?.[j] as number, Number.isNaN(ra) ? null : ra, 1e-12),
            ).toBe(true);
          });
        },
      ),
    );
  });

  it("an unseen command scores as ##UNK##", () => {
    fc.assert(
      fc.property(
        plainSessions,
        fc.array(fc.constantFrom("a", "b", "never-seen"), { minLength: 1, maxLength: 6 }),
        (sessions, probe) => {
          const m = trained(sessions);
          const asUnk = probe.map((c) => (c === "never-seen" ? "##UNK##" : c));
          const [x] = m.score([probe], { windowLength: 2 });
          const [y] = m.score([asUnk], { windowLength: 2 });
          expect(x?.logLikelihood).toBe(y?.logLikelihood);
          expect(x?.rarestWindowLogLikelihood).toBe(y?.rarestWindowLogLikelihood);
        },
      ),
    );
  });

  it("a geo-mean rarest window equals the plain one to the power 1/k", () => {
    fc.assert(
      fc.property(typedSessions, fc.integer({ min: 1, max: 5 }), ({ sessions }, k) => {
        const m = trained(sessions);
        m.computeRarestWindows(k);
        m.computeRarestWindows(k, { useGeoMean: true });
        const plain = m.rareWindowLikelihoods.get(k) ?? [];
        (m.rareWindowLikelihoodsGeo.get(k) ?? []).forEach((g, i) => {
          const p = plain[i] as number;
          expect(close(g, Number.isNaN(p) ? null : p ** (1 / k), 1e-12)).toBe(true);
        });
      }),
    );
  });

  it("log-likelihoods equal ln(likelihood) wherever it is above 1e-300", () => {
    fc.assert(
      fc.property(typedSessions, ({ sessions }) => {
        const m = trained(sessions);
        for (const s of m.score(sessions, { windowLength: 2 })) {
          if (s.likelihood > 1e-300) expect(close(s.logLikelihood, Math.log(s.likelihood), 1e-12)).toBe(true);
          if (s.rarestWindowLikelihood > 1e-300) {
            expect(close(s.rarestWindowLogLikelihood, Math.log(s.rarestWindowLikelihood), 1e-12)).toBe(true);
          }
        }
      }),
    );
  });
});
