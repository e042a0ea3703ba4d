import { END_ID, START_ID, UNK_ID } from "./counts.js";
import { type EncodedSessions, NO_ID, UNK_PARAM_ID } from "./encode.js";
import { PairTable } from "./pair-table.js";
import type { SmoothedCounts } from "./smoothing.js";

/** Above this many commands the transition table is cached sparsely instead of held dense. */
const DENSE_LIMIT = 2048;

/**
 * Sets the log transition of each seen pair of a row the smoothing fills (all but `##END##`'s), as
 * transition() gives it (count + 1 over the row's sum), in one pass over the slots of raw seq2.
 */
function setSeenPairs(table: Float64Array, s: SmoothedCounts, n: number): void {
  // Its own function, ending with its loop: see countSessions (counts.ts).
  const { rows, cols, counts } = s.raw.seq2.slots();
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i] as number;
    const b = cols[i] as number;
    // Empty slots (row -1) are left out with the rest.
    if (b === START_ID || a < 0 || a >= n || b >= n || a === END_ID || !s.seq2HasRow(a)) continue;
    table[a * n + b] = Math.log(((counts[i] as number) + 1) / (s.seq2RowSum[a] as number));
  }
}

/**
 * Natural logs of every probability the likelihoods need, precomputed once per trained model:
 * priors, transitions, and per-command parameter terms (the sum of log(1 - p) over a command's
 * row, corrected for each parameter present). One engine serves all three session types.
 */
export class LogProbabilities {
  readonly commandCount: number;
  /** log priorProbs per command id. */
  readonly logPrior: Float64Array;
  /** log transProbs as a dense row-major table when the vocabulary is small enough, else null. */
  readonly dense: Float64Array | null;
  private readonly sparse = new Map<number, number>();
  /** Per command: sum over its paramCondCmdProbs row of log(1 - p). */
  readonly paramBase: Float64Array;
  /** Per command: number of entries in its paramCondCmdProbs row (`##UNK##` included). */
  readonly paramRowSize: Int32Array;
  /** (command, parameter) -> log p - log(1 - p), the correction when the parameter is present. */
  readonly paramPresent: PairTable;
  /** Per parameter: 1 when its values are modelled. */
  readonly modellable: Uint8Array;
  /** (modelled parameter, value) -> log valueCondParamProbs, for the values seen with it. */
  readonly valueLog: PairTable;
  /** Per parameter: log of its `##UNK##` value entry (every unseen value falls back to it). */
  readonly valueUnkLog: Float64Array;

  constructor(
    readonly smoothed: SmoothedCounts,
    modellableIds: readonly number[],
  ) {
    const n = smoothed.commandCount;
    this.commandCount = n;
    this.logPrior = Float64Array.from(smoothed.seq1, (c) => Math.log(c / smoothed.seq1Total));
    this.dense = n <= DENSE_LIMIT ? this.buildDense(n) : null;

    this.paramBase = new Float64Array(n);
    this.paramRowSize = new Int32Array(n);
    const nParams = smoothed.param.length;
    this.paramPresent = new PairTable(n, nParams);
    for (let a = 0; a < n; a++) {
      let base = 0;
      let size = 0;
      for (const p of smoothed.cmdParamKeys(a)) {
        const prob = smoothed.cmdParam(a, p) / (smoothed.seq1[a] as number);
        const logAbsent = Math.log1p(-prob);
        base += logAbsent;
        this.paramPresent.set(a, p, Math.log(prob) - logAbsent);
        size++;
      }
      this.paramBase[a] = base;
      this.paramRowSize[a] = size;
    }
    this.#presentDense = this.paramPresent.dense;

    this.modellable = new Uint8Array(nParams);
    this.valueLog = new PairTable(nParams, smoothed.raw.values.size);
    for (const p of modellableIds) this.modellable[p] = 1;
    this.valueUnkLog = new Float64Array(nParams);
    for (let p = 0; p < nParams; p++) {
      const rowSum = smoothed.paramValueRowSum[p] as number;
      this.valueUnkLog[p] = Math.log(smoothed.paramValue(p, UNK_PARAM_ID) / rowSum);
    }
    // Value rows are needed for modelled parameters only; a free-text parameter can have millions of values.
    for (const p of modellableIds) {
      const rowSum = smoothed.paramValueRowSum[p] as number;
      smoothed.raw.paramValue.forEachInRow(p, (v, count) => {
        this.valueLog.set(p, v, Math.log((count + 1) / rowSum));
      });
    }
  }

  /** Transition probability with the StateMatrix fallbacks (unseen row or column -> `##UNK##`). */
  private transition(a: number, b: number): number {
    const s = this.smoothed;
    const row = s.seq2HasRow(a) ? a : UNK_ID;
    const col = s.seq2Has(row, b) ? b : UNK_ID;
    // Only a raw-only ##END## row can lack the ##UNK## column; the reference would fail there.
    if (!s.seq2Has(row, col)) return 0;
    return s.seq2(row, col) / (s.seq2RowSum[row] as number);
  }

  private buildDense(n: number): Float64Array {
    const s = this.smoothed;
    const table = new Float64Array(n * n);
    // Rows the smoothing fills (every command's but END's): a pair never seen has smoothed count 1.
    const filled = (a: number) => a !== END_ID && s.seq2HasRow(a);
    for (let a = 0; a < n; a++) {
      const offset = a * n;
      if (filled(a)) table.fill(Math.log(1 / (s.seq2RowSum[a] as number)), offset, offset + n);
      else for (let b = 0; b < n; b++) table[offset + b] = Math.log(this.transition(a, b));
    }
    // Seen pairs of filled rows, as transition() gives them (count + 1 over the row's sum), in one pass.
    setSeenPairs(table, s, n);
    // START is never smoothed in: a row that never saw it falls back to UNK.
    for (let a = 0; a < n; a++)
      if (filled(a)) table[a * n + START_ID] = Math.log(this.transition(a, START_ID));
    return table;
  }

  /** log transProbs[a][b], for ids of the model's vocabulary. */
  logTrans(a: number, b: number): number {
    if (this.dense !== null) return this.dense[a * this.commandCount + b] as number;
    const key = a * this.commandCount + b;
    let value = this.sparse.get(key);
    if (value === undefined) {
      value = Math.log(this.transition(a, b));
      this.sparse.set(key, value);
    }
    return value;
  }

  /** log valueCondParamProbs[p][v]; NO_ID (a null or empty value) falls back to `##UNK##`. */
  logValue(p: number, v: number): number {
    const unk = this.valueUnkLog[p] as number;
    return v === NO_ID ? unk : this.valueLog.get(p, v, unk);
  }

  /**
   * log of the probability of command i's parameters given the command (the reference's
   * paramSetProb), over the geometric mean of the row when `geoMean`. 0 for a command without parameters.
   */
  logParamTerm(encoded: EncodedSessions, i: number, geoMean: boolean): number {
    this.paramTerms(encoded, i, i + 1, geoMean, this.#one);
    return this.#one[0] as number;
  }

  /** One term's room for {@link LogProbabilities.logParamTerm}. */
  readonly #one = new Float64Array(1);
  /** `paramPresent`'s dense array and ranges, or null when it hashes. */
  readonly #presentDense: PairTable["dense"];

  /**
   * {@link LogProbabilities.logParamTerm} of commands `from` .. `to`-1 of `encoded`, into `out[0 ..]`: one
   * loop with the tables in locals (the per-session emissions of every scoring loop). With `memo` (per
   * parameter list of `encoded`, NaN where not yet known, for this `geoMean`), a list's term is worked out
   * once unless a modelled value goes into it.
   */
  paramTerms(
    encoded: EncodedSessions,
    from: number,
    to: number,
    geoMean: boolean,
    out: Float64Array,
    memo: Float64Array | null = null,
  ): void {
    // Long because it is the hot per-command loop: tables in locals, the memo read and written in place.
    const { paramLists, lists, valueStart, values, commands } = encoded;
    if (paramLists === null || lists === null) {
      out.fill(0, 0, to - from);
      return;
    }
    const { start, params } = lists;
    const { paramBase, paramRowSize, modellable } = this;
    const present = this.paramPresent;
    const dense = this.#presentDense;
    for (let i = from; i < to; i++) {
      const list = paramLists[i] as number;
      if (memo !== null) {
        const known = memo[list] as number;
        if (!Number.isNaN(known)) {
          out[i - from] = known;
          continue;
        }
      }
      const first = start[list] as number;
      const last = start[list + 1] as number;
      if (first === last) {
        out[i - from] = 0;
        if (memo !== null) memo[list] = 0;
        continue;
      }
      const a = commands[i] as number;
      // Command i's k-th value is at valueStart[i] + k, so the one of list entry j at `at` + j.
      const at = valueStart === null ? 0 : (valueStart[i] as number) - first;
      let sum = paramBase[a] as number;
      let k = paramRowSize[a] as number;
      let valued = false;
      for (let j = first; j < last; j++) {
        const p = params[j] as number;
        if (p === NO_ID) continue;
        // The dense table read in place where there is one (ids outside its ranges have no entry).
        const correction =
          dense === null
            ? present.get(a, p, Number.NaN)
            : a >>> 0 < dense.rows && p >>> 0 < dense.columns
              ? (dense.cells[a * dense.columns + p] as number)
              : Number.NaN;
        if (Number.isNaN(correction)) continue;
        sum += correction;
        if (values !== null && modellable[p] === 1) {
          k++;
          sum += this.logValue(p, values[at + j] as number);
          valued = true;
        }
      }
      const term = geoMean ? sum / k : sum;
      out[i - from] = term;
      // A list's term without modelled values depends on its command and parameter ids alone.
      if (memo !== null && !valued) memo[list] = term;
    }
  }
}

/** Reusable per-session buffers, so scoring allocates nothing per event. */
export class SessionScratch {
  /** log param term (geo mean) per position; the appended END gets 0. */
  emission = new Float64Array(256);
  /** Compensated prefix sums (high and low parts) of the later steps of a window. */
  prefixHigh = new Float64Array(256);
  prefixLow = new Float64Array(256);
  /** Whether `emission` may hold non-zero terms (plain commands need it all zero, and then skip refilling). */
  emissionDirty = false;
  /** Geo-mean parameter term per parameter list of `#memoFor` under `#memoLogs` (NaN until worked out). */
  #memo = new Float64Array(0);
  #memoFor: EncodedSessions | null = null;
  #memoLogs: LogProbabilities | null = null;

  /** The memo of geo-mean parameter terms per parameter list of `encoded` under `logs` (null for plain commands). */
  listTerms(logs: LogProbabilities, encoded: EncodedSessions): Float64Array | null {
    if (encoded.lists === null) return null;
    if (this.#memoFor !== encoded || this.#memoLogs !== logs) {
      this.#memo = new Float64Array(encoded.lists.command.length).fill(Number.NaN);
      this.#memoFor = encoded;
      this.#memoLogs = logs;
    }
    return this.#memo;
  }

  ensure(length: number): void {
    if (length <= this.emission.length) return;
    const size = Math.max(length, this.emission.length * 2);
    this.emission = new Float64Array(size);
    this.emissionDirty = false;
    this.prefixHigh = new Float64Array(size);
    this.prefixLow = new Float64Array(size);
  }
}

/** Fills `scratch.emission` for session s; returns its length. */
export function fillEmissions(
  logs: LogProbabilities,
  encoded: EncodedSessions,
  s: number,
  scratch: SessionScratch,
): number {
  const from = encoded.sessionStart[s] as number;
  const length = (encoded.sessionStart[s + 1] as number) - from;
  scratch.ensure(length + 1);
  const emission = scratch.emission;
  if (encoded.paramLists === null) {
    if (scratch.emissionDirty) {
      emission.fill(0);
      scratch.emissionDirty = false;
    }
  } else {
    scratch.emissionDirty = true;
    logs.paramTerms(encoded, from, from + length, true, emission, scratch.listTerms(logs, encoded));
    emission[length] = 0;
  }
  return length;
}

/** Log-likelihood of a whole session, after {@link fillEmissions}; tokens put START before and END after. */
export function sessionLogLikelihood(
  logs: LogProbabilities,
  encoded: EncodedSessions,
  s: number,
  scratch: SessionScratch,
  useStartEndTokens: boolean,
): number {
  const from = encoded.sessionStart[s] as number;
  const to = encoded.sessionStart[s + 1] as number;
  const cmds = encoded.commands;
  const emission = scratch.emission;
  const first = cmds[from] as number;
  let sum =
    (useStartEndTokens ? logs.logTrans(START_ID, first) : (logs.logPrior[first] as number)) +
    (emission[0] as number);
  for (let i = from + 1; i < to; i++) {
    sum += logs.logTrans(cmds[i - 1] as number, cmds[i] as number) + (emission[i - from] as number);
  }
  if (useStartEndTokens) sum += logs.logTrans(cmds[to - 1] as number, END_ID);
  return sum;
}
