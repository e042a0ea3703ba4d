import type { SessionTypeName } from "../types.js";
import { SessionType } from "./session-type.js";
import type { SmoothedCounts } from "./smoothing.js";
import { StateMatrix } from "./state-matrix.js";
import type { Vocabulary } from "./vocabulary.js";

/** The reference's twelve tables, as read-only views over the smoothed counts. */
export interface ModelTables {
  readonly seq1Counts: StateMatrix<number>;
  readonly seq2Counts: StateMatrix<StateMatrix<number>>;
  readonly paramCounts: StateMatrix<number> | null;
  readonly cmdParamCounts: StateMatrix<StateMatrix<number>> | null;
  readonly valueCounts: StateMatrix<number> | null;
  readonly paramValueCounts: StateMatrix<StateMatrix<number>> | null;
  readonly priorProbs: StateMatrix<number>;
  readonly transProbs: StateMatrix<StateMatrix<number>>;
  readonly paramProbs: StateMatrix<number> | null;
  readonly paramCondCmdProbs: StateMatrix<StateMatrix<number>> | null;
  readonly valueProbs: StateMatrix<number> | null;
  readonly valueCondParamProbs: StateMatrix<StateMatrix<number>> | null;
}

/** A flat table over every id of a vocabulary. */
function vector(vocab: Vocabulary, entryOf: (id: number) => number): StateMatrix<number> {
  return new StateMatrix({
    size: vocab.size,
    keys: () => vocab.list(),
    lookup: (key) => {
      const id = vocab.lookup(key, -1);
      return id < 0 ? undefined : entryOf(id);
    },
  });
}

interface NestedSpec {
  rows: Vocabulary;
  cols: Vocabulary;
  rowIds: () => number[];
  colIds: (row: number) => number[];
  has: (row: number, col: number) => boolean;
  value: (row: number, col: number) => number;
}

/** A two-level table; row views are cached so the same key gives the same object. */
function nested(spec: NestedSpec): StateMatrix<StateMatrix<number>> {
  const rowIds = spec.rowIds();
  const rowSet = new Set(rowIds);
  const cache = new Map<number, StateMatrix<number>>();
  const rowView = (row: number): StateMatrix<number> => {
    let view = cache.get(row);
    if (view === undefined) {
      const cols = spec.colIds(row);
      view = new StateMatrix({
        size: cols.length,
        keys: () => cols.map((c) => spec.cols.name(c)),
        lookup: (key) => {
          const col = spec.cols.lookup(key, -1);
          return col >= 0 && spec.has(row, col) ? spec.value(row, col) : undefined;
        },
      });
      cache.set(row, view);
    }
    return view;
  };
  return new StateMatrix({
    size: rowIds.length,
    keys: () => rowIds.map((r) => spec.rows.name(r)),
    lookup: (key) => {
      const row = spec.rows.lookup(key, -1);
      return row >= 0 && rowSet.has(row) ? rowView(row) : undefined;
    },
  });
}

const allIds = (vocab: Vocabulary) => () => Array.from({ length: vocab.size }, (_, i) => i);

/** Builds the twelve table views; parameter tables are null for plain commands, value tables unless values. */
export function buildTables(smoothed: SmoothedCounts, sessionType: SessionTypeName): ModelTables {
  const raw = smoothed.raw;
  const { commands, params, values } = raw;
  const seq2Spec: Omit<NestedSpec, "value"> = {
    rows: commands,
    cols: commands,
    rowIds: () => allIds(commands)().filter((a) => smoothed.seq2HasRow(a)),
    colIds: (a) => smoothed.seq2Keys(a),
    has: (a, b) => smoothed.seq2Has(a, b),
  };
  const withParams = sessionType !== SessionType.cmdsOnly;
  const withValues = sessionType === SessionType.cmdsParamsValues;
  const cmdParamSpec: Omit<NestedSpec, "value"> = {
    rows: commands,
    cols: params,
    rowIds: allIds(commands),
    colIds: (a) => smoothed.cmdParamKeys(a),
    has: (a, p) => smoothed.cmdParamHas(a, p),
  };
  const paramValueSpec: Omit<NestedSpec, "value"> = {
    rows: params,
    cols: values,
    rowIds: allIds(params),
    colIds: (p) => smoothed.paramValueKeys(p),
    has: (p, v) => smoothed.paramValueHas(p, v),
  };
  return {
    seq1Counts: vector(commands, (c) => smoothed.seq1[c] as number),
    seq2Counts: nested({ ...seq2Spec, value: (a, b) => smoothed.seq2(a, b) }),
    priorProbs: vector(commands, (c) => (smoothed.seq1[c] as number) / smoothed.seq1Total),
    transProbs: nested({
      ...seq2Spec,
      value: (a, b) => smoothed.seq2(a, b) / (smoothed.seq2RowSum[a] as number),
    }),
    paramCounts: withParams ? vector(params, (p) => smoothed.param[p] as number) : null,
    cmdParamCounts: withParams ? nested({ ...cmdParamSpec, value: (a, p) => smoothed.cmdParam(a, p) }) : null,
    paramProbs: withParams ? vector(params, (p) => (smoothed.param[p] as number) / smoothed.seq1Total) : null,
    paramCondCmdProbs: withParams
      ? nested({ ...cmdParamSpec, value: (a, p) => smoothed.cmdParam(a, p) / (smoothed.seq1[a] as number) })
      : null,
    valueCounts: withValues ? vector(values, (v) => smoothed.value[v] as number) : null,
    paramValueCounts: withValues
      ? nested({ ...paramValueSpec, value: (p, v) => smoothed.paramValue(p, v) })
      : null,
    valueProbs: withValues
      ? vector(values, (v) => (smoothed.value[v] as number) / smoothed.valueTotal)
      : null,
    valueCondParamProbs: withValues
      ? nested({
          ...paramValueSpec,
          value: (p, v) => smoothed.paramValue(p, v) / (smoothed.paramValueRowSum[p] as number),
        })
      : null,
  };
}
