// The training encoding against a plain one written here: every name interned as it comes, each value
// looked up in a list of its parameter's values, held back once the parameter has shown more than 20.
// The encoder's shortcuts (names compared with the command's last list, values hashed per parameter,
// parameters stored once per list) must give the same ids.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cmd, valueKey } from "../../src/model/cmd.js";
import { RawCounts } from "../../src/model/counts.js";
import {
  DEFERRED_ID,
  type EncodedSessions,
  encodeSessions,
  internResolver,
  MODELLABLE_DISTINCT,
  NO_ID,
} from "../../src/model/encode.js";
import type { Session, SessionTypeName } from "../../src/types.js";
import { paramIdsOf, valueIdsOf } from "../helpers/encoded.js";

/** Per command: its name, and its parameters' names and values, as ids (the plain way, or read back). */
interface Step {
  command: number;
  params: number[];
  values: number[];
}

function plainEncoding(sessions: Cmd[][], withValues: boolean) {
  const counts = new RawCounts();
  const seen: (string[] | null)[] = [];
  const deferred: [number, string][] = [];
  const steps: Step[] = [];
  for (const session of sessions) {
    for (const cmd of session) {
      const command = counts.commands.intern(cmd.name);
      const record = cmd.params instanceof Set ? null : (cmd.params as Record<string, unknown>);
      const names = record === null ? [...(cmd.params as Set<string>)] : Object.keys(record);
      const step: Step = { command, params: [], values: [] };
      for (const name of names) {
        const p = counts.params.intern(name);
        step.params.push(p);
        if (!withValues) continue;
        const value = record === null ? null : valueKey(record[name]);
        if (value === null) {
          step.values.push(NO_ID);
          continue;
        }
        const known = seen[p] === undefined ? [] : seen[p];
        seen[p] = known;
        if (known === null) {
          deferred.push([p, value]);
          step.values.push(DEFERRED_ID);
          continue;
        }
        if (!known.includes(value)) known.push(value);
        step.values.push(counts.values.intern(value));
        if (known.length > MODELLABLE_DISTINCT) seen[p] = null;
      }
      steps.push(step);
    }
  }
  return { counts, deferred, steps };
}

/** The encoder's steps, read back through its parameter lists. */
function stepsOf(e: EncodedSessions): Step[] {
  return Array.from(e.commands, (command, i) => ({
    command,
    params: paramIdsOf(e, i),
    values: valueIdsOf(e, i),
  }));
}

const commandName = fc.constantFrom("A", "B", "C", "__proto__");
const paramNames = fc.uniqueArray(fc.constantFrom("x", "y", "z", "w", "constructor"), { maxLength: 4 });
// Enough distinct values that some parameters pass 20 and are held back; falsy ones are never counted.
const value = fc.oneof(
  fc.noBias(fc.integer({ min: 0, max: 30 })).map((n) => `v${n}`),
  fc.constantFrom(null, "", 0, 1, 1.5, true, false),
);
const named = fc.tuple(commandName, paramNames).map(([n, ps]) => new Cmd(n, new Set(ps)));
const valued = fc
  .tuple(commandName, paramNames, fc.array(value, { minLength: 4, maxLength: 4 }))
  .map(([n, ps, vs]) => new Cmd(n, Object.fromEntries(ps.map((p, i) => [p, vs[i] as string | null]))));
const sessionsOf = (cmd: fc.Arbitrary<Cmd>) =>
  fc.array(fc.array(cmd, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 40 });

describe("the training encoding", () => {
  it.each([
    ["parameter names", named, "cmds_params_only"],
    ["parameter values", valued, "cmds_params_values"],
  ] as const)(
    "gives %s the ids a plain interning gives, holding back the same values",
    (_kind, cmd, type) => {
      fc.assert(
        fc.property(sessionsOf(cmd), (sessions) => {
          const withValues = type === "cmds_params_values";
          const expected = plainEncoding(sessions, withValues);
          const counts = new RawCounts();
          const deferred: [number, string][] = [];
          const e = encodeSessions(
            sessions as Session[],
            type as SessionTypeName,
            internResolver(counts.commands, counts.params, counts.values, (p, v) => {
              deferred.push([p, v]);
            }),
          );
          expect(stepsOf(e)).toEqual(expected.steps);
          expect(deferred).toEqual(expected.deferred);
          for (const vocab of ["commands", "params", "values"] as const)
            expect(counts[vocab].list()).toEqual(expected.counts[vocab].list());
        }),
        { numRuns: 300 },
      );
    },
  );
});
