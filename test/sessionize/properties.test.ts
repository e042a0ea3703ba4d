// For random rows: every row lands in exactly one session, no session is longer than the max time,
// no gap inside one exceeds the max separation, and consecutive sessions of one identity were split for a reason.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sessionize } from "../../src/index.js";

const row = fc.record({
  user: fc.constantFrom("a", "b", null),
  host: fc.constantFrom("h1", "h2"),
  t: fc.integer({ min: 0, max: 120 * 60_000 }),
  ev: fc.string({ maxLength: 3 }),
});

describe("sessionize properties", () => {
  it("partitions rows and respects both limits", () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 80 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 40 }),
        (rows, gap, span) => {
          const tagged = rows.map((r, i) => ({ ...r, ev: `${i}` }));
          const opts = {
            userIdentifierCols: ["user", "host"],
            timeCol: "t",
            eventCol: "ev",
            maxEventSeparationMins: gap,
            maxSessionTimeMins: span,
          };
          const out = sessionize(tagged, opts);
          const seen = out
            .flatMap((s) => s.ev_list as string[])
            .map(Number)
            .sort((a, b) => a - b);
          expect(seen).toEqual(tagged.map((_, i) => i));
          let previous = null as { key: string; end: number; start: number } | null;
          for (const s of out) {
            const events = (s.ev_list as string[]).map((i) => tagged[Number(i)] as (typeof tagged)[number]);
            const key = JSON.stringify([s.user, s.host]);
            expect(events.every((e) => JSON.stringify([e.user, e.host]) === key)).toBe(true);
            const times = events.map((e) => e.t);
            expect(s.duration).toBe((times.at(-1) as number) - (times[0] as number));
            expect(s.duration as number).toBeLessThanOrEqual(span * 60_000);
            for (let i = 1; i < times.length; i++) {
              expect(times[i] as number).toBeGreaterThanOrEqual(times[i - 1] as number);
              expect((times[i] as number) - (times[i - 1] as number)).toBeLessThanOrEqual(gap * 60_000);
            }
            if (previous?.key === key) {
              const first = times[0] as number;
              expect(first - previous.end > gap * 60_000 || first - previous.start > span * 60_000).toBe(
                true,
              );
            }
            previous = { key, end: times.at(-1) as number, start: times[0] as number };
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
