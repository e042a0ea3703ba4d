// hunt on the reference's demo data gives exactly its 400 sessions and rarest-window likelihoods, in every mode.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { close, DEMO_CSV, readFixture } from "../helpers/shared.js";

interface Case {
  name: string;
  sessions: unknown[][];
  expect: {
    rarestWindows: {
      windowLen: number;
      useStartEndTokens: boolean;
      useGeoMean: boolean;
      likelihoods: (number | null)[];
    }[];
  };
}
const cases = readFixture<{ cases: Case[] }>("fixtures", "model.json").cases;

/** A session as a comparable key: parameter-name lists are sets. */
const key = (session: unknown[]) =>
  JSON.stringify(
    session.map((c) =>
      typeof c === "object" && c !== null && Array.isArray((c as { params: unknown }).params)
        ? { ...(c as object), params: [...(c as { params: string[] }).params].sort() }
        : c,
    ),
  );

describe.each([
  ["none", "exchange-demo-cmds-only"],
  ["names", "exchange-demo-cmds-params"],
  ["values", "exchange-demo-cmds-params-values"],
])("hunt --param-mode %s on demo_exchange_data.csv", (mode, caseName) => {
  it("gives the reference's sessions and rarest-window likelihoods", async () => {
    const out = join(tempDir(), "x.jsonl");
    const r = await runCli([
      "hunt",
      DEMO_CSV,
      ...["--user", "UserId,ClientIP", "--time", "TimeGenerated", "--event", "Operation"],
      ...["--max-gap", "2", "--max-duration", "20", "--window", "3"],
      ...[
        "--params",
        "Parameters",
        "--params-format",
        "exchange",
        "--param-mode",
        mode,
        "--quiet",
        "--out",
        out,
      ],
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const c = cases.find((x) => x.name === caseName) as Case;
    const w = c.expect.rarestWindows.find((x) => x.windowLen === 3 && x.useStartEndTokens && !x.useGeoMean);
    const want = c.sessions
      .map((s, i) => [key(s), w?.likelihoods[i] ?? null] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const got = rows
      .map((x) => [key(x.session as unknown[]), x.rarestWindowLikelihood as number | null] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(got).toHaveLength(400);
    got.forEach(([session, lik], i) => {
      expect(session).toBe(want[i]?.[0]);
      expect(close(lik ?? Number.NaN, want[i]?.[1] ?? null)).toBe(true);
    });
    expect(rows.map((x) => x.rank)).toEqual(rows.map((_, i) => i + 1));
  });
});
