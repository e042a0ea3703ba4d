// scoreSessions keeps the rows and adds the reference's two columns.
import { describe, expect, it } from "vitest";
import { Model, SeqhuntError, scoreSessions } from "../src/index.js";

describe("scoreSessions", () => {
  const rows = [
    { id: 1, session: ["a", "b", "c"] },
    { id: 2, session: ["a", "b"] },
    { id: 3, session: ["c"] },
  ];

  it("adds rarest_window<k>_likelihood and rarest_window<k>, keeping every input column", () => {
    const out = scoreSessions(rows, { sessionColumn: "session", windowLength: 3 });
    const m = new Model(rows.map((r) => r.session));
    m.train();
    m.computeRarestWindows(3);
    expect(out.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(out.map((r) => r.rarest_window3_likelihood)).toEqual(m.rareWindowLikelihoods.get(3));
    expect(out.map((r) => r.rarest_window3)).toEqual(m.rareWindows.get(3));
    expect(rows[0]).not.toHaveProperty("rarest_window3");
  });

  it("names a row without the session column", () => {
    expect(() =>
      scoreSessions([{ other: [] }] as never, { sessionColumn: "session", windowLength: 2 }),
    ).toThrow(SeqhuntError);
    expect(() =>
      scoreSessions([{ other: [] }] as never, { sessionColumn: "session", windowLength: 2 }),
    ).toThrow(/row 0 has no column "session"/);
  });
});
