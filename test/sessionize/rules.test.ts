// The sessionizing rules of ALGORITHM.md, and its input errors.
import { describe, expect, it } from "vitest";
import { SeqhuntError, sessionize } from "../../src/index.js";

const opts = {
  userIdentifierCols: ["user"],
  timeCol: "t",
  eventCol: "ev",
  maxSessionTimeMins: 5,
  maxEventSeparationMins: 2,
};
const at = (user: string | null, minute: number, ev: string, seconds = 0) => ({
  user,
  t: new Date(Date.UTC(2026, 0, 1, 0, minute, seconds)).toISOString(),
  ev,
});
const lists = (rows: Record<string, unknown>[], o = opts) => sessionize(rows, o).map((s) => s.ev_list);

describe("sessionize rules", () => {
  it("splits on a gap greater than the max separation, not an equal one", () => {
    expect(lists([at("a", 0, "x"), at("a", 2, "y"), at("a", 4, "z", 1)])).toEqual([["x", "y"], ["z"]]);
  });

  it("splits when the session would last longer than the max time, not exactly as long", () => {
    const rows = [0, 2, 4, 5, 6].map((m) => at("a", m, `e${m}`));
    expect(lists(rows)).toEqual([["e0", "e2", "e4", "e5"], ["e6"]]);
  });

  it("splits when the identity changes and sorts by identity then time", () => {
    expect(lists([at("b", 0, "b0"), at("a", 1, "a1"), at("a", 0, "a0")])).toEqual([["a0", "a1"], ["b0"]]);
  });

  it("keeps input order for equal times", () => {
    expect(lists([at("a", 0, "first"), at("a", 0, "second"), at("a", 0, "third")])).toEqual([
      ["first", "second", "third"],
    ]);
  });

  it("treats missing identities as one shared value, output as null", () => {
    const rows = [
      { ...at(null, 0, "x") },
      { t: at(null, 1, "y").t, ev: "y" },
      { ...at(null, 1, "z"), user: Number.NaN },
    ];
    const out = sessionize(rows, opts);
    expect(out).toHaveLength(1);
    expect(out[0]?.user).toBeNull();
    expect(out[0]?.ev_list).toEqual(["x", "y", "z"]);
  });

  it("outputs the reference's columns", () => {
    const [s] = sessionize([at("a", 0, "x"), at("a", 1, "y", 30)], opts);
    expect(s).toEqual({
      user: "a",
      t_min: new Date(Date.UTC(2026, 0, 1, 0, 0)),
      t_max: new Date(Date.UTC(2026, 0, 1, 0, 1, 30)),
      ev_list: ["x", "y"],
      duration: 90_000,
      number_events: 2,
    });
  });

  it("keeps identity columns named like object keys as own properties", () => {
    const [s] = sessionize([{ ["__proto__"]: "u", t: 0, ev: "x" }], {
      ...opts,
      userIdentifierCols: ["__proto__"],
    });
    expect(Object.hasOwn(s as object, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(s, "__proto__")?.value).toBe("u");
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype);
  });

  it("reads a column named like an Object.prototype key only when the row has it", () => {
    const rows: Record<string, unknown>[] = [
      { constructor: "c1", t: 0, ev: "x" },
      { t: 0, ev: "y" },
    ];
    const out = sessionize(rows, { ...opts, userIdentifierCols: ["constructor"] });
    expect(out.map((s) => [Object.getOwnPropertyDescriptor(s, "constructor")?.value, s.ev_list])).toEqual([
      ["c1", ["x"]],
      [null, ["y"]],
    ]);
    // The same as a second identity column (read another way).
    const two = sessionize(
      rows.map((r) => ({ ...r, user: "a" })),
      { ...opts, userIdentifierCols: ["user", "constructor"] },
    );
    expect(two.map((s) => [Object.getOwnPropertyDescriptor(s, "constructor")?.value, s.ev_list])).toEqual([
      ["c1", ["x"]],
      [null, ["y"]],
    ]);
  });

  it("gives every row the same keys in the same order; a column named like an output column is overwritten", () => {
    const out = sessionize([at("a", 0, "x"), at("b", 0, "y")], {
      ...opts,
      userIdentifierCols: ["user", "duration"],
    });
    expect(out.map((s) => Object.keys(s))).toEqual([
      ["user", "duration", "t_min", "t_max", "ev_list", "number_events"],
      ["user", "duration", "t_min", "t_max", "ev_list", "number_events"],
    ]);
    expect(out.map((s) => s.duration)).toEqual([0, 0]);
  });
});

describe("times", () => {
  const one = (t: unknown) => sessionize([{ user: "a", t, ev: "x" }], opts)[0]?.t_min as Date;
  it.each([
    ["ISO with Z", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00.000Z"],
    ["ISO without zone (UTC)", "2026-01-01T10:00:00", "2026-01-01T10:00:00.000Z"],
    ["a space instead of T", "2026-01-01 10:00:00.250", "2026-01-01T10:00:00.250Z"],
    ["an offset", "2026-01-01T12:00:00+02:00", "2026-01-01T10:00:00.000Z"],
    ["microseconds", "2026-01-01T10:00:00.123456Z", "2026-01-01T10:00:00.123Z"],
    ["a date only", "2026-01-01", "2026-01-01T00:00:00.000Z"],
    ["epoch milliseconds", Date.UTC(2026, 0, 1, 10), "2026-01-01T10:00:00.000Z"],
    ["a Date", new Date(Date.UTC(2026, 0, 1, 10)), "2026-01-01T10:00:00.000Z"],
  ])("parses %s", (_name, t, iso) => {
    expect(one(t).toISOString()).toBe(iso);
  });

  it("compares gaps to the microsecond", () => {
    const rows = [
      { user: "a", t: "2026-01-01T00:00:00.000000Z", ev: "x" },
      { user: "a", t: "2026-01-01T00:02:00.000001Z", ev: "y" },
    ];
    expect(lists(rows)).toEqual([["x"], ["y"]]);
  });
});

describe("sessionize errors", () => {
  it.each([
    [
      "an unparseable time",
      [{ user: "a", t: "yesterday", ev: "x" }],
      /row 0: column "t" is not a time: "yesterday"/,
    ],
    ["an impossible date", [{ user: "a", t: "2026-02-30T00:00:00Z", ev: "x" }], /is not a time/],
    ["a missing time", [{ user: "a", ev: "x" }], /row 0: column "t" is not a time/],
    ["a missing event column", [{ user: "a", t: 0 }], /row 0 has no column "ev"/],
    ["a row that is not an object", [null], /row 0 is not an object/],
  ])("rejects %s", (_name, rows, message) => {
    expect(() => sessionize(rows as never, opts)).toThrow(SeqhuntError);
    expect(() => sessionize(rows as never, opts)).toThrow(message);
  });

  it("rejects negative limits", () => {
    expect(() => sessionize([], { ...opts, maxEventSeparationMins: -1 })).toThrow(/maxEventSeparationMins/);
  });
});
