// sortEvents orders events by group rank, then time, then input order (times and groups moved along),
// including times whose packed sort keys come near 2^53 and spans too wide to pack.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortEvents } from "../../src/sessionize/order.js";

/** Input positions in the order of a plain stable comparator sort: what sortEvents must give. */
function expected(groupOf: Int32Array, rank: Int32Array, times: Float64Array): number[] {
  return Array.from(groupOf, (_, i) => i).sort(
    (a, b) =>
      (rank[groupOf[a] as number] as number) - (rank[groupOf[b] as number] as number) ||
      (times[a] as number) - (times[b] as number) ||
      a - b,
  );
}

function check(groups: number[], times: number[], ranks: number[]): void {
  const groupOf = Int32Array.from(groups);
  const rank = Int32Array.from(ranks);
  const t = Float64Array.from(times);
  // Each event is its input position, so the sorted events are the order itself.
  const sorted = sortEvents(
    groupOf,
    rank,
    t,
    Array.from(groupOf, (_, i) => i),
  );
  const order = expected(groupOf, rank, t);
  expect(sorted.events).toEqual(order);
  expect(Array.from(sorted.times)).toEqual(order.map((i) => t[i]));
  expect(Array.from(sorted.groups)).toEqual(order.map((i) => groupOf[i]));
}

describe("sortEvents", () => {
  it("equals a stable sort by rank, time and input order", () => {
    const time = fc.oneof(
      fc.integer({ min: 0, max: 50 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ min: -1e15, max: 1e15, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), time), { maxLength: 200 }),
        fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
        (rows, ranks) => {
          check(
            rows.map(([g]) => g),
            rows.map(([, t]) => t),
            ranks,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("recovers each event's position from keys just under 2^53", () => {
    // One group of n events spanning as wide as still packs: keys reach 2^53, the edge of exact arithmetic.
    const n = 1000;
    const span = Math.floor(Number.MAX_SAFE_INTEGER / n) - 2;
    const times = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : span - ((i * 7919) % 997)));
    check(new Array(n).fill(0), times, [0]);
  });
});
