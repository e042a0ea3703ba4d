import { describe, expect, it } from "vitest";
import { parseParams } from "../../src/presets/params.js";

describe("parseParams", () => {
  const exchange = JSON.stringify([
    { Name: "Identity", Value: "bob" },
    { Name: "Force", Value: true },
    { Name: "X" },
  ]);
  it("reads Exchange's list of {Name, Value}, as names or values", () => {
    expect(parseParams(exchange, "exchange", "values")).toEqual({ Identity: "bob", Force: "true", X: null });
    expect(parseParams(exchange, "exchange", "names")).toEqual(new Set(["Identity", "Force", "X"]));
  });
  it("reads a JSON object and a JSON list of names", () => {
    expect(parseParams('{"a": "1", "b": null}', "json-object", "values")).toEqual({ a: "1", b: null });
    expect(parseParams('["a", "b"]', "json-array", "values")).toEqual({ a: null, b: null });
  });
  it("keeps a parameter named __proto__ as an own key", () => {
    const params = parseParams('{"__proto__": "x"}', "json-object", "values") as Record<string, string>;
    expect(Object.hasOwn(params, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
  });
  it("treats empty text as no parameters", () =>
    expect(parseParams("", "exchange", "names")).toEqual(new Set()));
  it.each([
    ["{bad", "exchange", "bad params JSON"],
    ['{"a": 1}', "exchange", "params should be a JSON list (exchange)"],
    ['[{"Value": 1}]', "exchange", 'params list items should be {"Name": ..., "Value": ...}'],
    ["[1]", "json-array", "params list should hold parameter names (strings)"],
    ["[]", "json-object", "params should be a JSON object"],
  ] as const)("says what is wrong with %j", (text, format, problem) => {
    expect(parseParams(text, format, "values")).toBe(problem);
  });
});
