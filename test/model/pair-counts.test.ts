// Reserving room in an empty pair table sizes it at once: the slots, so the order rows are read in (which
// sets the order sums are taken in), must be those of a table made that size, and an index read before
// must not survive.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PairCounts } from "../../src/model/pair-counts.js";

/** Every (row, column, count) in the order the table reads them (grouped by row, slot order within). */
function inOrder(table: PairCounts): number[][] {
  const out: number[][] = [];
  table.forEach((a, b, n) => {
    out.push([a, b, n]);
  });
  return out;
}

const pairs = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 })),
  { maxLength: 3000 },
);

describe("reserving room in a pair table", () => {
  it("when it is empty, gives the slots of a table made for that many pairs", () => {
    fc.assert(
      fc.property(pairs, fc.integer({ min: 0, max: 4000 }), (added, room) => {
        const reserved = new PairCounts();
        // An index read while empty must not be kept once the table is resized.
        expect(reserved.rowKeys(0)).toEqual([]);
        reserved.reserve(room);
        // The default table makes room for 512 pairs; reserve never shrinks it.
        const made = new PairCounts(Math.max(512, room));
        for (const [a, b, n] of added) {
          reserved.add(a, b, n);
          made.add(a, b, n);
        }
        expect(inOrder(reserved)).toEqual(inOrder(made));
        for (const [a] of added) expect(reserved.rowKeys(a)).toEqual(made.rowKeys(a));
      }),
      { numRuns: 60 },
    );
  });

  it("when it is not, keeps every count", () => {
    const table = new PairCounts();
    table.add(3, 4, 2);
    table.reserve(5000);
    for (let i = 0; i < 3000; i++) table.add(i % 70, i % 13, 1);
    expect(table.get(3, 4)).toBe(2 + countOf(3, 4));
    expect(table.size).toBe(1 + 70 * 13 - (countOf(3, 4) > 0 ? 1 : 0));
  });
});

/** How often (a, b) came up in the loop above. */
function countOf(a: number, b: number): number {
  let n = 0;
  for (let i = 0; i < 3000; i++) if (i % 70 === a && i % 13 === b) n++;
  return n;
}
