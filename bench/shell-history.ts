// npm run shell-quality: how high planted attack sessions rank in generated shell history with each way
// of turning a command line into a command, and whether value shapes help on shell history and on the
// demo's Exchange parameter values. Prints one table per data set.
import { generateExchangeLog } from "../src/demo/generate.js";
import { generateShellHistory, type PlantedRanking, rankShellHistory } from "../src/demo/shell-history.js";
import { evaluate } from "../src/eval/metrics.js";
import { Cmd } from "../src/model/cmd.js";
import { shapeValue } from "../src/parse/shapes.js";
import { shellCommand } from "../src/parse/shell.js";
import type { Command } from "../src/types.js";

/** The planted sessions' ranks, and figures of the whole ranking, for one way of making commands. */
function measure(ranking: PlantedRanking) {
  const { sessions, rarity, labels, ranks } = ranking;
  const values = new Set(
    sessions
      .flat()
      .flatMap((c) => (typeof c === "string" || c.params instanceof Set ? [] : Object.values(c.params))),
  );
  const metrics = evaluate(
    rarity.map((r) => -r),
    labels,
  );
  return {
    ranks,
    sessions: sessions.length,
    vocabulary: new Set(sessions.flat().map(nameOf)).size,
    values: values.size,
    metrics,
  };
}

const nameOf = (c: Command) => (typeof c === "string" ? c : c.name);

function report(title: string, variants: readonly [string, () => ReturnType<typeof measure>][]): void {
  console.log(`\n${title}`);
  console.log(
    "| variant | sessions | distinct commands | distinct values | planted in top N | top 20 | worst planted rank | ROC AUC | PR AUC |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, run] of variants) {
    const { ranks, sessions, vocabulary, values, metrics } = run();
    const n = ranks.length;
    console.log(
      `| ${name} | ${sessions} | ${vocabulary} | ${values} | ${ranks.filter((r) => r <= n).length}/${n} | ${ranks.filter((r) => r <= 20).length}/${n} | ${ranks[n - 1]} | ${metrics.auc.toFixed(3)} | ${metrics.prAuc.toFixed(3)} |`,
    );
  }
}

function shell(seed: number): void {
  const history = generateShellHistory({ seed });
  const as = (command: (line: string) => Command) => () => measure(rankShellHistory(history, command));
  const parsed = (shapes: boolean, mode: "names" | "values") => (line: string) => {
    const c = shellCommand(line, { shapes });
    return new Cmd(c.name, mode === "names" ? new Set(Object.keys(c.params)) : c.params);
  };
  report(
    `shell history, seed ${seed}: ${history.rows.length} lines, ${history.attacks.length} planted sessions`,
    [
      ["whole line (naive)", as((line) => line)],
      ["whole line, shaped", as((line) => shapeValue(line))],
      ["program only", as((line) => line.trim().split(/\s+/)[0] ?? "")],
      ["--command-line, commands only", as((line) => shellCommand(line, { shapes: false }).name)],
      ["--command-line, param names", as(parsed(false, "names"))],
      ["--command-line, param values", as(parsed(false, "values"))],
      ["--command-line, param values, shapes", as(parsed(true, "values"))],
    ],
  );
}

function exchange(seed: number): void {
  const { events, attacks } = generateExchangeLog({ seed });
  // The Exchange log as a history: identity user|IP, each event's parameters made a Cmd.
  const history = {
    rows: events.map((e) => ({
      user: `${e.UserId}|${e.ClientIP}`,
      host: "",
      time: e.TimeGenerated,
      command_line: `${e.Operation}\n${e.Parameters}`,
    })),
    attacks: attacks.map((a) => ({
      user: `${a.UserId}|${a.ClientIP}`,
      start: new Date(a.start).toISOString(),
      description: a.description,
    })),
  };
  const as = (shapes: boolean) => () =>
    measure(
      rankShellHistory(history, (line) => {
        const [operation = "", json = "[]"] = line.split("\n");
        const params: Record<string, string | null> = {};
        for (const { Name, Value } of JSON.parse(json) as { Name: string; Value: string }[])
          params[Name] = shapes ? shapeValue(Value) : Value;
        return new Cmd(operation, params);
      }),
    );
  report(`demo Exchange log, seed ${seed}: ${events.length} events, ${attacks.length} planted sessions`, [
    ["param values", as(false)],
    ["param values, shapes", as(true)],
  ]);
}

for (const seed of [1, 2, 3]) shell(seed);
for (const seed of [1, 2]) exchange(seed);
