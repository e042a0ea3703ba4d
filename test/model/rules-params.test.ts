// ALGORITHM.md rules for parameters and values, against numbers worked out by hand.
import { describe, expect, it } from "vitest";
import { Cmd, Model } from "../../src/index.js";

describe("parameters (cmds_params_only)", () => {
  // [[a{x}, a{}]]: C = {START, a, END, UNK}, smoothed seq1[a] = 2 + 3 + 3 = 8, total 22.
  const model = new Model([[new Cmd("a", new Set(["x"])), new Cmd("a", new Set())]]);
  model.train();

  it("gives every command a cmdParam row holding at least ##UNK##", () => {
    expect(model.cmdParamCounts?.get("a").toJSON()).toEqual({ x: 2, "##UNK##": 1 });
    expect(model.cmdParamCounts?.get("##START##").toJSON()).toEqual({ "##UNK##": 1 });
    expect(model.cmdParamCounts?.get("##END##").toJSON()).toEqual({ "##UNK##": 1 });
    expect(model.paramCounts?.toJSON()).toEqual({ x: 2, "##UNK##": 4 });
  });

  it("divides presence counts by the command's smoothed count", () => {
    expect(model.paramCondCmdProbs?.get("a").get("x")).toBeCloseTo(0.25, 15);
    expect(model.paramCondCmdProbs?.get("a").get("##UNK##")).toBeCloseTo(0.125, 15);
    expect(model.paramProbs?.get("x")).toBeCloseTo(2 / 22, 15);
  });

  it("multiplies presence and absence over the row, ##UNK## included", () => {
    model.computeSetofParamsCondCmd({ useGeoMean: false });
    const a = model.setParamsCondCmdProbs?.get("a") ?? [];
    expect(a.find((s) => s.params.length === 1)?.probability).toBeCloseTo(0.25 * 0.875, 15);
    expect(a.find((s) => s.params.length === 0)?.probability).toBe(1);
    model.computeSetofParamsCondCmd({ useGeoMean: true });
    const geo = model.setParamsCondCmdProbs?.get("a") ?? [];
    expect(geo.find((s) => s.params.length === 1)?.probability).toBeCloseTo((0.25 * 0.875) ** 0.5, 15);
  });

  it("ignores parameters the command never had, and uses the ##UNK## row for unseen commands", () => {
    const [unseenParam, unseenCmd] = model.explain([
      new Cmd("a", new Set(["y"])),
      new Cmd("z", new Set(["x"])),
    ]).steps;
    expect(unseenParam?.paramProbability).toBeCloseTo((0.75 * 0.875) ** 0.5, 15);
    expect(unseenParam?.params).toEqual([{ kind: "unseen-param", param: "y", probability: Number.NaN }]);
    expect(unseenCmd?.known).toBe(false);
    expect(unseenCmd?.paramProbability).toBeCloseTo(1 - 1 / 6, 15);
  });
});

describe("values (cmds_params_values)", () => {
  // [[a{x:1}, a{x:2, y:""}]] with x modellable: seq1[a] = 8; paramValue x = {1: 2, 2: 2, UNK: 1}.
  const sessions = [[new Cmd("a", { x: "1" }), new Cmd("a", { x: "2", y: "" })]];
  const model = new Model(sessions, { modellableParams: ["x"] });
  model.train();

  it("counts only truthy values and smooths each parameter's values", () => {
    expect(model.paramValueCounts?.get("x").toJSON()).toEqual({ 1: 2, 2: 2, "##UNK##": 1 });
    expect(model.paramValueCounts?.get("y").toJSON()).toEqual({ "##UNK##": 1 });
    expect(model.valueCounts?.toJSON()).toEqual({ 1: 2, 2: 2, "##UNK##": 3 });
    expect(model.valueCondParamProbs?.get("x").get("1")).toBeCloseTo(0.4, 15);
    expect(model.valueProbs?.get("1")).toBeCloseTo(2 / 7, 15);
  });

  it("multiplies in the value of a modellable parameter and counts it in the geo-mean's K", () => {
    model.computeSetofParamsCondCmd({ useGeoMean: false });
    const sets = model.setParamsCondCmdProbs?.get("a") ?? [];
    const plain = 0.375 * 0.4 * 0.75 * 0.875;
    expect(sets.find((s) => s.params.join() === "x --- 1")?.probability).toBeCloseTo(plain, 15);
    expect(sets.find((s) => s.params.join() === "x --- 2,y")).toBeDefined();
    model.computeSetofParamsCondCmd({ useGeoMean: true });
    const geo = model.setParamsCondCmdProbs?.get("a") ?? [];
    expect(geo.find((s) => s.params.join() === "x --- 1")?.probability).toBeCloseTo(plain ** (1 / 4), 15);
  });

  it("scores an unseen value as the parameter's ##UNK## value", () => {
    const step = model.explain([new Cmd("a", { x: "9" })]).steps[0];
    expect(step?.paramProbability).toBeCloseTo((0.375 * 0.2 * 0.75 * 0.875) ** (1 / 4), 15);
    expect(step?.params.map((f) => f.kind)).toContain("unseen-value");
  });

  it("treats a Set of params as names mapped to null", () => {
    const m = new Model([[new Cmd("a", { x: "1" }), new Cmd("a", new Set(["x"]))]]);
    m.train();
    expect(m.sessionType).toBe("cmds_params_values");
    expect(m.paramCounts?.get("x")).toBe(2 + 1);
    expect(m.valueCounts?.get("1")).toBe(1 + 1);
  });
});

describe("modellable params heuristic", () => {
  function modellable(values: string[]): string[] {
    const m = new Model([values.map((v) => new Cmd("c", { p: v }))]);
    m.train();
    return [...(m.modellableParams ?? [])];
  }
  const repeat = (n: number, distinct: number) => Array.from({ length: n }, (_, i) => `v${i % distinct}`);

  it("takes a parameter with few distinct values seen often enough (10% exactly is enough)", () => {
    expect(modellable(repeat(20, 2))).toEqual(["p"]);
  });
  it("needs at least 20 occurrences", () => expect(modellable(repeat(19, 1))).toEqual([]));
  it("needs distinct values at most 10% of occurrences", () => expect(modellable(repeat(20, 3))).toEqual([]));
  it("needs at most 20 distinct values", () => expect(modellable(repeat(420, 21))).toEqual([]));
  it("never takes a parameter without truthy values", () =>
    expect(modellable(Array(40).fill(""))).toEqual([]));
  it("uses a caller-given set as given", () => {
    const m = new Model([[new Cmd("c", { p: "1" })]], { modellableParams: new Set(["p", "q"]) });
    m.train();
    expect([...(m.modellableParams ?? [])].sort()).toEqual(["p", "q"]);
  });
});

describe("values that are not text (JSON numbers and booleans)", () => {
  it("are keyed as Python prints them, and 0 and false are falsy like None and the empty string", () => {
    const m = new Model(
      [[new Cmd("a", { n: 1 as never, b: true as never, z: 0 as never, f: false as never, s: "0" })]],
      { modellableParams: ["b"] },
    );
    m.train();
    expect([...(m.valueCounts?.keys() ?? [])].sort()).toEqual(["##UNK##", "0", "1", "True"]);
    expect(m.paramValueCounts?.get("z").toJSON()).toEqual({ "##UNK##": 1 });
    m.computeSetofParamsCondCmd({ useGeoMean: false });
    expect(m.setParamsCondCmdProbs?.get("a")?.[0]?.params).toEqual(["b --- True", "f", "n", "s", "z"]);
  });

  it("are refused when they are neither text, a finite number, a boolean nor null", () => {
    expect(() => new Cmd("a", { x: [1] as never })).toThrow(/must be a string or null, got a list/);
    expect(() => new Cmd("a", { x: Number.NaN as never })).toThrow(/must be a string or null/);
  });
});
