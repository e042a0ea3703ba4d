// The report in headless Chromium: offline, one mark per scored session, tooltips, drill-down,
// and hostile log content shown as text, never run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, open } from "../helpers/browser.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { withK8sStages, writeK8sAudit } from "../helpers/sources.js";

const dir = tempDir();
const ARTIFACTS = resolve(import.meta.dirname, "..", "..", "test-artifacts");
const payloads = [
  "<script>window.__pwned = 1</script>",
  '<img src=x onerror="window.__pwned = 2">',
  '"></script><script>window.__pwned = 3</script>',
];
let browser: Browser;

function hostileLog(): string {
  const lines = ["UserId,TimeGenerated,Operation,Parameters"];
  const csvText = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const params = (v: string) => csvText(JSON.stringify([{ Name: "Identity", Value: v }]));
  let t = Date.UTC(2026, 0, 1, 8);
  for (let s = 0; s < 40; s++) {
    const user = s % 10 === 0 ? payloads[s % 3] : `user${s % 5}@contoso.com`;
    const ops = ["Get-Mailbox", "Set-Mailbox", s % 7 === 0 ? (payloads[(s + 1) % 3] as string) : "Get-User"];
    for (const op of ops) {
      lines.push(
        [
          csvText(user as string),
          new Date(t).toISOString(),
          csvText(op),
          params(s % 4 === 0 ? (payloads[s % 3] as string) : "bob"),
        ].join(","),
      );
      t += 20_000;
    }
    t += 3_600_000;
  }
  lines.push(`user9@contoso.com,${new Date(t).toISOString()},Get-Mailbox,[]`); // a session too short to score
  return lines.join("\n");
}

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("the HTML report in Chromium", () => {
  const log = join(dir, "hostile.csv");
  const report = join(dir, "report.html");
  beforeAll(async () => {
    writeFileSync(log, hostileLog());
    const r = await runCli([
      "hunt",
      log,
      "--user",
      "UserId",
      "--params",
      "Parameters",
      "--param-mode",
      "values",
      // The reference leaves sessions too short for a window unscored: the report lists them apart.
      "--method",
      "reference",
      "--quiet",
      "--report",
      report,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("loads with no outside request and no page error, and draws one mark per scored session", async () => {
    const { page, errors, requests } = await open(browser, report);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const scored = await page.evaluate(
      () =>
        (
          window as unknown as { seqhuntReport: { data: { sessions: { rarity: number | null }[] } } }
        ).seqhuntReport.data.sessions.filter((s) => s.rarity !== null).length,
    );
    expect(scored).toBe(40);
    expect(await page.locator("#timeline g.sessions_marks path").count()).toBe(scored);
    await page.close();
  });

  it("runs none of the payloads and shows them as text", async () => {
    const { page, errors } = await open(browser, report);
    await page.click("#table-body tr:first-child");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);
    const text = await page.locator("body").innerText();
    for (const p of payloads) expect(text).toContain(p);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a tooltip when hovering a point", async () => {
    const { page } = await open(browser, report);
    const point = page.locator("#timeline g.sessions_marks path").first();
    const box = await point.boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + (box?.height ?? 0) / 2);
    const tooltip = page.locator("#vg-tooltip-element.visible");
    await tooltip.waitFor({ timeout: 5000 });
    const text = await tooltip.innerText();
    expect(text).toContain("rarest window");
    expect(text).toContain("rank");
    await page.close();
  });

  it("opens the drill-down of a clicked table row, with a bar per step and the rarest window marked", async () => {
    const { page } = await open(browser, report);
    expect(await page.locator("#drilldown").isHidden()).toBe(true);
    const row = page.locator("#table-body tr").nth(1);
    const rank = await row.getAttribute("data-rank");
    await row.click();
    await expect.poll(() => page.locator("#drilldown").isVisible()).toBe(true);
    expect(await page.locator("#drill-title").innerText()).toContain(`#${rank} `);
    const steps = await page.locator("#drill-steps > li").count();
    expect(steps).toBe(3);
    expect(await page.locator("#drill-steps > li.in-window").count()).toBeGreaterThan(0);
    await page.locator("#drill-chart g.mark-rect path").first().waitFor();
    expect(await page.locator("#drill-chart g.mark-rect path").count()).toBe(steps);
    await page.close();
  });

  it("sorts, filters and pages the table, and lists the sessions too short to score", async () => {
    const { page } = await open(browser, report);
    await page.fill("#filter", "user3@");
    const ranks = await page.locator("#table-body tr td:first-child").allInnerTexts();
    expect(ranks.length).toBeGreaterThan(0);
    for (const row of await page.locator("#table-body tr").allInnerTexts())
      expect(row).toContain("user3@contoso.com");
    await page.fill("#filter", "");
    await page.click("#table-head th[data-key=rank]");
    const first = Number(await page.locator("#table-body tr:first-child td:first-child").innerText());
    expect(first).toBe(41);
    expect(await page.locator("#short-count").innerText()).toContain(
      "1 sessions are shorter than the window",
    );
    await page.close();
  });
});

describe("the demo's report", () => {
  it("puts the injected attacks at the top of the table and the timeline; a screenshot is kept", async () => {
    const out = join(dir, "demo");
    expect((await runCli(["demo", "--out", out, "--quiet"])).code).toBe(0);
    const { page, errors, requests } = await open(browser, join(out, "report.html"));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const top = await page
      .locator("#table-body tr")
      .evaluateAll((rows) => rows.slice(0, 10).map((r) => r.textContent ?? ""));
    expect(top.filter((r) => r.includes("185.220.101.47"))).toHaveLength(5);
    const highest = await page.evaluate(() => {
      const view = (
        window as unknown as {
          seqhuntReport: { data: { sessions: { identity: string[]; rarity: number | null }[] } };
        }
      ).seqhuntReport;
      return [...view.data.sessions]
        .filter((s) => s.rarity !== null)
        .sort((a, b) => (b.rarity as number) - (a.rarity as number))
        .slice(0, 4)
        .map((s) => s.identity[1]);
    });
    expect(highest).toEqual(Array(4).fill("185.220.101.47"));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: false });
    await page.click("#table-body tr:first-child");
    await page.locator("#drill-chart g.mark-rect path").first().waitFor();
    await page.locator("#drilldown").screenshot({ path: join(ARTIFACTS, "report-drilldown.png") });
    await page.close();
  });
});

describe("the report of a Kubernetes audit log holding every stage", () => {
  it("counts the folded stage records apart from the skipped rows", async () => {
    const sample = writeK8sAudit(join(dir, "k8s"), 5);
    const staged = join(dir, "k8s", "staged.jsonl");
    const records = withK8sStages(sample.input, staged);
    const report = join(dir, "k8s-report.html");
    const r = await runCli(["hunt", staged, "--source", "k8s-audit", "--quiet", "--report", report]);
    expect(r.code).toBe(0);
    const { page, errors } = await open(browser, report);
    expect(errors).toEqual([]);
    const facts = await page.locator("#facts").innerText();
    expect(facts).toContain(
      `${records} read, ${sample.events} used, 0 skipped, ${records - sample.events} folded (further records of requests used)`,
    );
    await page.close();
  });
});
