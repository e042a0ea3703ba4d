import { END_ID, type LogProbabilities, START_ID } from "../../model/engine-access.js";

type Row = (string | number)[];

/** The model's log tables as rows for upload: every number the in-process likelihood engine uses. */
export interface ModelTableRows {
  /**
   * name, id, log prior, sum of log(1 - p) over the command's parameter row, row size, and the log
   * transition probability shared by the row's unlisted columns (NaN when every column is listed).
   */
  readonly vocab: Row[];
  /** (a, b, log p) wherever the transition differs from its row's default. */
  readonly trans: Row[];
  /** (command, parameter, correction when present, values modelled, log p of an unseen value). */
  readonly cmdParam: Row[];
  /** (parameter, value, log p) for parameters whose values are modelled. */
  readonly paramValue: Row[];
}

/** Rows of the tables the scoring query joins, from a trained model's log tables. */
export function modelTableRows(logs: LogProbabilities, withValues: boolean): ModelTableRows {
  const s = logs.smoothed;
  const raw = s.raw;
  const n = logs.commandCount;
  const commandName = (id: number) => raw.commands.name(id);
  const paramName = (id: number) => raw.params.name(id);
  const vocab: Row[] = [];
  const trans: Row[] = [];
  for (let a = 0; a < n; a++) {
    const smoothedRow = a !== END_ID && s.seq2HasRow(a);
    vocab.push([
      commandName(a),
      a,
      logs.logPrior[a] as number,
      logs.paramBase[a] as number,
      logs.paramRowSize[a] as number,
      smoothedRow ? Math.log(1 / (s.seq2RowSum[a] as number)) : Number.NaN,
    ]);
    if (smoothedRow) {
      // A smoothed row: every unseen column has count 1; seen columns and START differ.
      for (const b of raw.seq2.rowKeys(a)) trans.push([a, b, logs.logTrans(a, b)]);
      if (!raw.seq2.has(a, START_ID)) trans.push([a, START_ID, logs.logTrans(a, START_ID)]);
    } else {
      for (let b = 0; b < n; b++) trans.push([a, b, logs.logTrans(a, b)]);
    }
  }
  const cmdParam: Row[] = [];
  logs.paramPresent.forEach((b, p, correction) => {
    const modelled = withValues && logs.modellable[p] === 1 ? 1 : 0;
    cmdParam.push([b, paramName(p), correction, modelled, logs.valueUnkLog[p] as number]);
  });
  const paramValue: Row[] = [];
  if (withValues) {
    logs.valueLog.forEach((p, v, logValue) => {
      paramValue.push([paramName(p), raw.values.name(v), logValue]);
    });
  }
  return { vocab, trans, cmdParam, paramValue };
}
