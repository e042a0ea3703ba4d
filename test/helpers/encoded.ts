import type { EncodedSessions } from "../../src/model/encode.js";

/** The parameter ids of command i of an encoding, read through its parameter list. */
export function paramIdsOf(e: EncodedSessions, i: number): number[] {
  if (e.paramLists === null || e.lists === null) return [];
  const list = e.paramLists[i] as number;
  return Array.from(e.lists.params.subarray(e.lists.start[list], e.lists.start[list + 1]));
}

/** The value ids of command i's parameters (sessions with values; [] otherwise). */
export function valueIdsOf(e: EncodedSessions, i: number): number[] {
  if (e.valueStart === null || e.values === null) return [];
  return Array.from(e.values.subarray(e.valueStart[i], e.valueStart[i + 1]));
}
