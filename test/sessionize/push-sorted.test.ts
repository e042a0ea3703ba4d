// Sessionizer.pushSorted splits exactly as event-by-event push does, also when the two are mixed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeqhuntError } from "../../src/index.js";
import { sortRows } from "../../src/sessionize/order.js";
import { type BuiltSession, Sessionizer } from "../../src/sessionize/sessionizer.js";

const limits = { maxSessionTimeMins: 3, maxEventSeparationMins: 1 };
const identities = [["a"], ["b"], [null]] as const;
const event = fc.record({
  group: fc.integer({ min: 0, max: 2 }),
  time: fc.integer({ min: 0, max: 10 * 60_000_000 }),
});

/** Sessions as plain data: identity, start, end, events. */
function collect(): { sessions: unknown[]; sessionizer: Sessionizer<number> } {
  const sessions: unknown[] = [];
  const sessionizer = new Sessionizer<number>(limits, (s: BuiltSession<number>) => {
    sessions.push([s.identity, s.startMicros, s.endMicros, [...s.events]]);
  });
  return { sessions, sessionizer };
}

/** Events in sorted order as columns plus the order itself. */
function columns(events: { group: number; time: number }[]) {
  const groupOf = Int32Array.from(events, (e) => e.group);
  const times = Float64Array.from(events, (e) => e.time);
  const order = sortRows(groupOf, Int32Array.from([0, 1, 2]), times);
  return { groupOf, times, values: events.map((_, i) => i), order };
}

describe("Sessionizer.pushSorted", () => {
  it("gives the sessions of pushing each event in order, split across calls at any point", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.nat(), (events, cut) => {
        const { groupOf, times, values, order } = columns(events);
        const one = collect();
        for (const i of order)
          one.sessionizer.push(identities[groupOf[i] as number] as readonly unknown[], times[i] as number, i);
        one.sessionizer.finish();
        // The same events: some pushed one by one, the rest handed over sorted (the session in flight continues).
        const at = order.length === 0 ? 0 : cut % (order.length + 1);
        const mixed = collect();
        for (const i of order.subarray(0, at))
          mixed.sessionizer.push(
            identities[groupOf[i] as number] as readonly unknown[],
            times[i] as number,
            i,
          );
        mixed.sessionizer.pushSorted(identities, groupOf, times, values, order.subarray(at));
        mixed.sessionizer.finish();
        expect(mixed.sessions).toEqual(one.sessions);
        // And sorted in two calls, then one more push after them.
        const twice = collect();
        twice.sessionizer.pushSorted(identities, groupOf, times, values, order.subarray(0, at));
        twice.sessionizer.pushSorted(identities, groupOf, times, values, order.subarray(at));
        twice.sessionizer.finish();
        expect(twice.sessions).toEqual(one.sessions);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses events out of time order, as push does", () => {
    const { sessionizer } = collect();
    const groupOf = Int32Array.from([0, 0]);
    const times = Float64Array.from([5, 3]);
    expect(() =>
      sessionizer.pushSorted(identities, groupOf, times, [0, 1], Uint32Array.from([0, 1])),
    ).toThrow(SeqhuntError);
  });
});
