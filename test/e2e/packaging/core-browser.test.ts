// The core package, bundled for the browser by vite as a user's app would bundle it, runs in Chromium and
// trains and scores exactly as in Node.
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { build, type Rolldown } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cmd, Model } from "../../../src/index.js";
import { launch } from "../../helpers/browser.js";
import { CORE } from "../../helpers/core-graph.js";

/** Sessions of the three kinds a model takes, as plain JSON, so that they cross into the page. */
type Plain = (string | { name: string; params: Record<string, string> })[][];

const SESSIONS: Record<string, Plain> = {
  plain: [
    ["Get-Mailbox", "Set-Mailbox"],
    ["Get-Mailbox", "Set-Mailbox", "Get-User"],
    ["Get-User", "Set-User", "Set-User"],
    ["Get-Mailbox", "New-InboxRule", "Add-MailboxPermission", "Set-AdminAuditLogConfig"],
  ],
  values: [
    [
      { name: "Set-User", params: { Identity: "alice", City: "york" } },
      { name: "Set-User", params: { Identity: "bob" } },
    ],
    [
      { name: "Set-Mailbox", params: { Identity: "alice" } },
      { name: "Set-User", params: { Identity: "alice", City: "london" } },
    ],
    [
      { name: "Set-Mailbox", params: { Identity: "bob", Forward: "x@evil.example" } },
      { name: "New-InboxRule", params: { Identity: "bob" } },
      { name: "Set-User", params: { Identity: "carol" } },
    ],
  ],
};

/** What both sides compute: train, score with windows of 2, and the likelihood tables' sizes. */
interface Outcome {
  scores: unknown;
  logLikelihoods: number[];
  transitions: number;
}

/** The core's build, bundled by vite in library mode into one script that sets `window.seqhunt`. */
async function bundleCore(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: "silent",
    root: CORE,
    build: {
      write: false,
      minify: true,
      lib: { entry: join(CORE, "dist", "index.js"), formats: ["iife"], name: "seqhunt" },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === "chunk");
  if (chunk === undefined) throw new Error("vite produced no script");
  return chunk.code;
}

/** The largest relative difference between two numbers at the same place of two equal-shaped values. */
function largestRelativeDifference(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") {
    if (Object.is(a, b)) return 0;
    return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  }
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null)
    return a === b ? 0 : Infinity;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return Infinity;
  return Math.max(
    0,
    ...keys.map((k) =>
      largestRelativeDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    ),
  );
}

/** Numbers to ten significant digits: a readable diff when the shapes or the leading digits differ. */
const rounded = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x, (_, v) => (typeof v === "number" ? Number(v.toPrecision(10)) : v)));

/** The library as both sides have it: the sources in Node, the bundle's global in the page. */
type Library = Pick<typeof import("../../../src/index.js"), "Cmd" | "Model">;

/**
 * Trains on the sessions and scores them. Self-contained (no closure, no import): the page runs its
 * source text, so both sides run the same code.
 */
function trainAndScore(lib: Library, plain: Plain): Outcome {
  const decoded = plain.map((s) => s.map((c) => (typeof c === "string" ? c : new lib.Cmd(c.name, c.params))));
  const model = new lib.Model(decoded, { modellableParams: ["Identity", "City"] });
  model.train();
  const scores = model.score(decoded, { windowLength: 2 });
  return {
    scores: JSON.parse(JSON.stringify(scores)),
    logLikelihoods: scores.map((s) => s.logLikelihood),
    transitions: model.transProbs?.size ?? -1,
  };
}

describe("the core bundled for the browser", () => {
  let browser: Browser;
  let script: string;

  beforeAll(async () => {
    script = await bundleCore();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("is one script with no Node module in it", () => {
    // vite replaces a Node module by a stub that throws on use: its name stays in the script.
    expect(script.match(/\bnode:[a-z_/]+|\brequire\(["'][^"']+["']\)/g) ?? []).toEqual([]);
  });

  for (const [kind, sessions] of Object.entries(SESSIONS)) {
    it(`trains and scores ${kind} sessions in Chromium as in Node`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.setContent("<!doctype html><title>core</title>");
      await page.addScriptTag({ content: script });
      const inPage = (await page.evaluate(
        `(${trainAndScore.toString()})(globalThis.seqhunt, ${JSON.stringify(sessions)})`,
      )) as Outcome;
      await page.close();
      expect(errors).toEqual([]);
      const expected = trainAndScore({ Cmd, Model }, sessions);
      expect(expected.transitions).toBeGreaterThan(0);
      expect(rounded(inPage)).toEqual(rounded(expected));
      // Chromium's Math.exp may differ from Node's in the last bit; nothing more.
      expect(largestRelativeDifference(inPage, expected)).toBeLessThan(1e-12);
    });
  }
});
