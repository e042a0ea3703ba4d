import type { PairCounts } from "../../src/model/pair-counts.js";

/** Every (row, column, count) of a pair table, sorted by row then column: tables compared whatever their slot order. */
export function pairTriples(table: PairCounts): number[][] {
  const out: number[][] = [];
  table.forEach((a, b, n) => {
    out.push([a, b, n]);
  });
  return out.sort((x, y) => (x[0] as number) - (y[0] as number) || (x[1] as number) - (y[1] as number));
}
