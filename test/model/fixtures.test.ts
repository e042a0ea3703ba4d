// The reference's exact outputs (test/fixtures/fixtures/model.json): every table, likelihood and rarest window.
import { describe, expect, it } from "vitest";
import { Model, type StateMatrix } from "../../src/index.js";
import type { Command } from "../../src/types.js";
import { close, decodeSessions, type FixtureCommand, readFixture } from "../helpers/shared.js";
import { TABLE_NAMES } from "../helpers/tables.js";

interface RarestExpect {
  windowLen: number;
  useStartEndTokens: boolean;
  useGeoMean: boolean;
  likelihoods: (number | null)[];
  windowStarts: (number[] | null)[];
}
interface ModelCase {
  name: string;
  sessions: FixtureCommand[][];
  modellableParams?: string[];
  expect: Record<string, unknown> & {
    sessionType: string;
    modellableParams: string[] | null;
    likelihoods: { tokens: (number | null)[]; noTokens: (number | null)[] };
    geomeanLikelihoods: { tokens: (number | null)[]; noTokens: (number | null)[] };
    rarestWindows: RarestExpect[];
    setParamsCondCmdProbs?: Record<
      "plain" | "geo",
      Record<string, { params: string[]; probability: number }[]>
    >;
  };
}
const fixture = readFixture<{ cases: ModelCase[] }>("fixtures", "model.json");

/** Lists every mismatch between a table and its expected plain object. */
function tableMismatches(label: string, table: StateMatrix<unknown> | null, want: unknown): string[] {
  if (want === null) return table === null ? [] : [`${label}: expected no table`];
  if (table === null) return [`${label}: missing`];
  const expected = want as Record<string, unknown>;
  const problems: string[] = [];
  expect([...table.keys()].sort(), label).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) {
    const e = expected[key];
    const a = table.get(key);
    if (typeof e === "object" && e !== null)
      problems.push(...tableMismatches(`${label}.${key}`, a as StateMatrix<unknown>, e));
    else if (!close(a as number, e as number)) problems.push(`${label}.${key}: ${String(a)} != ${String(e)}`);
  }
  return problems;
}

const sameCommand = (a: Command | undefined, e: Command | undefined) =>
  JSON.stringify(a) === JSON.stringify(e) && String(a) === String(e);

describe.each(fixture.cases)("model fixture $name", (c) => {
  const sessions = decodeSessions(c.sessions);
  const model = new Model(sessions, c.modellableParams ? { modellableParams: c.modellableParams } : {});
  model.train();
  const e = c.expect;

  it("has the session type and modellable params", () => {
    expect(model.sessionType).toBe(e.sessionType);
    expect(model.modellableParams === null ? null : [...model.modellableParams].sort()).toEqual(
      e.modellableParams,
    );
  });

  it.each(TABLE_NAMES)("matches %s", (name) => {
    expect(tableMismatches(name, model[name] as StateMatrix<unknown> | null, e[name])).toEqual([]);
  });

  it.each([
    ["tokens", true],
    ["noTokens", false],
  ] as const)("matches session likelihoods (%s)", (flag, tokens) => {
    model.computeLikelihoodsOfSessions({ useStartEndTokens: tokens });
    model.computeGeomeanLikOfSessions();
    e.likelihoods[flag].forEach((want, i) => {
      expect(close(model.sessionLikelihoods?.[i] as number, want), `session ${i}`).toBe(true);
    });
    e.geomeanLikelihoods[flag].forEach((want, i) => {
      expect(close(model.sessionGeomeanLikelihoods?.[i] as number, want), `geomean ${i}`).toBe(true);
    });
  });

  it("matches every rarest window", () => {
    for (const r of e.rarestWindows) {
      model.computeRarestWindows(r.windowLen, {
        useStartEndTokens: r.useStartEndTokens,
        useGeoMean: r.useGeoMean,
      });
      const liks =
        (r.useGeoMean ? model.rareWindowLikelihoodsGeo : model.rareWindowLikelihoods).get(r.windowLen) ?? [];
      const wins = (r.useGeoMean ? model.rareWindowsGeo : model.rareWindows).get(r.windowLen) ?? [];
      const label = JSON.stringify({ ...r, likelihoods: undefined, windowStarts: undefined });
      r.likelihoods.forEach((want, i) => {
        expect(close(liks[i] as number, want), `${label} session ${i}`).toBe(true);
      });
      r.windowStarts.forEach((starts, i) => {
        const got = wins[i] as Command[];
        if (starts === null) {
          expect(got).toEqual([]);
          return;
        }
        const session = sessions[i] as Command[];
        const ok = starts.some((st) => {
          const want = session.slice(st, st + r.windowLen);
          return want.length === got.length && want.every((w, j) => sameCommand(got[j], w));
        });
        expect(ok, `${label} window of session ${i}`).toBe(true);
      });
    }
  });

  it("matches the probability of each distinct parameter set", () => {
    const want = e.setParamsCondCmdProbs;
    if (!want) {
      expect(() => model.computeSetofParamsCondCmd({ useGeoMean: false })).toThrow(/plain command names/);
      return;
    }
    for (const [flag, geo] of [
      ["plain", false],
      ["geo", true],
    ] as const) {
      model.computeSetofParamsCondCmd({ useGeoMean: geo });
      const got = model.setParamsCondCmdProbs as Map<string, { params: string[]; probability: number }[]>;
      expect([...got.keys()].sort()).toEqual(Object.keys(want[flag]).sort());
      for (const [cmd, sets] of Object.entries(want[flag])) {
        const byKey = new Map(
          (got.get(cmd) ?? []).map((x) => [JSON.stringify([...x.params].sort()), x.probability]),
        );
        // The reference keys sets by insertion order, so one set may be listed twice (same probability).
        expect(byKey.size).toBe(new Set(sets.map((s) => JSON.stringify(s.params))).size);
        for (const s of sets)
          expect(
            close(byKey.get(JSON.stringify(s.params)) as number, s.probability),
            `${cmd} ${s.params}`,
          ).toBe(true);
      }
    }
  });
});
