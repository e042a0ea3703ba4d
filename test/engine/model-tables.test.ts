import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { modelTableRows } from "../../src/engine/clickhouse/model-tables.js";
import { Cmd } from "../../src/model/cmd.js";
import { logTablesOf } from "../../src/model/engine-access.js";
import { Model } from "../../src/model/model.js";

/** Looks a transition up the way the scoring SQL does: an explicit entry, else the row's default. */
function lookup(rows: ReturnType<typeof modelTableRows>, a: number, b: number): number {
  const entry = rows.trans.find((r) => r[0] === a && r[1] === b);
  if (entry !== undefined) return entry[2] as number;
  const fallback = rows.vocab.find((r) => r[1] === a)?.[5];
  if (fallback === undefined || Number.isNaN(fallback))
    throw new Error(`row ${a} has neither an entry for ${b} nor a default`);
  return fallback as number;
}

const names = fc.constantFrom("A", "B", "C", "##END##", "##START##", "__proto__");
const sessions = fc.array(fc.array(names, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });

describe("model tables for the scoring SQL", () => {
  it("reproduce every transition log-probability of the in-process engine", () => {
    fc.assert(
      fc.property(sessions, (list) => {
        const model = new Model(list);
        model.train();
        const logs = logTablesOf(model);
        const rows = modelTableRows(logs, false);
        for (let a = 0; a < logs.commandCount; a++)
          for (let b = 0; b < logs.commandCount; b++) expect(lookup(rows, a, b)).toBe(logs.logTrans(a, b));
        expect(rows.vocab.map((r) => r[0])).toEqual(
          Array.from({ length: logs.commandCount }, (_, id) => logs.smoothed.raw.commands.name(id)),
        );
      }),
    );
  });

  it("carry each command's parameter terms, and value rows only for modelled parameters", () => {
    const session = Array.from(
      { length: 30 },
      (_, i) => new Cmd("Set-User", { Identity: `u${i}`, Force: "yes" }),
    );
    const model = new Model([session]);
    model.train();
    const logs = logTablesOf(model);
    const withValues = modelTableRows(logs, true);
    const id = logs.smoothed.raw.commands.lookup("Set-User", -1);
    const force = withValues.cmdParam.find((r) => r[0] === id && r[1] === "Force");
    const identity = withValues.cmdParam.find((r) => r[0] === id && r[1] === "Identity");
    // Force has one value in 30 uses (modelled); Identity a new one each time (free text, not modelled).
    expect(force?.[3]).toBe(1);
    expect(identity?.[3]).toBe(0);
    expect(new Set(withValues.paramValue.map((r) => r[0]))).toEqual(new Set(["Force"]));
    expect(modelTableRows(logs, false).cmdParam.every((r) => r[3] === 0)).toBe(true);
    expect(modelTableRows(logs, false).paramValue).toEqual([]);
  });
});
