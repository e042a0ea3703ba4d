import type { ReportData, ReportSession } from "./types.js";

/** Above this many scored sessions, the rest are drawn as a density layer instead of points. */
export const POINT_LIMIT = 5000;

type Spec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** The label of a session's identity (its identity values joined), "(none)" for sessions given directly. */
export function identityLabel(identity: readonly (string | null)[]): string {
  return identity.length === 0 ? "(none)" : identity.map((v) => v ?? "(none)").join(" | ");
}

function windowText(data: ReportData, s: ReportSession): string {
  if (s.window === null) return "";
  const [from, length] = s.window;
  return s.steps
    .slice(from, from + length)
    .map((step) => data.commands[step[0]] ?? "?")
    .join(" -> ");
}

/** What the y-axis measures: the ranking detector's score, or the reference's rarest window. */
export function rarityTitle(data: ReportData): string {
  return data.method === null
    ? "rarity: -log10 rarest-window likelihood"
    : `${data.method} score (higher = rarer)`;
}

/** Points of the timeline: one per scored session with a start time (the top POINT_LIMIT when there are more). */
export function timelinePoints(data: ReportData): Record<string, unknown>[] {
  const scored = data.sessions.filter((s) => s.rarity !== null && s.start !== null);
  return scored.slice(0, POINT_LIMIT).map((s) => ({
    rank: s.rank,
    start: s.start,
    rarity: s.rarity,
    who: identityLabel(s.identity),
    length: s.length,
    window: windowText(data, s),
    likelihood: s.likelihood === null ? "n/a" : s.likelihood.toExponential(3),
  }));
}

/** The sessions beyond POINT_LIMIT, binned by time and rarity, for the density layer. */
export function densityBins(data: ReportData, timeBins = 120, rarityBins = 40): Record<string, unknown>[] {
  const rest = data.sessions.filter((s) => s.rarity !== null && s.start !== null).slice(POINT_LIMIT);
  if (rest.length === 0) return [];
  const starts = rest.map((s) => s.start as number);
  const rarities = rest.map((s) => s.rarity as number);
  const [t0, t1] = [Math.min(...starts), Math.max(...starts) + 1];
  const [r0, r1] = [Math.min(...rarities), Math.max(...rarities) + 1e-9];
  const dt = (t1 - t0) / timeBins;
  const dr = (r1 - r0) / rarityBins;
  const counts = new Map<number, number>();
  rest.forEach((_, i) => {
    const x = Math.min(timeBins - 1, Math.floor(((starts[i] as number) - t0) / dt));
    const y = Math.min(rarityBins - 1, Math.floor(((rarities[i] as number) - r0) / dr));
    counts.set(x * rarityBins + y, (counts.get(x * rarityBins + y) ?? 0) + 1);
  });
  return [...counts].map(([key, count]) => {
    const x = Math.floor(key / rarityBins);
    const y = key % rarityBins;
    return { x0: t0 + x * dt, x1: t0 + (x + 1) * dt, y0: r0 + y * dr, y1: r0 + (y + 1) * dr, count };
  });
}

/**
 * The timeline: session start on x, rarity (-log10 of the rarest-window likelihood) on y, coloured by identity,
 * with an overview below whose brush sets the main chart's time range (drag to pan, resize to zoom).
 */
export function timelineSpec(data: ReportData, width = 900): Spec {
  // Long because it is a declarative Vega-Lite specification (data, marks, brush), not logic.
  const points = timelinePoints(data);
  const density = densityBins(data);
  const who = data.identityColumns.length > 0 ? data.identityColumns.join(" | ") : "identity";
  const distinct = new Set(points.map((p) => p.who)).size;
  const x = {
    field: "start",
    type: "temporal",
    title: "session start (UTC)",
    scale: { domain: { param: "brush" } },
  };
  const y = { field: "rarity", type: "quantitative", title: rarityTitle(data) };
  const layers: Spec[] = [];
  if (density.length > 0) {
    layers.push({
      name: "density",
      data: { values: density },
      mark: { type: "rect", opacity: 0.6 },
      encoding: {
        x: { field: "x0", type: "temporal", scale: { domain: { param: "brush" } } },
        x2: { field: "x1" },
        y: { field: "y0", type: "quantitative" },
        y2: { field: "y1" },
        color: {
          field: "count",
          type: "quantitative",
          scale: { scheme: "greys" },
          legend: { title: "other sessions" },
        },
      },
    });
  }
  layers.push({
    name: "sessions",
    data: { values: points },
    mark: { type: "point", filled: true, size: 45, opacity: 0.85, cursor: "pointer", clip: true },
    encoding: {
      x,
      y,
      color: {
        field: "who",
        type: "nominal",
        title: who,
        scale: { scheme: "tableau20" },
        legend: distinct <= 20 ? { orient: "right", labelLimit: 180 } : null,
      },
      tooltip: [
        { field: "rank", type: "quantitative", title: "rank" },
        { field: "who", type: "nominal", title: who },
        { field: "start", type: "temporal", title: "start", format: "%Y-%m-%d %H:%M:%S" },
        { field: "length", type: "quantitative", title: "length" },
        { field: "window", type: "nominal", title: "rarest window" },
        { field: "likelihood", type: "nominal", title: "rarest-window likelihood" },
      ],
    },
  });
  return {
    $schema: SCHEMA,
    title: "Sessions over time (higher = rarer)",
    vconcat: [
      { width, height: 320, layer: layers },
      {
        name: "overview",
        width,
        height: 60,
        data: { values: points },
        mark: { type: "tick", opacity: 0.5 },
        params: [{ name: "brush", select: { type: "interval", encodings: ["x"] } }],
        encoding: {
          x: {
            field: "start",
            type: "temporal",
            title: "drag to choose the time range; drag the selection to pan",
          },
          y: { field: "rarity", type: "quantitative", axis: null },
        },
      },
    ],
  };
}

/** Histogram of rarity over the scored sessions. */
export function histogramSpec(data: ReportData, width = 900): Spec {
  const values = data.sessions.filter((s) => s.rarity !== null).map((s) => ({ rarity: s.rarity }));
  return {
    $schema: SCHEMA,
    title: "How rare the sessions are",
    width,
    height: 160,
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: {
        field: "rarity",
        type: "quantitative",
        bin: { maxbins: 50 },
        title: rarityTitle(data),
      },
      y: { aggregate: "count", type: "quantitative", title: "sessions" },
    },
  };
}

/**
 * A bar per step of a session: its surprise (-log10 of its probability), the rarest window highlighted.
 * Self-contained (no closures): the page uses this very function, inlined.
 */
export function stepChartSpec(
  steps: readonly { step: number; command: string; surprise: number; inWindow: boolean }[],
  width: number,
): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width,
    height: 180,
    data: { values: steps },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "step", type: "ordinal", title: "step", axis: { labelAngle: 0 } },
      y: { field: "surprise", type: "quantitative", title: "surprise: -log10 p" },
      color: {
        field: "inWindow",
        type: "nominal",
        title: "rarest window",
        scale: { domain: [true, false], range: ["#d62728", "#9ecae1"] },
      },
      tooltip: [
        { field: "step", type: "ordinal" },
        { field: "command", type: "nominal" },
        { field: "surprise", type: "quantitative", format: ".3f" },
      ],
    },
  };
}
