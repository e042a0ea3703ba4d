#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DEFAULT_METHOD, DETECTORS } from "../detect/registry.js";
import { SeqhuntError } from "../errors.js";
import { SOURCE_PRESETS, sourcePreset } from "../presets/presets.js";
import { DEFAULT_EVENT_JOINER } from "../presets/records.js";
import { VERSION } from "../version.js";
import type { EngineOptions } from "./clickhouse.js";
import { commandLineOptions, resolveCommandLineDefaults } from "./command-line.js";
import type { HuntOptions, Io, sessionizeCommand, TrainOptions } from "./commands.js";
import { DEFAULT_CONTEXT_COUNTS } from "./context-counts.js";
import type { evalCommand } from "./eval.js";
import { preflight, usageError } from "./preflight.js";
import type { reportCommand } from "./report.js";
import { presetCommandLine, sourcesCommand, withSourcePreset } from "./sources.js";
import { DEFAULT_THREADS_FROM, MAX_THREADS } from "./thread-messages.js";

// Commands load at the point of use (dynamic import), so --version and --help start without DuckDB,
// the report or the ClickHouse client.
function positiveInt(name: string, limits: { max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${name} must be a whole number >= 1, got ${JSON.stringify(value)}`);
    }
    if (limits.max !== undefined && n > limits.max)
      throw new InvalidArgumentError(`${name} must be at most ${limits.max}, got ${n}`);
    return n;
  };
}

function minutes(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(
        `${name} must be a number of minutes >= 0, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
}

const columns = (value: string): string[] => {
  const list = value.split(",").map((c) => c.trim());
  if (list.some((c) => c === ""))
    throw new InvalidArgumentError(`--user takes comma-separated column names, got ${JSON.stringify(value)}`);
  return list;
};

const sourceName = (value: string): string => {
  if (sourcePreset(value) === undefined)
    throw new InvalidArgumentError(
      `unknown source ${JSON.stringify(value)}; the sources are: ${Object.keys(SOURCE_PRESETS).join(", ")} (see seqhunt sources)`,
    );
  return value;
};

/** The input and sessionizing options every data command takes. */
function inputOptions(cmd: Command): Command {
  // Long because it is one declarative list of commander options (one entry each), not logic.
  return commandLineOptions(cmd)
    .option(
      "--source <name>",
      `read a product's export with its preset fields (${Object.keys(SOURCE_PRESETS).join(", ")}; see seqhunt sources); explicit flags override it`,
      sourceName,
    )
    .option(
      "--user <cols>",
      "identity columns, comma-separated; a dotted name reaches into nested records or JSON text (userIdentity.arn)",
      columns,
      ["UserId"],
    )
    .option(
      "--time <col>",
      "time column: ISO 8601 (UTC when no zone), the Azure portal's 9/30/2026, 5:45:27.226 PM, or epoch s/ms/us/ns (told apart by magnitude)",
      "TimeGenerated",
    )
    .option(
      "--event <cols>",
      `event (command) column, or several comma-separated, joined with --event-joiner (missing parts left out)`,
      "Operation",
    )
    .option("--event-joiner <text>", "what joins several --event fields", DEFAULT_EVENT_JOINER)
    .option(
      "--params <col>",
      "parameters column (a dotted name reaches inside JSON text: AuditData.Parameters, or gathers columns flattened under it: debugContext.debugData.*)",
    )
    .addOption(
      new Option(
        "--params-format <format>",
        "how the parameters column is written (exchange: a JSON list of {Name, Value})",
      )
        .choices(["exchange", "json-object", "json-array"])
        .default("exchange"),
    )
    .addOption(
      new Option("--param-mode <mode>", "plain commands, commands with parameter names, or with values")
        .choices(["none", "names", "values"])
        .default("none"),
    )
    .option(
      "--max-gap <minutes>",
      "a longer gap between two events starts a new session",
      minutes("--max-gap"),
      2,
    )
    .option(
      "--max-duration <minutes>",
      "a session never lasts longer than this",
      minutes("--max-duration"),
      20,
    )
    .option(
      "--sessions",
      "read sessions directly: JSONL with a session list per line, or text with one session per line",
      false,
    )
    .addOption(
      new Option("--on-bad-row <policy>", "stop at a bad row, or skip and count it")
        .choices(["fail", "skip"])
        .default("fail"),
    )
    .option("--quiet", "print nothing but errors (and the skipped-rows summary)", false);
}

/** Options of `--engine clickhouse`: where the events table is (user and password from the environment). */
function engineOptions(cmd: Command, withOutTable: boolean): Command {
  cmd
    .addOption(
      new Option(
        "--engine <name>",
        "where sessionizing, counting and scoring run: in process, or pushed down to ClickHouse",
      )
        .choices(["duckdb", "clickhouse"])
        .default("duckdb"),
    )
    .option(
      "--url <url>",
      "ClickHouse HTTP interface (user and password: SEQHUNT_CLICKHOUSE_USER, SEQHUNT_CLICKHOUSE_PASSWORD)",
      "http://127.0.0.1:8123",
    )
    .option("--database <name>", "ClickHouse database", "default")
    .option("--table <name>", "ClickHouse table (or Distributed table) of events")
    .option(
      "--seq <col>",
      "ClickHouse: integer column that orders events of equal time (e.g. ingestion order)",
    )
    .addOption(
      new Option(
        "--shard-work <where>",
        "ClickHouse: per-identity work on each shard (identity), on the server given by --url (initiator), or by the Distributed table's sharding key (auto)",
      )
        .choices(["auto", "identity", "initiator"])
        .default("auto"),
    )
    .option("--shard-urls <urls>", "ClickHouse: HTTP URLs of the shards, comma-separated, in cluster order")
    .addOption(
      new Option(
        "--context-counts <where>",
        "ClickHouse: count the default detector's context chain in ClickHouse, each shard its own sessions (clickhouse), or in seqhunt as the sessions stream back (stream)",
      )
        .choices(["clickhouse", "stream"])
        .default(DEFAULT_CONTEXT_COUNTS),
    );
  if (withOutTable)
    cmd.option("--out-table <name>", "ClickHouse: write every session's scores and rank to this new table");
  return cmd;
}

/** --method and --entity: the detector that ranks (hunt, score) or is trained (train). */
function detectorOptions(cmd: Command, withModel: boolean): Command {
  return cmd
    .option(
      "--method <name>",
      `detector to rank by (${[...DETECTORS.keys()].join(", ")}; default: ${DEFAULT_METHOD}${withModel ? ", or the --model file's" : ""}); see seqhunt eval --help`,
    )
    .option(
      "--entity <col>",
      `give each value of this --user column its own model, compared with everyone's${withModel ? " (default: the --model file's)" : ""}`,
    )
    .option(
      "--threads <n>",
      `threads, this one included: when hunt or train trains the default detector (without --model), worker threads train its context chain and its novelty view (one worker both, or one each) while this one trains markov-set (so at most 3 help today); with --model (score) workers load the detector while this one reads, then score and explain every session (detectors that train in passes); other detectors run in one thread, and so does an input over 1.5 GB (spilled to disk) (default: every core for an input of ${DEFAULT_THREADS_FROM.toLocaleString("en")} commands or more, else 1; see Performance)`,
      positiveInt("--threads", { max: MAX_THREADS }),
    );
}

function scoringOptions(cmd: Command): Command {
  return detectorOptions(cmd, true)
    .option("--window <k>", "length of the sliding window", positiveInt("--window"), 3)
    .option("--no-tokens", "do not pad sessions with ##START## and ##END##")
    .option("--geo-mean", "rank by the geometric mean of each window's likelihood", false)
    .option("--model <file>", "score against a saved model instead of training on the input")
    .option("--top <n>", "how many sessions to print", positiveInt("--top"), 20)
    .option("--out <file>", "write every session, ranked, as .jsonl, .json or .csv")
    .option("--report <file>", "write the HTML report");
}

const EXAMPLES_HUNT = `
Examples:
  $ seqhunt hunt audit.csv --user UserId,ClientIP --time TimeGenerated --event Operation
  $ seqhunt hunt audit.csv --params Parameters --param-mode values --out scores.jsonl
  $ seqhunt hunt today.jsonl --model baseline.json --top 50
  $ seqhunt hunt --sessions sessions.txt --window 3 --out ranked.csv
  $ seqhunt hunt --engine clickhouse --url http://127.0.0.1:8123 --table events --seq seq --top 50`;

/** --engine clickhouse reads a table: refuses --update (which adds files to a model file). */
function withoutUpdate<T extends { update?: string | undefined }>(options: T): T {
  if ("update" in options && options.update !== undefined)
    throw new SeqhuntError("--update reads files; it does not go with --engine clickhouse");
  return options;
}

/** Builds the program; `io` receives all output (tests pass their own). */
export function buildProgram(io: Io): Command {
  const program = new Command("seqhunt")
    .description("Find anomalous sessions in security logs with a Markov model of normal sessions.")
    .version(VERSION)
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
      // A usage error is printed by run() as one line with where to get help.
      outputError: () => undefined,
    })
    .exitOverride()
    .hook("preAction", (_program, command) => {
      presetCommandLine(command);
      resolveCommandLineDefaults(command);
      preflight(command);
    })
    .addHelpText(
      "after",
      `
Examples:
  $ seqhunt demo --out demo            # generate a sample log, hunt it, write scores and report
  $ seqhunt hunt audit.csv --user UserId,ClientIP --out scores.jsonl
  $ seqhunt train last-month.parquet --out baseline.json
  $ seqhunt score today.csv --model baseline.json --out scores.csv`,
    );
  addHunt(program, io);
  addScore(program, io);
  addTrain(program, io);
  addSessionize(program, io);
  addSources(program, io);
  addReport(program, io);
  addEval(program, io);
  addDemo(program, io);
  return program;
}

/** hunt and score: from ClickHouse with `--engine clickhouse`, else in process; `--source` filled in first. */
async function huntOrScore(
  files: string[],
  given: HuntOptions & EngineOptions,
  io: Io,
  command: Command,
): Promise<void> {
  const options = withSourcePreset(given, command);
  const clickhouse = await import("./clickhouse.js");
  if (clickhouse.usesClickHouse(files, options)) await clickhouse.huntClickHouse(options, io);
  else await (await import("./commands.js")).hunt(files, options, io);
}

/** `hunt`: rank sessions rarest first (in process, or pushed down to ClickHouse). */
function addHunt(program: Command, io: Io): void {
  engineOptions(
    scoringOptions(
      inputOptions(
        program
          .command("hunt")
          .argument("[files...]", "event files: CSV, TSV, JSONL, JSON, Parquet (optionally .gz)"),
      ),
    ),
    true,
  )
    .description("rank sessions rarest first: read, sessionize, train (or load --model), score")
    .addHelpText("after", EXAMPLES_HUNT)
    .action((files: string[], options: HuntOptions & EngineOptions, command: Command) =>
      huntOrScore(files, options, io, command),
    );
}

/** `score`: score against a saved model. */
function addScore(program: Command, io: Io): void {
  engineOptions(
    scoringOptions(inputOptions(program.command("score").argument("[files...]", "event files to score"))),
    true,
  )
    .description("score sessions against a saved model (--model is required)")
    .addHelpText("after", "\nExample:\n  $ seqhunt score today.csv --model baseline.json --out scores.jsonl")
    .action(async (files: string[], options: HuntOptions & EngineOptions, command: Command) => {
      if (!options.model) throw usageError("score needs --model FILE");
      await huntOrScore(files, options, io, command);
    });
}

/** `train`: train a model and save it (in process, or counted in ClickHouse). */
function addTrain(program: Command, io: Io): void {
  engineOptions(
    detectorOptions(
      inputOptions(
        program.command("train").argument("[files...]", "event files to learn normal sessions from"),
      ),
      false,
    ),
    false,
  )
    .description("train a model (the reference's counts and a detector) and save it")
    .option("--out <file>", "where to write the model (JSON; default with --update: the model updated)")
    .option(
      "--update <model>",
      "add the input to this model file (exact; refused for a detector whose statistics do not add up)",
    )
    .addHelpText(
      "after",
      "\nExample:\n  $ seqhunt train last-month.csv --user UserId,ClientIP --out baseline.json",
    )
    .action(async (files: string[], given: TrainOptions & EngineOptions, command: Command) => {
      if (given.out === undefined && given.update === undefined)
        throw usageError("train needs --out FILE (or --update MODEL)");
      const options = withSourcePreset(given, command);
      const clickhouse = await import("./clickhouse.js");
      if (clickhouse.usesClickHouse(files, options)) {
        const out = withoutUpdate(options).out;
        if (out === undefined) throw new SeqhuntError("train needs --out FILE");
        await clickhouse.trainClickHouse({ ...options, out }, io);
      } else await (await import("./commands.js")).trainCommand(files, options, io);
    });
}

/** `sessionize`: split events into sessions and write them. */
function addSessionize(program: Command, io: Io): void {
  inputOptions(program.command("sessionize").argument("<files...>", "event files"))
    .description("split events into sessions and write them")
    .option("--out <file>", "write sessions as .jsonl, .json or .csv (default: JSONL on stdout)")
    .addHelpText(
      "after",
      "\nExample:\n  $ seqhunt sessionize audit.csv --user UserId,ClientIP --out sessions.jsonl",
    )
    .action(async (files: string[], options: Parameters<typeof sessionizeCommand>[1], command: Command) => {
      await (await import("./commands.js")).sessionizeCommand(files, withSourcePreset(options, command), io);
    });
}

/** `sources`: the --source presets and the fields each reads. */
function addSources(program: Command, io: Io): void {
  program
    .command("sources")
    .description("list the --source presets: the fields each reads and why")
    .action(() => sourcesCommand(io));
}

/** `report`: the HTML report of a scores file. */
function addReport(program: Command, io: Io): void {
  program
    .command("report")
    .argument("<scores>", "scores written by hunt or score with --out (.jsonl, .json)")
    .description("write the HTML report of a scores file")
    .requiredOption("--out <file>", "where to write the report (.html)")
    .option(
      "--model <file>",
      "explain against a saved model (default: train on the file's sessions, as hunt does)",
    )
    .option(
      "--window <k>",
      "window length (default: the longest rarest window in the file)",
      positiveInt("--window"),
    )
    .option("--no-tokens", "do not pad sessions with ##START## and ##END##")
    .option("--geo-mean", "rank by the geometric mean of each window's likelihood", false)
    .option("--quiet", "print nothing but errors", false)
    .addHelpText(
      "after",
      "\nExample:\n  $ seqhunt hunt audit.csv --out scores.jsonl && seqhunt report scores.jsonl --out report.html",
    )
    .action(async (scores: string, options: Parameters<typeof reportCommand>[1]) => {
      await (await import("./report.js")).reportCommand(scores, options, io);
    });
}

/** `eval`: detection quality of a detector on labelled sessions. */
function addEval(program: Command, io: Io): void {
  program
    .command("eval")
    .description("measure detection quality: train on normal sessions, score labelled ones")
    .requiredOption(
      "--train <file>",
      'training sessions, JSONL: {"session": [...], "entity": "...", "count": N}',
    )
    .requiredOption(
      "--test <file>",
      'test sessions, JSONL: {"session": [...], "label": 0|1, "entity": "...", "count": N}',
    )
    .option("--method <name>", `detector (${[...DETECTORS.keys()].join(", ")})`, DEFAULT_METHOD)
    .option("--json", "print one JSON line", false)
    .option("--report <file>", "write the ROC curve as HTML")
    .addHelpText(
      "after",
      `
Methods:
${[...DETECTORS]
  .map(
    ([name, entry]) =>
      `  ${name.padEnd(18)} ${entry.description}${entry.mergeable ? " (merges: train --update)" : ""}`,
  )
  .join("\n")}

Example:
  $ seqhunt eval --train normal.jsonl --test labelled.jsonl --json`,
    )
    .action(async (options: Parameters<typeof evalCommand>[0]) => {
      await (await import("./eval.js")).evalCommand(options, io);
    });
}

/** `demo`: a generated log with injected attacks, hunted. */
function addDemo(program: Command, io: Io): void {
  program
    .command("demo")
    .description(
      "generate a realistic Exchange Online admin log with injected attacks, hunt it, and say where the attacks ranked",
    )
    .option("--out <dir>", "folder for the sample log, the scores and the report", "seqhunt-demo")
    .option("--seed <n>", "random seed of the generator", positiveInt("--seed"), 7)
    .option("--quiet", "print nothing but errors", false)
    .addHelpText("after", "\nExample:\n  $ seqhunt demo --out demo && open demo/report.html")
    .action(async (options: { out: string; seed: number; quiet: boolean }) => {
      await (await import("./demo.js")).demo(options, io);
    });
}

/** Runs the CLI; returns the exit code (0 ok, 1 bad input, 2 usage). */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      )
        return 0;
      const message = err.message.replace(/^error: /, "");
      const command = program.commands.find((c) => c.name() === argv[0]);
      io.err(`seqhunt: error: ${message} (see: seqhunt ${command ? `${command.name()} ` : ""}--help)`);
      return 2;
    }
    if (err instanceof SeqhuntError) {
      io.err(`seqhunt: error: ${err.message}`);
      return 1;
    }
    // A bug, not bad input: one line (no stack trace) that says so.
    io.err(
      `seqhunt: internal error: ${err instanceof Error ? err.message : String(err)} (this is a bug in seqhunt: please report it with the command line)`,
    );
    return 1;
  }
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) {
  const io: Io = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };
  // An error outside run()'s chain (a stream's late failure) still ends the run with one line and exit 1.
  const crash = (err: unknown) => {
    process.stderr.write(`seqhunt: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  // A reader that stops early (`seqhunt ... | head`) closes the pipe: that ends the output, it is no error.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    crash(err);
  });
  run(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
