import type { Command as Program } from "commander";
import { InvalidArgumentError } from "commander";
import { SeqhuntError } from "../errors.js";
import { trustedCmd } from "../model/cmd.js";
import { shapeValue } from "../parse/shapes.js";
import { shellCommand } from "../parse/shell.js";
import { timeFormatParser } from "../parse/time.js";
import type { ParamMode } from "../presets/params.js";
import type { Command } from "../types.js";

/** The input options of shell command lines, value shapes and time formats. */
export interface CommandLineOptions {
  /** Column holding whole shell command lines (`--command-line`), read instead of `--event`/`--params`. */
  commandLine?: string;
  /** Replace values of known shapes by placeholders (`--shapes`; default on with `--command-line`, else off). */
  shapes?: "on" | "off";
  /** A strftime-like format of the time column (`--time-format`). */
  timeFormat?: string;
}

/** A Cmd's parameter values with known shapes replaced by placeholders; names and plain commands as they are. */
function shapeParams(command: Command): Command {
  if (typeof command === "string" || command.params instanceof Set) return command;
  const params: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(command.params))
    Object.defineProperty(params, name, {
      value: value === null ? null : shapeValue(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return trustedCmd(command.name, params);
}

/** A whole command line as the command `--param-mode` asks for: the name alone, with parameter names, or values. */
function lineCommand(mode: ParamMode, shapes: boolean): (command: Command) => Command {
  return (command) => {
    const line = typeof command === "string" ? command : command.name;
    const { name, params } = shellCommand(line, { shapes });
    if (mode === "none") return name;
    return trustedCmd(name, mode === "names" ? new Set(Object.keys(params)) : params);
  };
}

/** How the reader remakes each command for these options, or undefined when it keeps them as read. */
export function commandTransform(
  options: CommandLineOptions & { paramMode: ParamMode },
): ((command: Command) => Command) | undefined {
  const shapes = options.shapes === "on";
  if (options.commandLine !== undefined) return lineCommand(options.paramMode, shapes);
  return shapes && options.paramMode === "values" ? shapeParams : undefined;
}

/** Adds `--command-line`, `--shapes` and `--time-format` to a data command. */
export function commandLineOptions(cmd: Program): Program {
  return cmd
    .option(
      "--command-line <col>",
      "column of whole shell command lines: split with shell quoting into program, subcommand and flags (the command) and arguments (parameters); replaces --event and --params",
    )
    .option(
      "--shapes <on|off>",
      "replace GUIDs, SIDs, hashes, IPs, user names in profile paths, temp file names and long numbers in parameter values by placeholders (default: on with --command-line, else off)",
      (value: string) => {
        if (value !== "on" && value !== "off")
          throw new InvalidArgumentError(`--shapes takes on or off, got ${JSON.stringify(value)}`);
        return value;
      },
    )
    .option(
      "--time-format <fmt>",
      "strftime-like format of the time column, e.g. '%d/%m/%Y %H:%M:%S' (%Y %y %m %d %e %j %H %I %M %S %f %p %z %b %B %a %s %T %F %D %R %%)",
      (value: string) => {
        try {
          timeFormatParser(value);
        } catch (err) {
          throw new InvalidArgumentError(err instanceof SeqhuntError ? err.message : String(err));
        }
        return value;
      },
    );
}

/**
 * Fills in the defaults that depend on other options, before the action runs: `--command-line` models
 * parameter values (unless `--param-mode` is given) with shapes on (unless `--shapes` is given).
 */
export function resolveCommandLineDefaults(action: Program): void {
  const options = action.opts<CommandLineOptions & { engine?: string; params?: string }>();
  if (
    options.engine === "clickhouse" &&
    (options.commandLine ?? options.shapes ?? options.timeFormat) !== undefined
  )
    throw new SeqhuntError(
      "--command-line, --shapes and --time-format work on files; --engine clickhouse reads flat columns as they are",
    );
  if (options.commandLine === undefined) return;
  if (options.params !== undefined)
    throw new SeqhuntError("--command-line holds the parameters itself; it does not go with --params");
  if (action.getOptionValueSource("paramMode") === "default") action.setOptionValue("paramMode", "values");
  if (options.shapes === undefined) action.setOptionValue("shapes", "on");
}
