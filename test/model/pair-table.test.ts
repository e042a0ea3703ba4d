// PairTable answers like a map of (row, column) -> value, dense or hashed, for ids inside and outside its ranges.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PairTable } from "../../src/model/pair-table.js";

describe("PairTable", () => {
  it.each([
    ["dense", 40, 30],
    ["hashed", 4000, 3000],
  ])("gives set entries and `missing` elsewhere (%s)", (_kind, rows, columns) => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(
            fc.nat(rows - 1),
            fc.nat(columns - 1),
            fc.double({ noNaN: true, min: -50, max: 50 }).map((v) => v + 0),
          ),
          { selector: ([r, c]) => `${r},${c}`, maxLength: 60 },
        ),
        fc.array(
          fc.tuple(fc.integer({ min: -3, max: rows + 3 }), fc.integer({ min: -3, max: columns + 3 })),
          {
            maxLength: 60,
          },
        ),
        (entries, probes) => {
          const table = new PairTable(rows, columns);
          const expected = new Map<string, number>();
          for (const [r, c, v] of entries) {
            table.set(r, c, v);
            expected.set(`${r},${c}`, v);
          }
          for (const [r, c] of [...entries.map(([r, c]) => [r, c] as const), ...probes]) {
            expect(table.get(r, c, -999)).toBe(expected.get(`${r},${c}`) ?? -999);
          }
          const seen: [number, number, number][] = [];
          table.forEach((r, c, v) => {
            seen.push([r, c, v]);
          });
          expect(seen.length).toBe(entries.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
