import type { Model } from "../../src/index.js";
import { close } from "./shared.js";

export const TABLE_NAMES = [
  "seq1Counts",
  "seq2Counts",
  "paramCounts",
  "cmdParamCounts",
  "valueCounts",
  "paramValueCounts",
  "priorProbs",
  "transProbs",
  "paramProbs",
  "paramCondCmdProbs",
  "valueProbs",
  "valueCondParamProbs",
] as const;

function differ(a: unknown, b: unknown, path: string): string | null {
  if (typeof a === "number" && typeof b === "number")
    return close(a, b, 1e-12) ? null : `${path}: ${a} vs ${b}`;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object")
    return a === b ? null : `${path}: ${String(a)} vs ${String(b)}`;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (JSON.stringify(ka) !== JSON.stringify(kb)) return `${path}: keys differ`;
  for (const k of ka) {
    const d = differ((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

/** The first difference between two models' twelve tables (to 1e-12 relative), or null. */
export function tableDifference(a: Model, b: Model): string | null {
  for (const name of TABLE_NAMES) {
    const d = differ(a[name]?.toJSON() ?? null, b[name]?.toJSON() ?? null, name);
    if (d) return d;
  }
  return null;
}
