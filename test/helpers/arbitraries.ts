import fc from "fast-check";
import { Cmd } from "../../src/index.js";
import type { Command } from "../../src/types.js";

/** Command names, including ones that are JavaScript object keys. */
export const commandName = fc.constantFrom(
  "a",
  "b",
  "c",
  "d",
  "Set-User",
  "__proto__",
  "constructor",
  "ünï",
  "rm -rf /",
);
const paramName = fc.constantFrom("x", "y", "z", "Identity", "__proto__", "toString");
const value = fc.constantFrom("1", "2", "3", "", "bob", "__proto__");

const session = <T>(cmd: fc.Arbitrary<T>) => fc.array(cmd, { minLength: 1, maxLength: 9 });
const sessions = <T>(cmd: fc.Arbitrary<T>) => fc.array(session(cmd), { minLength: 1, maxLength: 8 });

/** A command of each session type. */
export const commandOf = {
  cmds_only: commandName as fc.Arbitrary<Command>,
  cmds_params_only: fc
    .tuple(commandName, fc.uniqueArray(paramName, { maxLength: 3 }))
    .map(([n, ps]) => new Cmd(n, new Set(ps)) as Command),
  cmds_params_values: fc
    .tuple(commandName, fc.uniqueArray(fc.tuple(paramName, value), { maxLength: 3, selector: ([p]) => p }))
    .map(([n, pairs]) => new Cmd(n, Object.fromEntries(pairs)) as Command),
};

/** Training sessions of one type, with the type's name. */
export const typedSessions = fc.oneof(
  ...(Object.keys(commandOf) as (keyof typeof commandOf)[]).map((type) =>
    sessions(commandOf[type]).map((s) => ({ type, sessions: s })),
  ),
);

/** Sessions of plain commands. */
export const plainSessions = sessions(commandName);
