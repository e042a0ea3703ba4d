import type { RawCounts } from "./counts.js";

/**
 * The reference's heuristic for parameters worth modelling the values of: at most 20 distinct values,
 * seen at least 20 times, and distinct values at most 10% of occurrences. Returns parameter ids.
 */
export function modellableParamIds(raw: RawCounts): number[] {
  const ids: number[] = [];
  raw.param.forEach((seen, p) => {
    const distinct = raw.paramValue.rowSize(p);
    if (distinct > 0 && distinct <= 20 && seen >= 20 && (100 * distinct) / seen <= 10) ids.push(p);
  });
  return ids;
}
