import { trainDetector } from "../detect/detector.js";
import { DEFAULT_METHOD, detectorEntry } from "../detect/registry.js";
import type { WeightedSession } from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { evaluate } from "../eval/metrics.js";
import { writeTextAtomically } from "../io/atomic.js";
import { readSessionFiles } from "../io/read-sessions.js";
import type { Io } from "./commands.js";

/** Reads labelled sessions: JSONL lines `{"session": [...], "label": 0|1, "entity": "...", "count": N}`. */
async function readLabelled(
  file: string,
  needLabels: boolean,
): Promise<{ sessions: WeightedSession[]; labels: number[] }> {
  const { sessions } = await readSessionFiles([file], "fail");
  const labels: number[] = [];
  const out = sessions.map((s) => {
    const { label, entity, count } = s.fields;
    const at = `${s.file}:${s.line}`;
    if (needLabels && label !== 0 && label !== 1)
      throw new SeqhuntError(`${at}: "label" must be 0 or 1`, { file: s.file, line: s.line });
    if (entity !== undefined && typeof entity !== "string")
      throw new SeqhuntError(`${at}: "entity" must be text`, { file: s.file, line: s.line });
    if (count !== undefined && (typeof count !== "number" || !(count > 0) || !Number.isFinite(count))) {
      throw new SeqhuntError(`${at}: "count" must be a number > 0`, { file: s.file, line: s.line });
    }
    labels.push(label === 1 ? 1 : 0);
    return { session: s.commands, entity, weight: count };
  });
  if (out.length === 0) throw new SeqhuntError(`${file}: no sessions`, { file });
  return { sessions: out, labels };
}

/** eval: train a detector on normal sessions, score labelled ones, report detection quality. */
export async function evalCommand(
  options: { train: string; test: string; json: boolean; method?: string; report?: string },
  io: Io,
): Promise<void> {
  const method = options.method ?? DEFAULT_METHOD;
  detectorEntry(method);
  const train = await readLabelled(options.train, false);
  const test = await readLabelled(options.test, true);
  const detector = trainDetector(method, train.sessions);
  const scores = detector.score(test.sessions);
  const m = evaluate(
    scores,
    test.labels,
    test.sessions.map((s) => s.weight ?? 1),
  );
  const summary = {
    auc: m.auc,
    prAuc: m.prAuc,
    bestF1: m.bestF1,
    precision: m.precision,
    recall: m.recall,
    hitRateAtFalseAlarm: m.hitRateAtFalseAlarm,
    method,
  };
  if (options.json) io.out(JSON.stringify(summary));
  else {
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    io.out(
      [
        `method            ${method}`,
        `test sessions     ${m.positives} anomalous, ${m.negatives} normal (weighted)`,
        `ROC AUC           ${m.auc.toFixed(4)}`,
        `PR AUC            ${m.prAuc.toFixed(4)}`,
        `best F1           ${m.bestF1.toFixed(4)} (precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)})`,
        `hit rate at 1% FA ${pct(m.hitRateAtFalseAlarm["0.01"])}`,
        `hit rate at 5% FA ${pct(m.hitRateAtFalseAlarm["0.05"])}`,
      ].join("\n"),
    );
  }
  if (options.report) {
    // The report loads here, not at start: only --report needs it.
    const { renderRocReport } = await import("../report/roc.js");
    writeTextAtomically(
      options.report,
      renderRocReport(m, { method, train: options.train, test: options.test }),
    );
    if (!options.json) io.err(`wrote the ROC curve to ${options.report}`);
  }
}
