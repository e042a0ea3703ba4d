import { describe, expect, it } from "vitest";
import { StateMatrix } from "../../src/index.js";

describe("StateMatrix", () => {
  const table = StateMatrix.fromMap(
    new Map([
      ["a", 1],
      ["##UNK##", 0.5],
      ["__proto__", 2],
    ]),
  );

  it("looks keys up exactly and falls back to ##UNK##", () => {
    expect(table.get("a")).toBe(1);
    expect(table.get("nope")).toBe(0.5);
    expect(table.get("__proto__")).toBe(2);
    expect(table.get("constructor")).toBe(0.5);
  });

  it("tells which keys exist without falling back", () => {
    expect(table.has("a")).toBe(true);
    expect(table.has("nope")).toBe(false);
    expect(table.size).toBe(3);
    expect([...table.keys()]).toEqual(["a", "##UNK##", "__proto__"]);
    expect([...table.entries()]).toEqual([
      ["a", 1],
      ["##UNK##", 0.5],
      ["__proto__", 2],
    ]);
  });

  it("serialises __proto__ as an own key", () => {
    const json = table.toJSON();
    expect(Object.hasOwn(json, "__proto__")).toBe(true);
    expect(JSON.parse(JSON.stringify(json))).toEqual({ a: 1, "##UNK##": 0.5, ["__proto__"]: 2 });
  });
});
