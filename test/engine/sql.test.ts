import { describe, expect, it } from "vitest";
import { int, microsExpression, quoteIdentifier, textExpression } from "../../src/engine/clickhouse/sql.js";

describe("SQL text of the pushdown", () => {
  it("quotes identifiers so a backquote or backslash cannot end them", () => {
    expect(quoteIdentifier("UserId")).toBe("`UserId`");
    expect(quoteIdentifier("a`b")).toBe("`a\\`b`");
    expect(quoteIdentifier("a\\`; DROP TABLE x; --")).toBe("`a\\\\\\`; DROP TABLE x; --`");
  });

  it("writes only whole numbers seqhunt computed", () => {
    expect(int(120000000)).toBe("120000000");
    expect(() => int(1.5)).toThrow();
    expect(() => int(Number.NaN)).toThrow();
  });

  it("turns each supported time type into epoch microseconds, and refuses the rest", () => {
    expect(microsExpression("t", "DateTime")).toBe("toInt64(toUInt32(`t`)) * 1000000");
    expect(microsExpression("t", "Nullable(DateTime)")).toBe(
      "toInt64(toUInt32(assumeNotNull(`t`))) * 1000000",
    );
    expect(microsExpression("t", "DateTime64(3)")).toBe("toUnixTimestamp64Micro(`t`)");
    expect(microsExpression("t", "UInt64")).toContain("100000000000");
    expect(microsExpression("t", "String")).toBeNull();
    expect(microsExpression("t", "Array(DateTime)")).toBeNull();
  });

  it("reads identities and events as text", () => {
    expect(textExpression("u", "String")).toBe("`u`");
    expect(textExpression("u", "LowCardinality(String)")).toBe("`u`");
    expect(textExpression("u", "UInt32")).toBe("toString(`u`)");
  });
});
