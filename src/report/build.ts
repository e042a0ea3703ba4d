import type { Command, Explanation } from "../types.js";
import type { ReportData, ReportSession, ReportStep } from "./types.js";

/** A ranked session as the report needs it. */
export interface RankedInput {
  readonly rank: number;
  readonly identity: readonly (string | null)[];
  /** Epoch microseconds, or null. */
  readonly start: number | null;
  readonly end: number | null;
  readonly commands: readonly Command[];
  readonly rarestWindowStart: number | null;
  readonly rarestWindowLogLikelihood: number;
  readonly explanation: Explanation;
  readonly reason: string;
  /** The ranking detector's score and percentile, when a detector ranks. */
  readonly method?: { readonly score: number; readonly percentile: number } | undefined;
}

/** Settings and counts shown in the report's header (the report's own fields, title optional). */
export type ReportContext = Omit<ReportData, "title" | "generated" | "commands" | "sessions"> & {
  readonly title?: string;
};

/** Sessions ranked above this get their parameters embedded (the rest keep names and findings only). */
export const DETAIL_LIMIT = 1000;
const MAX_VALUE = 300;

const clip = (v: string | null) => (v !== null && v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE)}…` : v);

function paramsOf(c: Command): [string, string | null][] | null {
  if (typeof c === "string") return null;
  if (c.params instanceof Set) return [...c.params].map((p) => [p, null]);
  return Object.entries(c.params as Record<string, string | null>).map(([k, v]) => [k, clip(v)]);
}

/** A number, or null when it is NaN or infinite (JSON has neither). */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Packs what the report shows from ranked, explained sessions. */
export function buildReportData(ranked: readonly RankedInput[], context: ReportContext): ReportData {
  const ids = new Map<string, number>();
  const commands: string[] = [];
  const idOf = (name: string) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = commands.length;
      ids.set(name, id);
      commands.push(name);
    }
    return id;
  };
  const sessions: ReportSession[] = ranked.map((r) => {
    const steps: ReportStep[] = r.explanation.steps.map((step, i) => [
      idOf(step.command),
      Math.round((step.surprise / Math.LN10) * 1e4) / 1e4,
      step.params.map((f) => [f.kind, f.param, clip(f.value ?? null)] as const),
      r.rank <= DETAIL_LIMIT ? paramsOf(r.commands[i] as Command) : null,
    ]);
    const hasWindow = r.rarestWindowStart !== null;
    return {
      rank: r.rank,
      identity: r.identity,
      start: r.start === null ? null : Math.floor(r.start / 1000),
      end: r.end === null ? null : Math.floor(r.end / 1000),
      length: r.commands.length,
      rarity: r.method ? finite(r.method.score) : hasWindow ? -r.rarestWindowLogLikelihood / Math.LN10 : null,
      percentile: r.method ? finite(r.method.percentile) : null,
      likelihood: hasWindow ? Math.exp(r.rarestWindowLogLikelihood) : null,
      window: hasWindow
        ? [
            r.rarestWindowStart as number,
            Math.min(context.window, r.commands.length - (r.rarestWindowStart as number)),
          ]
        : null,
      reason: r.reason,
      steps,
    };
  });
  return {
    title: context.title ?? "seqhunt report",
    version: context.version,
    generated: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    files: context.files,
    rows: context.rows,
    sessionType: context.sessionType,
    window: context.window,
    tokens: context.tokens,
    geoMean: context.geoMean,
    modelSource: context.modelSource,
    method: context.method,
    identityColumns: context.identityColumns,
    warnings: context.warnings ?? [],
    commands,
    sessions,
  };
}
