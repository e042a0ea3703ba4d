import type { EncodedSessions, ParamLists } from "./encode.js";
import { IntBuffer } from "./int-buffer.js";
import { PairCounts } from "./pair-counts.js";
import { END_TOKEN, START_TOKEN, UNK_TOKEN } from "./tokens.js";
import { Vocabulary } from "./vocabulary.js";

/** Id of `##START##` in the command vocabulary. */
export const START_ID = 0;
/** Id of `##END##` in the command vocabulary. */
export const END_ID = 1;
/** Id of `##UNK##` in the command vocabulary. */
export const UNK_ID = 2;

function growTo<T>(list: T[], size: number, make: () => T): void {
  while (list.length < size) list.push(make());
}

/** Held-back values per chunk: 64 KB of references, small enough for the young generation. */
const DEFERRED_CHUNK = 8192;

/** Largest rows x columns counted densely (8 MB of doubles). */
const DENSE_COUNT_CELLS = 1 << 20;

/** Dense counts of one batch: whole numbers when every session counts once (half the bytes), else doubles. */
type Cells = Int32Array | Float64Array;

/**
 * Counts of pairs (row, column) for one batch: in a dense array when every amount is positive and
 * rows x columns is small (a store instead of a hash probe; a zero cell is then a pair never seen), else
 * straight into the table (a zero weight still makes an entry there).
 */
class PairBatch {
  /** The dense cells, or null when counting into the table. */
  readonly cells: Cells | null;

  /** `whole`: every amount is a whole number (a batch's count of a pair stays below 2^31: one per command). */
  constructor(
    readonly table: PairCounts,
    readonly columns: number,
    rows: number,
    positive: boolean,
    whole: boolean,
    limit = DENSE_COUNT_CELLS,
  ) {
    const dense = positive && rows * columns <= limit;
    this.cells = !dense ? null : whole ? new Int32Array(rows * columns) : new Float64Array(rows * columns);
  }

  /** Adds the dense cells into the table. */
  flush(): void {
    if (this.cells !== null) this.table.addCells(this.cells, this.columns);
  }
}

/**
 * The raw (unsmoothed) counts of the reference, keyed by interned ids.
 * Raw counts are additive: two models merge by adding them.
 */
export class RawCounts {
  /** Commands; ids 0, 1, 2 are `##START##`, `##END##`, `##UNK##`. */
  readonly commands = new Vocabulary([START_TOKEN, END_TOKEN, UNK_TOKEN]);
  /** Parameter names; id 0 is `##UNK##`. */
  readonly params = new Vocabulary([UNK_TOKEN]);
  /** Parameter values; id 0 is `##UNK##`. */
  readonly values = new Vocabulary([UNK_TOKEN]);
  /** seq1[c]: how often command c (or a token) occurred. */
  readonly seq1: number[] = [];
  /** seq2 (a, b): how often command b followed a. */
  readonly seq2 = new PairCounts();
  /** param[p]: how often parameter p occurred. */
  readonly param: number[] = [];
  /** cmdParam (c, p): how often parameter p occurred with command c. */
  readonly cmdParam = new PairCounts();
  /** value[v]: how often value v (truthy) occurred. */
  readonly value: number[] = [];
  /** paramValue (p, v): how often value v occurred for parameter p. */
  readonly paramValue = new PairCounts();
  /** Number of sessions counted (weighted). */
  sessions = 0;
  /** Values held back as text (one count each), with their parameter ids: see {@link RawCounts.settle}. */
  #deferredParams = new IntBuffer();
  // In fixed-size chunks: one growing array of a million strings would be copied on every growth.
  #deferredValues: string[][] = [];

  /** Holds one occurrence of a value of a parameter that cannot be modellable, to count on {@link RawCounts.settle}. */
  defer(param: number, value: string): void {
    const at = this.#deferredParams.length % DEFERRED_CHUNK;
    if (at === 0) this.#deferredValues.push(new Array<string>(DEFERRED_CHUNK));
    (this.#deferredValues.at(-1) as string[])[at] = value;
    this.#deferredParams.push(param);
  }

  /** Whether values are held back: `values`, `value` and `paramValue` are then incomplete until settled. */
  get hasDeferred(): boolean {
    return this.#deferredValues.length > 0;
  }

  /** Interns and counts the held-back values; every reader of the whole value tables calls this first. */
  settle(): void {
    if (this.#deferredValues.length === 0) return;
    const params = this.#deferredParams.toArray();
    const ids = new Int32Array(params.length);
    for (let i = 0; i < ids.length; i++) {
      const chunk = this.#deferredValues[Math.floor(i / DEFERRED_CHUNK)] as string[];
      ids[i] = this.values.intern(chunk[i % DEFERRED_CHUNK] as string);
    }
    this.fit();
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i] as number;
      this.value[v] = (this.value[v] as number) + 1;
      this.paramValue.add(params[i] as number, v, 1);
    }
    this.#deferredParams = new IntBuffer();
    this.#deferredValues = [];
  }

  /** Makes every per-id array as long as its vocabulary. */
  fit(): void {
    growTo(this.seq1, this.commands.size, () => 0);
    growTo(this.param, this.params.size, () => 0);
    growTo(this.value, this.values.size, () => 0);
  }

  /** Counts sessions encoded against this object's vocabularies, in one pass. */
  add(encoded: EncodedSessions, weights?: ArrayLike<number>): void {
    this.fit();
    const { lists, values } = encoded;
    // A zero weight still makes an entry, which a dense count cannot tell from no entry.
    const positive = weights === undefined || Array.prototype.every.call(weights, (w: number) => w > 0);
    const whole = weights === undefined;
    const nc = this.commands.size;
    const seq2 = new PairBatch(this.seq2, nc, nc, positive, whole);
    const cmdParam = new PairBatch(this.cmdParam, this.params.size, nc, positive, whole);
    // Value vocabularies grow with free text: dense only while its cells cost no more than the batch's values.
    const valueCells = Math.min(DENSE_COUNT_CELLS, Math.max(1 << 16, 4 * (values?.length ?? 0)));
    const paramValue = new PairBatch(
      this.paramValue,
      this.values.size,
      this.params.size,
      positive,
      whole,
      valueCells,
    );
    // Unweighted, parameters are counted once per parameter list (times its uses): whole counts, so the
    // sums are exact in any order, and new pairs still reach the table in order of first occurrence.
    const listUses = weights === undefined && lists !== null ? new Int32Array(lists.command.length) : null;
    countSessions(this, encoded, weights, { seq2, cmdParam, paramValue }, listUses);
    if (listUses !== null) addLists(this, lists as ParamLists, listUses, cmdParam.cells);
    seq2.flush();
    cmdParam.flush();
    paramValue.flush();
  }

  /** Adds another object's counts into this one, matching names (not ids). */
  addCounts(other: RawCounts): void {
    this.settle();
    other.settle();
    const cmd = other.commands.list().map((n) => this.commands.intern(n));
    const par = other.params.list().map((n) => this.params.intern(n));
    const val = other.values.list().map((n) => this.values.intern(n));
    this.fit();
    const addRows = (into: PairCounts, from: PairCounts, rowMap: number[], keyMap: number[]) => {
      from.forEach((row, col, n) => {
        into.add(rowMap[row] as number, keyMap[col] as number, n);
      });
    };
    const addList = (into: number[], from: readonly number[], map: number[]) => {
      from.forEach((n, id) => {
        const target = map[id] as number;
        into[target] = (into[target] as number) + n;
      });
    };
    addList(this.seq1, other.seq1, cmd);
    addRows(this.seq2, other.seq2, cmd, cmd);
    addList(this.param, other.param, par);
    addRows(this.cmdParam, other.cmdParam, cmd, par);
    addList(this.value, other.value, val);
    addRows(this.paramValue, other.paramValue, par, val);
    this.sessions += other.sessions;
  }

  /** A deep copy. */
  clone(): RawCounts {
    const copy = new RawCounts();
    copy.addCounts(this);
    return copy;
  }
}

/** Counts each parameter list's parameters `uses[list]` times into `counts` (into the dense cells when given). */
function addLists(counts: RawCounts, lists: ParamLists, uses: Int32Array, cells: Cells | null): void {
  const param = counts.param;
  const np = counts.params.size;
  for (let list = 0; list < uses.length; list++) {
    const n = uses[list] as number;
    if (n === 0) continue;
    const cmd = lists.command[list] as number;
    const last = lists.start[list + 1] as number;
    for (let j = lists.start[list] as number; j < last; j++) {
      const p = lists.params[j] as number;
      param[p] = (param[p] as number) + n;
      if (cells === null) counts.cmdParam.add(cmd, p, n);
      else cells[cmd * np + p] = (cells[cmd * np + p] as number) + n;
    }
  }
}

/**
 * The counting loop of {@link RawCounts.add}: sessions into `counts` (pairs into the batches' dense cells when
 * they have them), parameter-list uses into `listUses` when given. Its own function so that the optimized
 * loop ends with it: code after a loop that V8 compiled mid-loop, before that code first ran, had no feedback
 * and dropped back to the interpreter there on every later call (Node 20).
 */
function countSessions(
  counts: RawCounts,
  encoded: EncodedSessions,
  weights: ArrayLike<number> | undefined,
  batches: { seq2: PairBatch; cmdParam: PairBatch; paramValue: PairBatch },
  listUses: Int32Array | null,
): void {
  // Long because it is the hot counting loop: each pair table's dense cells are read into locals, one branch per table.
  const { sessionStart, commands, paramLists, valueStart, values } = encoded;
  const lists = encoded.lists;
  const { seq1, param, value } = counts;
  const { seq2, cmdParam, paramValue } = batches;
  const nc = seq2.columns;
  const seq2Cells = seq2.cells;
  const cmdParamCells = cmdParam.cells;
  const paramValueCells = paramValue.cells;
  const np = cmdParam.columns;
  const nv = paramValue.columns;
  for (let s = 0; s < encoded.count; s++) {
    const w = weights ? (weights[s] as number) : 1;
    counts.sessions += w;
    let prev = START_ID;
    seq1[START_ID] = (seq1[START_ID] as number) + w;
    const end = sessionStart[s + 1] as number;
    for (let i = sessionStart[s] as number; i < end; i++) {
      const cmd = commands[i] as number;
      seq1[cmd] = (seq1[cmd] as number) + w;
      if (seq2Cells === null) counts.seq2.add(prev, cmd, w);
      else seq2Cells[prev * nc + cmd] = (seq2Cells[prev * nc + cmd] as number) + w;
      prev = cmd;
      if (paramLists === null || lists === null) continue;
      const list = paramLists[i] as number;
      if (listUses !== null) {
        listUses[list] = (listUses[list] as number) + 1;
        if (values === null) continue;
      }
      const first = lists.start[list] as number;
      const last = lists.start[list + 1] as number;
      // Command i's k-th value is at valueStart[i] + k, so the one of list entry j at `at` + j.
      const at = valueStart === null ? 0 : (valueStart[i] as number) - first;
      for (let j = first; j < last; j++) {
        const p = lists.params[j] as number;
        if (listUses === null) {
          param[p] = (param[p] as number) + w;
          if (cmdParamCells === null) counts.cmdParam.add(cmd, p, w);
          else cmdParamCells[cmd * np + p] = (cmdParamCells[cmd * np + p] as number) + w;
        }
        // NO_ID (no value) and DEFERRED_ID (held back as text) are both negative.
        const v = values === null ? -1 : (values[at + j] as number);
        if (v < 0) continue;
        value[v] = (value[v] as number) + w;
        if (paramValueCells === null) counts.paramValue.add(p, v, w);
        else paramValueCells[p * nv + v] = (paramValueCells[p * nv + v] as number) + w;
      }
    }
    if (seq2Cells === null) counts.seq2.add(prev, END_ID, w);
    else seq2Cells[prev * nc + END_ID] = (seq2Cells[prev * nc + END_ID] as number) + w;
    seq1[END_ID] = (seq1[END_ID] as number) + w;
  }
}
