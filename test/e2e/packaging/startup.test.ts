// Instant start: --version and --help load none of the heavy modules; a command loads what it needs.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/cli.js";
import { ROOT } from "../../helpers/core-graph.js";

const dir = tempDir();
const CLI = join(ROOT, "dist", "cli", "main.js");

/**
 * A preload that records every module the process loads: ES modules through a load hook (which runs on
 * the hooks thread, hence the file), CommonJS ones (DuckDB is required) from the require cache at exit.
 */
function preload(out: string): string {
  const hooks = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(out)}, "esm " + url + "\\n");
  return next(url, context);
}`;
  const file = join(dir, `preload-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    file,
    `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});
process.on("exit", () => {
  const cached = Object.keys(createRequire(import.meta.url).cache);
  appendFileSync(${JSON.stringify(out)}, cached.map((f) => "cjs file://" + f + "\\n").join(""));
});`,
  );
  return file;
}

/**
 * The files and packages a run of the CLI loads, as paths relative to the repository, each after "esm " or
 * "cjs " (how it was loaded: ES module import, or CommonJS require).
 */
function loadedHowBy(args: readonly string[]): string[] {
  const out = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(out, "");
  execFileSync(process.execPath, ["--import", pathToFileURL(preload(out)).href, CLI, ...args], {
    stdio: "ignore",
  });
  const root = `${pathToFileURL(ROOT).href}/`;
  return readFileSync(out, "utf8")
    .split("\n")
    .filter((line) => line.slice(4).startsWith(root))
    .map((line) => `${line.slice(0, 4)}${line.slice(4 + root.length)}`);
}

/** The files and packages a run of the CLI loads, however loaded. */
const loadedBy = (args: readonly string[]) => [...new Set(loadedHowBy(args).map((line) => line.slice(4)))];

/** What only some commands need: the file reader (DuckDB), the report, the ClickHouse engine, the table. */
const HEAVY = [
  /^node_modules\/@duckdb\//,
  /^node_modules\/@clickhouse\//,
  /^node_modules\/(cli-table3|cli-progress|vega[^/]*)\//,
  /^dist\/(report|engine|io)\//,
];
const heavy = (files: string[]) => files.filter((f) => HEAVY.some((h) => h.test(f)));

describe("start-up", () => {
  it("--version and --help load neither DuckDB, the report, the ClickHouse client nor the tables", () => {
    expect(heavy(loadedBy(["--version"]))).toEqual([]);
    expect(heavy(loadedBy(["hunt", "--help"]))).toEqual([]);
  });

  it("a hunt of a small file loads DuckDB, not the report or the ClickHouse client; cli-table3 only for wide cells", () => {
    const ascii = join(dir, "log-ascii.csv");
    writeFileSync(ascii, "UserId,TimeGenerated,Operation\nu1,2026-01-01T00:00:00Z,Get-User\n");
    const plain = heavy(loadedBy(["hunt", ascii]));
    // The record catches what is loaded: the hunt's own needs are in it.
    expect(plain).toEqual(
      expect.arrayContaining([expect.stringMatching(/^node_modules\/@duckdb\/node-api\//)]),
    );
    // Plain ASCII cells are drawn by seqhunt itself.
    expect(plain.filter((f) => /cli-table3|@clickhouse|\/report\/|\/engine\/|vega/.test(f))).toEqual([]);
    const wide = join(dir, "log-wide.csv");
    // A command that is not printable ASCII: the table is drawn by cli-table3.
    writeFileSync(wide, "UserId,TimeGenerated,Operation\nu1,2026-01-01T00:00:00Z,Get-Üser\n");
    const loaded = heavy(loadedBy(["hunt", wide]));
    expect(loaded).toEqual(expect.arrayContaining([expect.stringMatching(/^node_modules\/cli-table3\//)]));
    expect(loaded.filter((f) => /@clickhouse|\/report\/|\/engine\/|vega/.test(f))).toEqual([]);
  });

  it("DuckDB is required, never imported as an ES module (which first scans its files: 100-200 ms)", () => {
    const log = join(dir, "log.csv");
    writeFileSync(log, "UserId,TimeGenerated,Operation\nu1,2026-01-01T00:00:00Z,Get-User\n");
    const duckdb = loadedHowBy(["hunt", log]).filter((line) => line.includes("node_modules/@duckdb/"));
    expect(duckdb).toEqual(expect.arrayContaining([expect.stringMatching(/^cjs /)]));
    expect(duckdb.filter((line) => line.startsWith("esm "))).toEqual([]);
  });
});
