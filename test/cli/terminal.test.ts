import { describe, expect, it } from "vitest";
import { identityCell, shortenMiddle } from "../../src/cli/terminal.js";

const role = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef";

describe("shortenMiddle", () => {
  it("leaves short text alone and keeps both ends of long text within the limit", () => {
    expect(shortenMiddle("alice", 10)).toBe("alice");
    const long = `${role}/alice@example.com`;
    const short = shortenMiddle(long, 40);
    expect(short.length).toBeLessThanOrEqual(40);
    expect(short.startsWith("arn:aws:sts")).toBe(true);
    expect(short.endsWith("example.com")).toBe(true);
  });

  it("never makes two different values look the same, even when they differ only in the middle", () => {
    const a = `${"x".repeat(100)}A${"y".repeat(100)}`;
    const b = `${"x".repeat(100)}B${"y".repeat(100)}`;
    expect(shortenMiddle(a, 30)).not.toBe(shortenMiddle(b, 30));
  });
});

describe("identityCell", () => {
  it("wraps a long ARN onto lines of the column's width without cutting any of it", () => {
    const users = ["alice", "bob", "carol"].map((u) => `${role}/${u}@example.com`);
    const cells = users.map((u) => identityCell(u, 30));
    for (const [i, cell] of cells.entries()) {
      expect(cell.split("\n").every((line) => line.length <= 30)).toBe(true);
      expect(cell.replace(/\n/g, "")).toBe(users[i]);
    }
    expect(new Set(cells).size).toBe(3);
  });

  it("shows control characters as codes", () => {
    expect(identityCell("a\u001b[31mb", 40)).toBe("a\\u001b[31mb");
  });
});
