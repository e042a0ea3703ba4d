// Every code block of README.md runs as pasted: ts/js blocks against the built package (type-checked, then
// run by node in a folder where `seqhunt` resolves to this repository), and every `seqhunt` command line of
// the sh blocks through the CLI on generated sample data (the ClickHouse line only through its option
// parser: no server listens on its URL). A block after `<!-- not-run: reason -->` is skipped.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { generateShellHistory } from "../../src/demo/shell-history.js";
import { csvCell } from "../../src/io/write.js";
import { runCli, tempDir } from "../helpers/cli.js";
import {
  writeAuditLogs,
  writeCloudTrail,
  writeK8sAudit,
  writeOkta,
  writePurview,
  writeSentinelPortal,
  writeShellHistories,
} from "../helpers/sources.js";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** One fenced code block of the README. */
interface Snippet {
  readonly lang: string;
  readonly code: string;
  /** Line of the opening fence (1-based), to name the block in a failure. */
  readonly line: number;
  /** The reason of a `<!-- not-run: reason -->` comment right before the block, or null. */
  readonly notRun: string | null;
}

function snippetsOf(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    let before = i - 1;
    while (before >= 0 && (lines[before] as string).trim() === "") before--;
    const notRun = /^<!--\s*not-run:\s*(.*?)\s*-->$/.exec((lines[before] ?? "").trim());
    snippets.push({
      lang: open[1] as string,
      code: lines.slice(i + 1, end).join("\n"),
      line: i + 1,
      notRun: notRun ? (notRun[1] as string) : null,
    });
    i = end;
  }
  return snippets;
}

const snippets = snippetsOf(readFileSync(join(ROOT, "README.md"), "utf8"));
const runnable = (langs: string[]) => snippets.filter((s) => langs.includes(s.lang) && s.notRun === null);
const code = runnable(["ts", "js"]);
const shell = runnable(["sh", "bash"]);

/** The argv of each `seqhunt ...` (or `npx seqhunt ...`) command of an sh block, comments dropped. */
function seqhuntCommands(block: string): string[][] {
  return block
    .split("\n")
    .map((line) => line.replace(/\s#.*$/, ""))
    .flatMap((line) => line.split("&&"))
    .map((command) => command.trim().split(/\s+/))
    .flatMap((words) => {
      if (words[0] === "seqhunt") return [words.slice(1)];
      if (words[0] === "npx" && words[1] === "seqhunt") return [words.slice(2)];
      return [];
    });
}

/** Parses argv with the CLI's own option parser, running no command. */
async function parseOnly(argv: readonly string[]): Promise<string> {
  let errors = "";
  const program = buildProgram({ out: () => {}, err: (s) => (errors += s) });
  for (const command of program.commands) command.action(() => {});
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    return `${errors}${String(err)}`;
  }
  return errors;
}

describe("README", () => {
  it("has the blocks this test runs, and says why for each one it does not", () => {
    expect(code.length).toBeGreaterThanOrEqual(5);
    expect(shell.length).toBeGreaterThanOrEqual(2);
    for (const s of snippets) if (s.notRun !== null) expect(s.notRun, `line ${s.line}`).not.toBe("");
    expect(snippets.filter((s) => !["ts", "js", "sh", "bash"].includes(s.lang))).toEqual([]);
  });
});

describe("README ts/js snippets, as pasted into a project that installed seqhunt", () => {
  const dir = tempDir();
  const file = (s: Snippet) => join(dir, `line-${s.line}`, s.lang === "ts" ? "snippet.mts" : "snippet.mjs");
  beforeAll(() => {
    // `import ... from "seqhunt"` resolves to this repository's package (its exports, the built dist/).
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "seqhunt"), "dir");
    for (const s of code) {
      mkdirSync(join(dir, `line-${s.line}`));
      writeFileSync(file(s), s.code);
    }
  });

  it("type-check (strict)", () => {
    const program = ts.createProgram(
      code.map(file),
      {
        strict: true,
        noEmit: true,
        allowJs: true,
        checkJs: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")],
        skipLibCheck: true,
      },
      ts.createCompilerHost({}),
    );
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
      ts.formatDiagnostic(d, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => dir,
        getNewLine: () => "\n",
      }),
    );
    expect(diagnostics).toEqual([]);
  });

  it.each(code.map((s) => [s.line, s] as const))("the block at line %i runs", (_, s) => {
    const js = ts.transpileModule(s.code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    const path = join(dir, `line-${s.line}`, "run.mjs");
    writeFileSync(path, js);
    const run = spawnSync(process.execPath, [path], { cwd: join(dir, `line-${s.line}`), encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).not.toBe(""); // each block shows its result
  });
});

describe("README sh blocks: every seqhunt command line, on a generated Exchange log", () => {
  const dir = tempDir();
  const cwd = process.cwd();
  beforeAll(async () => {
    // The files the command lines name: the demo's log as CSV, Parquet and JSONL, plain-text sessions, shell history.
    process.chdir(dir);
    expect((await runCli(["demo", "--out", "sample", "--quiet"])).code).toBe(0);
    copyFileSync(join("sample", "exchange_admin_log.csv"), "audit.csv");
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(
      "COPY (SELECT * FROM read_csv('audit.csv', all_varchar = true)) TO 'last-month.parquet' (FORMAT parquet)",
    );
    await con.run(
      "COPY (SELECT * FROM read_csv('audit.csv', all_varchar = true)) TO 'today.jsonl' (FORMAT json)",
    );
    con.closeSync();
    instance.closeSync();
    const history = generateShellHistory({ seed: 1, sessions: 200 }).rows;
    writeFileSync(
      "history.csv",
      [
        "user,host,time,command_line",
        ...history.map((r) => [r.user, r.host, r.time, r.command_line].map(csvCell).join(",")),
      ].join("\n"),
    );
    writeShellHistories(join("collected", "hosts"), history);
    writeFileSync(
      "sessions.txt",
      "Get-Mailbox Set-Mailbox Get-Mailbox\nGet-User Set-User\nGet-Mailbox New-InboxRule\n",
    );
    // The products' exports the --source sections name, as each product writes them.
    for (const write of [writeCloudTrail, writePurview, writeSentinelPortal, writeOkta, writeK8sAudit])
      write(dir, 3);
    writeAuditLogs(dir);
  });
  afterAll(() => process.chdir(cwd));

  const commands = shell.flatMap((s) =>
    seqhuntCommands(s.code).map((argv) => [argv.join(" "), argv] as const),
  );

  it("names commands", () => {
    expect(commands.length).toBeGreaterThanOrEqual(8);
  });

  // In README order: `score --model baseline.json` reads what `train` wrote before it.
  it.each(commands)("seqhunt %s", async (_, argv) => {
    if (argv.includes("clickhouse")) {
      expect(await parseOnly(argv)).toBe("");
      return;
    }
    const run = await runCli(argv);
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
  });
});
