// Random sessions of every type: tables, likelihoods and rarest windows equal an independent, naive
// transcription of ALGORITHM.md (string Maps, smoothing pair by pair, direct products).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Model, type StateMatrix } from "../../src/index.js";
import { typedSessions } from "../helpers/arbitraries.js";
import { naiveRarestWindow, naiveTrain, naiveWindowLikelihood } from "../helpers/naive-reference.js";
import { close } from "../helpers/shared.js";

type Nested = Map<string, Map<string, number>>;
function sameNested(table: StateMatrix<StateMatrix<number>> | null, want: Nested): boolean {
  if (table === null || table.size !== want.size) return false;
  for (const [k, row] of want) {
    const got = table.get(k);
    if (!table.has(k) || got.size !== row.size) return false;
    for (const [c, n] of row) if (!got.has(c) || !close(got.get(c), n, 1e-12)) return false;
  }
  return true;
}
function sameFlat(table: StateMatrix<number> | null, want: Map<string, number>): boolean {
  return (
    table !== null &&
    table.size === want.size &&
    [...want].every(([k, n]) => table.has(k) && close(table.get(k), n, 1e-12))
  );
}

describe("the model equals the naive reference", () => {
  it("on every table", () => {
    fc.assert(
      fc.property(typedSessions, ({ type, sessions }) => {
        const model = new Model(sessions);
        model.train();
        const naive = naiveTrain(sessions);
        expect(model.sessionType).toBe(type);
        expect(sameFlat(model.seq1Counts, naive.seq1)).toBe(true);
        expect(sameNested(model.seq2Counts, naive.seq2)).toBe(true);
        expect(sameFlat(model.priorProbs, naive.prior)).toBe(true);
        expect(sameNested(model.transProbs, naive.trans)).toBe(true);
        if (type !== "cmds_only") {
          expect(sameFlat(model.paramCounts, naive.param)).toBe(true);
          expect(sameNested(model.paramCondCmdProbs, naive.paramCond)).toBe(true);
        }
        if (type === "cmds_params_values") {
          expect(sameFlat(model.valueCounts, naive.value)).toBe(true);
          expect(sameNested(model.valueCondParamProbs, naive.valueCond)).toBe(true);
          expect([...(model.modellableParams ?? [])].sort()).toEqual([...naive.modellable].sort());
        }
      }),
      { numRuns: 150 },
    );
  });

  it("on likelihoods and rarest windows of every length, with and without tokens and geo-mean", () => {
    fc.assert(
      fc.property(
        typedSessions,
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        fc.boolean(),
        ({ sessions }, k, tokens, geo) => {
          // with values, make every parameter modellable so value terms are exercised
          const modellableParams = ["x", "y", "z", "Identity", "__proto__", "toString"];
          const model = new Model(sessions, { modellableParams });
          model.train();
          const naive = naiveTrain(sessions, new Set(modellableParams));
          model.computeLikelihoodsOfSessions({ useStartEndTokens: tokens });
          model.computeRarestWindows(k, { useStartEndTokens: tokens, useGeoMean: geo });
          sessions.forEach((s, i) => {
            expect(
              close(model.sessionLikelihoods?.[i] as number, naiveWindowLikelihood(naive, s, tokens, tokens)),
            ).toBe(true);
            const want = naiveRarestWindow(naive, s, k, tokens, geo);
            const liks = (geo ? model.rareWindowLikelihoodsGeo : model.rareWindowLikelihoods).get(k) ?? [];
            expect(close(liks[i] as number, Number.isNaN(want.likelihood) ? null : want.likelihood)).toBe(
              true,
            );
            const window = ((geo ? model.rareWindowsGeo : model.rareWindows).get(k) ?? [])[i] ?? [];
            if (want.starts.length === 0) expect(window).toEqual([]);
            else
              expect(want.starts.some((st) => s.slice(st, st + k).every((c, j) => c === window[j]))).toBe(
                true,
              );
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
