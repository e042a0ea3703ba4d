// The chart specs, compiled by Vega-Lite and rendered to SVG by Vega in Node (no browser).

import * as vega from "vega";
import { compile } from "vega-lite";
import { describe, expect, it } from "vitest";
import { histogramSpec, POINT_LIMIT, stepChartSpec, timelineSpec } from "../../src/report/charts.js";
import { scriptJson } from "../../src/report/html.js";
import type { ReportData, ReportSession } from "../../src/report/types.js";

function data(n: number, short = 0, method: string | null = null): ReportData {
  const sessions: ReportSession[] = Array.from({ length: n + short }, (_, i) => ({
    rank: i + 1,
    identity: [`user${i % 7}`],
    start: Date.UTC(2026, 0, 1) + i * 60_000,
    end: Date.UTC(2026, 0, 1) + i * 60_000 + 5000,
    length: 3,
    rarity: i < n ? 10 - (i / n) * 9 : null,
    likelihood: i < n ? 10 ** -(10 - (i / n) * 9) : null,
    percentile: null,
    window: i < n ? [0, 3] : null,
    reason: "",
    steps: [
      [0, 1, [], null],
      [1, 2, [], null],
      [0, 1.5, [], null],
    ],
  }));
  return {
    title: "t",
    version: "0",
    generated: "",
    files: [],
    rows: { read: 0, used: 0, skipped: [] },
    sessionType: "cmds_only",
    window: 3,
    tokens: true,
    geoMean: false,
    modelSource: "",
    method,
    identityColumns: ["UserId"],
    commands: ["a", "b"],
    sessions,
  };
}

async function svg(spec: Record<string, unknown>): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: "none" });
  return view.toSVG();
}
const marks = (text: string, name: string) => {
  const group = text.split(`class="mark-symbol role-mark ${name}_marks"`)[1]?.split("</g>")[0] ?? "";
  return (group.match(/<path /g) ?? []).length;
};

describe("timeline", () => {
  it("draws one point per scored session, and none for sessions too short to score", async () => {
    const text = await svg(timelineSpec(data(120, 30)));
    expect(marks(text, "sessions")).toBe(120);
    expect(text).toContain("rarity: -log10 rarest-window likelihood");
  });

  it("measures the y-axis by the ranking detector's score when one ranks", async () => {
    const text = await svg(timelineSpec(data(20, 0, "markov-set")));
    expect(text).toContain("markov-set score (higher = rarer)");
    expect(text).not.toContain("rarest-window likelihood</");
  });

  it("draws the top sessions as points and the rest as a density layer beyond the point limit", async () => {
    const spec = timelineSpec(data(POINT_LIMIT + 2000));
    const text = await svg(spec);
    expect(marks(text, "sessions")).toBe(POINT_LIMIT);
    expect(text).toContain('class="mark-rect role-mark density_marks"');
    const layers = (spec.vconcat as { layer: { data: { values: { count: number }[] } }[] }[])[0]?.layer ?? [];
    expect(layers[0]?.data.values.reduce((n, b) => n + b.count, 0)).toBe(2000);
  });
});

describe("histogram and step chart", () => {
  it("bins the scored sessions", async () => {
    const spec = histogramSpec(data(50, 5));
    expect((spec.data as { values: unknown[] }).values).toHaveLength(50);
    expect(await svg(spec)).toContain("mark-rect");
  });

  it("draws a bar per step, the rarest window in its own colour", async () => {
    const steps = [0, 1, 2, 3].map((i) => ({
      step: i,
      command: `c${i}`,
      surprise: i + 0.5,
      inWindow: i > 1,
    }));
    const text = await svg(stepChartSpec(steps, 300));
    const bars = text.split('class="mark-rect role-mark marks"')[1]?.split("</g>")[0] ?? "";
    expect((bars.match(/<path /g) ?? []).length).toBe(4);
    expect(bars).toContain("#d62728");
  });
});

describe("scriptJson", () => {
  it("escapes what could end a script element", () => {
    const text = scriptJson({ x: "</script><script>alert(1)</script> & \u2028" });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ x: "</script><script>alert(1)</script> & \u2028" });
  });
});
