import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Command, CommanderError } from "commander";
import { SeqhuntError } from "../errors.js";

/** Output options of each command and the extensions each takes (null: any). */
const OUTPUTS: Record<string, readonly (readonly [option: string, extensions: readonly string[] | null])[]> =
  {
    hunt: [
      ["out", [".jsonl", ".ndjson", ".json", ".csv"]],
      ["report", [".html", ".htm"]],
    ],
    score: [
      ["out", [".jsonl", ".ndjson", ".json", ".csv"]],
      ["report", [".html", ".htm"]],
    ],
    sessionize: [["out", [".jsonl", ".ndjson", ".json", ".csv"]]],
    train: [["out", null]],
    report: [["out", [".html", ".htm"]]],
    eval: [["report", [".html", ".htm"]]],
  };

/** A usage error: exit code 2, one line. */
export function usageError(message: string): CommanderError {
  return new CommanderError(2, "seqhunt.usage", message);
}

/** Checks that `path` can be written: a known extension, an existing writable folder, not a folder itself. */
function checkOutput(option: string, path: string, extensions: readonly string[] | null): void {
  const name = path.toLowerCase();
  if (extensions !== null && !extensions.some((e) => name.endsWith(e)))
    throw usageError(
      `--${option} ${path}: the format comes from the extension: use ${extensions.join(", ")}`,
    );
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new SeqhuntError(`${path}: cannot write: the folder ${folder} does not exist`, { file: path });
  if (existsSync(path) && statSync(path).isDirectory())
    throw new SeqhuntError(`${path}: cannot write: it is a folder`, { file: path });
  try {
    // The output is written beside itself, then renamed: the folder must take a new file.
    accessSync(folder, constants.W_OK);
  } catch {
    throw new SeqhuntError(`${path}: cannot write: the folder ${folder} is not writable`, { file: path });
  }
}

/**
 * Runs before a command's action, before any input is read: output paths are checked (extension, folder),
 * and `--params` without `--param-mode` implies `--param-mode values` (noted in `impliedParamMode`).
 */
export function preflight(command: Command): void {
  const options = command.opts();
  for (const [option, extensions] of OUTPUTS[command.name()] ?? []) {
    const path = options[option];
    if (typeof path === "string") checkOutput(option, path, extensions);
  }
  if (typeof options.params === "string" && command.getOptionValueSource("paramMode") === "default") {
    command.setOptionValue("paramMode", "values");
    command.setOptionValue("impliedParamMode", true);
  }
}
