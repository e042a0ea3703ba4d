// The reference's sessions for given rows (test/fixtures/fixtures/sessionize.json), the Exchange demo included.
import { describe, expect, it } from "vitest";
import { sessionize } from "../../src/index.js";
import { readFixture } from "../helpers/shared.js";

interface SessionizeCase {
  name: string;
  input: {
    rows: Record<string, unknown>[];
    userIdentifierCols: string[];
    timeCol: string;
    maxSessionTimeMins: number;
    maxEventSeparationMins: number;
    eventCol: string;
  };
  expect: { sessions: Record<string, unknown>[] };
}
const fixture = readFixture<{ cases: SessionizeCase[] }>("fixtures", "sessionize.json");

describe.each(fixture.cases)("sessionize fixture $name", ({ input, expect: want }) => {
  it("gives the reference's sessions", () => {
    const out = sessionize(input.rows, input);
    const t = input.timeCol;
    const key = (s: Record<string, unknown>) =>
      JSON.stringify([
        ...input.userIdentifierCols.map((c) => s[c] ?? null),
        new Date(s[`${t}_min`] as string).getTime(),
      ]);
    const got = new Map(out.map((s) => [key(s), s]));
    expect(out).toHaveLength(want.sessions.length);
    for (const w of want.sessions) {
      const s = got.get(key(w));
      expect(s, key(w)).toBeDefined();
      expect((s?.[`${t}_max`] as Date | undefined)?.getTime()).toBe(
        new Date(w[`${t}_max`] as string).getTime(),
      );
      expect(s?.[`${input.eventCol}_list`]).toEqual(w[`${input.eventCol}_list`]);
      expect(s?.number_events).toBe(w.number_events);
      expect(s?.duration).toBeCloseTo((w.duration_seconds as number) * 1000, 6);
    }
  });
});
