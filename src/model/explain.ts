import type { Command, ExplainedStep, Explanation, ParamFinding, SessionTypeName } from "../types.js";
import { START_ID, UNK_ID } from "./counts.js";
import { type EncodedSessions, NO_ID, UNK_PARAM_ID } from "./encode.js";
import type { LogProbabilities } from "./likelihood.js";
import { SessionType } from "./session-type.js";
import { START_TOKEN } from "./tokens.js";

/** Value probability below which a modelled value is called rare. */
const RARE_VALUE = 0.1;

function paramFindings(
  logs: LogProbabilities,
  encoded: EncodedSessions,
  i: number,
  command: Command,
  sessionType: SessionTypeName,
): ParamFinding[] {
  const { paramLists, lists } = encoded;
  if (typeof command === "string" || paramLists === null || lists === null) return [];
  const a = encoded.commands[i] as number;
  const smoothed = logs.smoothed;
  const params = smoothed.raw.params;
  const record =
    command.params instanceof Set ? null : (command.params as Readonly<Record<string, string | null>>);
  const names = record === null ? [...(command.params as ReadonlySet<string>)] : Object.keys(record);
  const presentIds = new Set<number>();
  const findings: ParamFinding[] = [];
  const from = lists.start[paramLists[i] as number] as number;
  const valuesFrom = encoded.valueStart?.[i] as number;
  names.forEach((name, j) => {
    const p = lists.params[from + j] as number;
    if (p === NO_ID || !smoothed.cmdParamHas(a, p)) {
      findings.push({ kind: "unseen-param", param: name, probability: Number.NaN });
      return;
    }
    presentIds.add(p);
    const prob = smoothed.cmdParam(a, p) / (smoothed.seq1[a] as number);
    if (prob < 0.5) findings.push({ kind: "rare-present", param: name, probability: prob });
    if (sessionType === SessionType.cmdsParamsValues && logs.modellable[p] === 1) {
      const value = record?.[name] ?? null;
      const v = encoded.values?.[valuesFrom + j] as number;
      const valueProb = Math.exp(logs.logValue(p, v));
      const seen = v !== NO_ID && v !== UNK_PARAM_ID && smoothed.paramValueHas(p, v);
      if (!seen) findings.push({ kind: "unseen-value", param: name, value, probability: valueProb });
      else if (valueProb < RARE_VALUE)
        findings.push({ kind: "rare-value", param: name, value, probability: valueProb });
    }
  });
  for (const p of smoothed.cmdParamKeys(a)) {
    if (p === UNK_PARAM_ID || presentIds.has(p)) continue;
    const prob = smoothed.cmdParam(a, p) / (smoothed.seq1[a] as number);
    if (prob >= 0.5) findings.push({ kind: "usual-absent", param: params.name(p), probability: 1 - prob });
  }
  // Most damning first; ties by kind and name, so the order never depends on id assignment.
  const rank = (f: ParamFinding) => (Number.isNaN(f.probability) ? Number.POSITIVE_INFINITY : f.probability);
  return findings.sort(
    (x, y) =>
      rank(x) - rank(y) ||
      (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0) ||
      (x.param < y.param ? -1 : x.param > y.param ? 1 : 0),
  );
}

/** Explains session s of `encoded` (the session `session`), given its emissions and rarest window. */
export function explainSession(
  logs: LogProbabilities,
  encoded: EncodedSessions,
  s: number,
  session: readonly Command[],
  sessionType: SessionTypeName,
  emission: Float64Array,
  useStartEndTokens: boolean,
  window: { start: number; length: number; logLikelihood: number } | null,
  logLikelihood: number,
  endLog: number | null,
  windowOnly = false,
): Explanation {
  const offset = encoded.sessionStart[s] as number;
  const first = windowOnly && window !== null ? window.start : 0;
  const last = windowOnly && window !== null ? window.start + window.length : session.length;
  const steps: ExplainedStep[] = session.slice(first, last).map((command, j) => {
    const i = first + j;
    const id = encoded.commands[offset + i] as number;
    const name = typeof command === "string" ? command : command.name;
    let previous: string | null;
    let logTransition: number;
    if (i > 0) {
      const prev = session[i - 1] as Command;
      previous = typeof prev === "string" ? prev : prev.name;
      logTransition = logs.logTrans(encoded.commands[offset + i - 1] as number, id);
    } else if (useStartEndTokens) {
      previous = START_TOKEN;
      logTransition = logs.logTrans(START_ID, id);
    } else {
      previous = null;
      logTransition = logs.logPrior[id] as number;
    }
    const logParam = emission[i] as number;
    return {
      index: i,
      command: name,
      known: id !== UNK_ID || name === logs.smoothed.raw.commands.name(UNK_ID),
      previous,
      transitionProbability: Math.exp(logTransition),
      paramProbability: Math.exp(logParam),
      surprise: -(logTransition + logParam),
      inRarestWindow: window !== null && i >= window.start && i < window.start + window.length,
      params: paramFindings(logs, encoded, offset + i, command, sessionType),
    };
  });
  return {
    likelihood: Math.exp(logLikelihood),
    logLikelihood,
    endProbability: endLog === null ? null : Math.exp(endLog),
    rarestWindow: window,
    steps,
  };
}
