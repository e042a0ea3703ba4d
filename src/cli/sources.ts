import type { Command } from "commander";
import { SOURCE_PRESETS, sourcePreset } from "../presets/presets.js";
import type { Io } from "./commands.js";
import type { InputOptions } from "./sessions.js";

/** The input options with `--source`'s preset filled in where no flag was given on the command line. */
export function withSourcePreset<T extends InputOptions>(options: T, command: Command): T {
  const preset = options.source === undefined ? undefined : sourcePreset(options.source);
  if (preset === undefined) return options;
  const given = (flag: string) => command.getOptionValueSource(flag) === "cli";
  const fields = {
    ...options,
    user: given("user") ? options.user : [...preset.identity],
    time: given("time") ? options.time : preset.time,
    maxGap: given("maxGap") || preset.sessions === undefined ? options.maxGap : preset.sessions.maxGap,
    maxDuration:
      given("maxDuration") || preset.sessions === undefined
        ? options.maxDuration
        : preset.sessions.maxDuration,
    ...(preset.fold === undefined ? {} : { fold: preset.fold }),
  };
  // A preset of command lines set --command-line already (presetCommandLine): no event or params fields.
  if (options.commandLine !== undefined) return fields;
  return {
    ...fields,
    event: given("event") ? options.event : preset.event.join(","),
    params: given("params") ? options.params : preset.params,
    paramsFormat: given("paramsFormat") ? options.paramsFormat : preset.paramsFormat,
  };
}

/**
 * Gives `--command-line` the field of a `--source` preset of command lines (shell-history) unless
 * `--command-line` or `--event` is on the command line; runs before the defaults that follow from it.
 */
export function presetCommandLine(command: Command): void {
  const source = command.opts<{ source?: string }>().source;
  const preset = source === undefined ? undefined : sourcePreset(source);
  if (preset?.commandLine === undefined) return;
  if (
    command.getOptionValueSource("commandLine") === "cli" ||
    command.getOptionValueSource("event") === "cli"
  )
    return;
  command.setOptionValue("commandLine", preset.commandLine);
}

/** A flag's value as typed in a shell: quoted when it holds `|` (alternatives) or another special character. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value}'`;
}

/** `seqhunt sources`: every preset with its settings, the flags it stands for and why. */
export function sourcesCommand(io: Io): void {
  for (const p of Object.values(SOURCE_PRESETS)) {
    io.out(`${p.name}: ${p.product}`);
    const user = `--user ${shellWord(p.identity.join(","))} --time ${p.time}`;
    if (p.commandLine !== undefined) io.out(`  ${user} --command-line ${p.commandLine}`);
    else {
      io.out(`  ${user} --event ${shellWord(p.event.join(","))}`);
      io.out(
        `  --params ${p.params} --params-format ${p.paramsFormat} (used with --param-mode names|values)`,
      );
    }
    if (p.sessions !== undefined)
      io.out(
        `  --max-gap ${p.sessions.maxGap} --max-duration ${p.sessions.maxDuration} (a session lasts longer)`,
      );
    const order = p.fold?.order;
    if (p.fold !== undefined)
      io.out(
        `  one event per ${p.fold.key}: ${order === undefined ? "the first record of each (copies left out)" : `the record whose ${order.by} comes first of ${order.prefer.join(", ")}`}`,
      );
    io.out(`  why: ${p.why}`);
    io.out("");
  }
  io.out(
    "Explicit flags override a preset's, e.g. seqhunt hunt logs/ --source cloudtrail --user userIdentity.principalId",
  );
}
