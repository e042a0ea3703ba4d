import { describe, expect, it } from "vitest";
import { identityText, shortenMiddle } from "../../src/cli/terminal.js";

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

describe("identityText", () => {
  it("keeps an ARN whole (the table wraps it) and bounds a huge identity, both ends and a hash kept", () => {
    const arn = `${role}/alice@example.com`;
    expect(identityText(arn)).toBe(arn);
    const a = identityText(`${"x".repeat(300)}A${"y".repeat(300)}`);
    const b = identityText(`${"x".repeat(300)}B${"y".repeat(300)}`);
    expect(a.length).toBeLessThanOrEqual(160);
    expect(a).not.toBe(b);
    expect(a.startsWith("xxx") && a.endsWith("yyy")).toBe(true);
  });

  it("shows control characters as codes", () => {
    expect(identityText("a\u001b[31mb")).toBe("a\\u001b[31mb");
  });
});
