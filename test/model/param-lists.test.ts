// Parameter lists: the encoding names each command's parameter list, counting adds each list once per use,
// and the per-session parameter terms are worked out once per list. All of it must give what working
// per command gives, to the last bit.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cmd } from "../../src/model/cmd.js";
import { RawCounts } from "../../src/model/counts.js";
import {
  type EncodedSessions,
  encodeSessions,
  internResolver,
  type ParamLists,
} from "../../src/model/encode.js";
import { LogProbabilities } from "../../src/model/likelihood.js";
import { modellableParamIds } from "../../src/model/modellable.js";
import { SmoothedCounts } from "../../src/model/smoothing.js";
import type { Session, SessionTypeName } from "../../src/types.js";
import { paramIdsOf } from "../helpers/encoded.js";
import { pairTriples } from "../helpers/pair-triples.js";

const name = fc.constantFrom("A", "B", "C");
const params = fc.uniqueArray(fc.constantFrom("x", "y", "z", "__proto__"), { maxLength: 3 });
const named = fc.tuple(name, params).map(([n, ps]) => new Cmd(n, new Set(ps)));
const valued = fc
  .tuple(name, params, fc.array(fc.constantFrom("v", "w", null), { minLength: 3, maxLength: 3 }))
  .map(([n, ps, vs]) => new Cmd(n, Object.fromEntries(ps.map((p, i) => [p, vs[i] ?? null]))));
const sessionsOf = (cmd: fc.Arbitrary<Cmd>) =>
  fc.array(fc.array(cmd, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });

function encoded(
  sessions: Session[],
  type: SessionTypeName,
): { counts: RawCounts; encoded: EncodedSessions } {
  const counts = new RawCounts();
  return {
    counts,
    encoded: encodeSessions(sessions, type, internResolver(counts.commands, counts.params, counts.values)),
  };
}

/** The sessions' type, from their first command (every generated session is of one type). */
const typeOf = (sessions: Cmd[][]): SessionTypeName =>
  (sessions[0] as Cmd[])[0]?.params instanceof Set ? "cmds_params_only" : "cmds_params_values";

const pairs = (counts: RawCounts) => pairTriples(counts.cmdParam);

describe("parameter lists", () => {
  it("name one command each, and are new only when its list changed", () => {
    fc.assert(
      fc.property(fc.oneof(sessionsOf(named), sessionsOf(valued)), (sessions) => {
        const { encoded: e } = encoded(sessions, typeOf(sessions));
        const ids = e.paramLists as Int32Array;
        const lists = e.lists as ParamLists;
        const previous = new Map<number, number>();
        for (let i = 0; i < ids.length; i++) {
          const list = ids[i] as number;
          expect(lists.command[list]).toBe(e.commands[i]);
          const before = previous.get(e.commands[i] as number);
          const same = before !== undefined && paramIdsOf(e, before).join() === paramIdsOf(e, i).join();
          // Lists are numbered in order of first use.
          expect(list).toBe(same ? ids[before] : Math.max(-1, ...ids.subarray(0, i)) + 1);
          previous.set(e.commands[i] as number, i);
        }
      }),
    );
  });

  it("are shared by a command's records that list the same names", () => {
    const same = () => new Cmd("Set-User", { Identity: "a", Force: null });
    const { encoded: e } = encoded(
      [
        [same(), same()],
        [same(), new Cmd("Get-User", {}), same()],
      ],
      "cmds_params_values",
    );
    expect(Array.from(e.paramLists as Int32Array)).toEqual([0, 0, 0, 1, 0]);
  });

  it("count parameters as counting each command does", () => {
    fc.assert(
      fc.property(fc.oneof(sessionsOf(named), sessionsOf(valued)), (sessions) => {
        const type = typeOf(sessions);
        const byList = encoded(sessions, type);
        byList.counts.add(byList.encoded);
        // Weights make every command count its own parameters.
        const byCommand = encoded(sessions, type);
        byCommand.counts.add(
          byCommand.encoded,
          sessions.map(() => 1),
        );
        expect(pairs(byList.counts)).toEqual(pairs(byCommand.counts));
        expect(byList.counts.param).toEqual(byCommand.counts.param);
        expect(byList.counts.value).toEqual(byCommand.counts.value);
      }),
    );
  });

  it("give each command the parameter term worked out for it alone, once per list without modelled values", () => {
    fc.assert(
      fc.property(fc.oneof(sessionsOf(named), sessionsOf(valued)), (sessions) => {
        const type = typeOf(sessions);
        const { counts, encoded: e } = encoded(sessions, type);
        counts.add(e);
        const logs = new LogProbabilities(
          new SmoothedCounts(counts),
          type === "cmds_params_values" ? modellableParamIds(counts) : [],
        );
        const n = e.commands.length;
        const alone = new Float64Array(n);
        for (let i = 0; i < n; i++) alone[i] = logs.logParamTerm(e, i, true);
        const memo = new Float64Array((e.lists as ParamLists).command.length).fill(Number.NaN);
        const terms = new Float64Array(n);
        logs.paramTerms(e, 0, n, true, terms, memo);
        expect(Array.from(terms)).toEqual(Array.from(alone));
        // Again from the memo alone where it has the list's term.
        logs.paramTerms(e, 0, n, true, terms, memo);
        expect(Array.from(terms)).toEqual(Array.from(alone));
        if (type === "cmds_params_only")
          for (let i = 0; i < n; i++)
            if (paramIdsOf(e, i).length > 0)
              expect(memo[(e.paramLists as Int32Array)[i] as number]).toBe(alone[i]);
      }),
    );
  });
});
