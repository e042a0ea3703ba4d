import { END_ID, type RawCounts, START_ID } from "./counts.js";
import { UNK_PARAM_ID } from "./encode.js";
import type { PairCounts } from "./pair-counts.js";

/**
 * Adds each row's raw sum into `sums` (rows beyond it left out) in one pass over the slots, a row's pairs in
 * the order rowSum adds them; true when `##END##` has a row (raw counts made elsewhere may give it one).
 */
function addRowSums(seq2: PairCounts, sums: Float64Array): boolean {
  // Its own function, ending with its loop: see countSessions (counts.ts).
  const { rows, counts } = seq2.slots();
  let endRow = false;
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i] as number;
    if (a < 0 || a >= sums.length) continue;
    sums[a] = (sums[a] as number) + (counts[i] as number);
    if (a === END_ID) endRow = true;
  }
  return endRow;
}

/**
 * The reference's Laplace-smoothed counts, computed from the raw counts by formula instead of
 * materialising every pair: smoothing adds 1 to each pair (a, b) with a != END and b != START,
 * 1 to each (command, parameter) seen together and to each (command, UNK), and likewise for values.
 */
export class SmoothedCounts {
  /** Number of commands including the tokens and `##UNK##` (the reference's C). */
  readonly commandCount: number;
  /** Smoothed seq1 per command id (bumped twice per pair, as the reference does). */
  readonly seq1: Float64Array;
  /** Sum of smoothed seq1: the denominator of prior and parameter probabilities. */
  readonly seq1Total: number;
  /** Sum of each smoothed seq2 row. */
  readonly seq2RowSum: Float64Array;
  /** Smoothed param counts per parameter id. */
  readonly param: Float64Array;
  /** Smoothed value counts per value id. */
  readonly value: Float64Array;
  /** Sum of smoothed value counts. */
  readonly valueTotal: number;
  /** Sum of each smoothed paramValue row. */
  readonly paramValueRowSum: Float64Array;

  constructor(readonly raw: RawCounts) {
    const n = raw.commands.size;
    this.commandCount = n;
    this.seq1 = new Float64Array(n);
    this.seq2RowSum = new Float64Array(n);
    const rawRowSum = new Float64Array(n);
    this.#endRow = addRowSums(raw.seq2, rawRowSum);
    let total = 0;
    for (let c = 0; c < n; c++) {
      const bumps = (c !== END_ID ? n - 1 : 0) + (c !== START_ID ? n - 1 : 0);
      this.seq1[c] = (raw.seq1[c] ?? 0) + bumps;
      total += this.seq1[c] as number;
      this.seq2RowSum[c] = (c !== END_ID ? n - 1 : 0) + (rawRowSum[c] as number);
    }
    this.seq1Total = total;

    const nParams = raw.params.size;
    this.param = Float64Array.from({ length: nParams }, (_, p) => raw.param[p] ?? 0);
    raw.cmdParam.forEach((_c, p) => {
      if (p !== UNK_PARAM_ID) this.param[p] = (this.param[p] as number) + 1;
    });
    this.param[UNK_PARAM_ID] = (this.param[UNK_PARAM_ID] as number) + n;

    const nValues = raw.values.size;
    this.value = Float64Array.from({ length: nValues }, (_, v) => raw.value[v] ?? 0);
    this.paramValueRowSum = new Float64Array(nParams);
    this.paramValueRowSum.fill(1);
    raw.paramValue.forEach((p, v, count) => {
      // every seen value gets +1, and the ##UNK## entry's +1 is already there
      this.paramValueRowSum[p] = (this.paramValueRowSum[p] as number) + count + (v === UNK_PARAM_ID ? 0 : 1);
      if (v !== UNK_PARAM_ID) this.value[v] = (this.value[v] as number) + 1;
    });
    this.value[UNK_PARAM_ID] = (this.value[UNK_PARAM_ID] as number) + nParams;
    this.valueTotal = this.value.reduce((a, b) => a + b, 0);
  }

  /** Whether the raw counts have a pair starting with `##END##` (smoothing adds none). */
  readonly #endRow: boolean;

  /** Whether smoothed seq2 has a row for command a. */
  seq2HasRow(a: number): boolean {
    return a !== END_ID || this.#endRow;
  }

  /** Whether smoothed seq2 has the pair (a, b). */
  seq2Has(a: number, b: number): boolean {
    return (
      (a !== END_ID && b !== START_ID && a < this.commandCount && b < this.commandCount) ||
      this.raw.seq2.has(a, b)
    );
  }

  /** Smoothed count of the pair (a, b), 0 when absent. */
  seq2(a: number, b: number): number {
    const bump = a !== END_ID && b !== START_ID ? 1 : 0;
    return this.raw.seq2.get(a, b) + bump;
  }

  /** Keys of smoothed seq2 row a. */
  seq2Keys(a: number): number[] {
    const keys: number[] = [];
    if (a !== END_ID) for (let b = 0; b < this.commandCount; b++) if (b !== START_ID) keys.push(b);
    for (const b of this.raw.seq2.rowKeys(a)) if (a === END_ID || b === START_ID) keys.push(b);
    return keys;
  }

  /** Whether command a and parameter p are a key of smoothed cmdParam. */
  cmdParamHas(a: number, p: number): boolean {
    return a < this.commandCount && (p === UNK_PARAM_ID || this.raw.cmdParam.has(a, p));
  }

  /** Smoothed count of parameter p with command a (when a key). */
  cmdParam(a: number, p: number): number {
    return this.raw.cmdParam.get(a, p) + 1;
  }

  /** Keys of smoothed cmdParam row a: the parameters seen with a, plus `##UNK##`. */
  cmdParamKeys(a: number): number[] {
    const keys = this.raw.cmdParam.rowKeys(a);
    if (!keys.includes(UNK_PARAM_ID)) keys.push(UNK_PARAM_ID);
    return keys;
  }

  /** Whether parameter p and value v are a key of smoothed paramValue. */
  paramValueHas(p: number, v: number): boolean {
    return p < this.param.length && (v === UNK_PARAM_ID || this.raw.paramValue.has(p, v));
  }

  /** Smoothed count of value v for parameter p (when a key). */
  paramValue(p: number, v: number): number {
    return this.raw.paramValue.get(p, v) + 1;
  }

  /** Keys of smoothed paramValue row p: values seen with p, plus `##UNK##`. */
  paramValueKeys(p: number): number[] {
    const keys = this.raw.paramValue.rowKeys(p);
    if (!keys.includes(UNK_PARAM_ID)) keys.push(UNK_PARAM_ID);
    return keys;
  }
}
