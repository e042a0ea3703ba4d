// RawCounts.add: pairs counted densely (positive weights, small vocabularies) equal pairs counted in the
// hash tables, and a zero weight still makes an entry.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cmd } from "../../src/model/cmd.js";
import { RawCounts } from "../../src/model/counts.js";
import { encodeSessions, internResolver } from "../../src/model/encode.js";
import type { Session, SessionTypeName } from "../../src/types.js";
import { pairTriples } from "../helpers/pair-triples.js";

function counted(sessions: Session[], weights?: number[], type: SessionTypeName = "cmds_only"): RawCounts {
  const counts = new RawCounts();
  const encoded = encodeSessions(
    sessions,
    type,
    internResolver(counts.commands, counts.params, counts.values),
  );
  counts.add(encoded, weights);
  return counts;
}

const triples = (counts: RawCounts) => pairTriples(counts.seq2);

describe("RawCounts.add", () => {
  it("counts the same pairs with weights of one as without weights", () => {
    const session = fc.array(fc.constantFrom("a", "b", "c", "__proto__"), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(session, { minLength: 1, maxLength: 20 }), (sessions) => {
        const ones = sessions.map(() => 1);
        // One zero weight sends every pair to the hash table: the same counts must come out.
        const withZero = counted([...sessions, ["z"]], [...ones, 0]);
        const plain = counted(sessions);
        expect(triples(withZero).filter(([, , n]) => n !== 0)).toEqual(triples(plain));
        expect(triples(counted(sessions, ones))).toEqual(triples(plain));
      }),
    );
  });

  it("counts a pair, a parameter and a value past 2^16 times in whole numbers as weights of one do", () => {
    const cmd = new Cmd("Set-User", { Identity: "a" });
    const sessions: Session[] = Array.from({ length: 70_000 }, () => [cmd, cmd]);
    const whole = counted(sessions, undefined, "cmds_params_values");
    const weighted = counted(
      sessions,
      sessions.map(() => 1),
      "cmds_params_values",
    );
    expect(triples(whole)).toEqual(triples(weighted));
    expect(pairTriples(whole.cmdParam)).toEqual(pairTriples(weighted.cmdParam));
    expect(pairTriples(whole.paramValue)).toEqual(pairTriples(weighted.paramValue));
    expect(whole.seq2.get(3, 3)).toBe(70_000);
    expect(whole.cmdParam.get(3, 1)).toBe(140_000);
  });

  it("counts thousands of distinct pairs densely as the hash table does (the table grows once, up front)", () => {
    // 600 commands in a shuffled chain: 600 x 600 cells are counted densely, and the 1,200 pairs outgrow the
    // table's first 1,024 slots when the dense counts are flushed into it.
    const names = Array.from({ length: 600 }, (_, i) => `c${(i * 7919) % 600}`);
    const sessions = [names, names.slice(300), [...names].reverse()];
    const dense = counted(sessions);
    const hashed = counted([...sessions, ["z"]], [1, 1, 1, 0]);
    expect(dense.seq2.size).toBeGreaterThan(1024);
    expect(triples(hashed).filter(([, , n]) => n !== 0)).toEqual(triples(dense));
  });

  it("makes an entry for a pair seen only with weight zero", () => {
    const counts = counted([["a", "b"], ["c"]], [2, 0]);
    const c = counts.commands.lookup("c", -1);
    expect(counts.seq2.has(0, c)).toBe(true);
    expect(counts.seq2.get(0, c)).toBe(0);
  });
});
