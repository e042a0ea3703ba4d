// Sessionizer.pushSorted splits exactly as event-by-event push does, also when the two are mixed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeqhuntError } from "../../src/index.js";
import { type SortedEvents, sortEvents } from "../../src/sessionize/order.js";
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

/** The events sorted (each event's value is its input position), and a slice of them. */
function sortedOf(events: { group: number; time: number }[]): SortedEvents<number> {
  const groupOf = Int32Array.from(events, (e) => e.group);
  const times = Float64Array.from(events, (e) => e.time);
  return sortEvents(
    groupOf,
    Int32Array.from([0, 1, 2]),
    times,
    events.map((_, i) => i),
  );
}
const part = (s: SortedEvents<number>, from: number, to: number): SortedEvents<number> => ({
  groups: s.groups.subarray(from, to),
  times: s.times.subarray(from, to),
  events: s.events.slice(from, to),
});

describe("Sessionizer.pushSorted", () => {
  it("gives the sessions of pushing each event in order, split across calls at any point", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.nat(), (events, cut) => {
        const sorted = sortedOf(events);
        const n = sorted.events.length;
        const pushOne = (sessionizer: Sessionizer<number>, k: number) =>
          sessionizer.push(
            identities[sorted.groups[k] as number] as readonly unknown[],
            sorted.times[k] as number,
            sorted.events[k] as number,
          );
        const one = collect();
        for (let k = 0; k < n; k++) pushOne(one.sessionizer, k);
        one.sessionizer.finish();
        // The same events: some pushed one by one, the rest handed over sorted (the session in flight continues).
        const at = n === 0 ? 0 : cut % (n + 1);
        const mixed = collect();
        for (let k = 0; k < at; k++) pushOne(mixed.sessionizer, k);
        mixed.sessionizer.pushSorted(identities, part(sorted, at, n));
        mixed.sessionizer.finish();
        expect(mixed.sessions).toEqual(one.sessions);
        // And sorted in two calls.
        const twice = collect();
        twice.sessionizer.pushSorted(identities, part(sorted, 0, at));
        twice.sessionizer.pushSorted(identities, part(sorted, at, n));
        twice.sessionizer.finish();
        expect(twice.sessions).toEqual(one.sessions);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses events out of time order, as push does", () => {
    const { sessionizer } = collect();
    const unsorted = { groups: Int32Array.from([0, 0]), times: Float64Array.from([5, 3]), events: [0, 1] };
    expect(() => sessionizer.pushSorted(identities, unsorted)).toThrow(SeqhuntError);
  });
});
