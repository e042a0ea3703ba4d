// The scoring loops' dense table of log transition probabilities holds, for every pair of command ids,
// the log of the reference's transProbs entry (with its ##UNK## fallbacks), also where training data name
// the tokens themselves: a command called ##START## makes pairs into START, one called ##UNK## the UNK column.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logTablesOf } from "../../src/model/engine-access.js";
import { Model } from "../../src/model/model.js";

const names = fc.constantFrom("A", "B", "C", "##START##", "##END##", "##UNK##", "__proto__");
const sessions = fc.array(fc.array(names, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });

describe("log transition table", () => {
  it("is the log of transProbs for every pair of commands, token names included", () => {
    fc.assert(
      fc.property(sessions, (list) => {
        const model = new Model(list);
        model.train();
        const logs = logTablesOf(model);
        const commands = logs.smoothed.raw.commands;
        const trans = model.transProbs;
        if (trans === null) throw new Error("trained model without transProbs");
        let compared = 0;
        for (let a = 0; a < logs.commandCount; a++) {
          const row = trans.get(commands.name(a));
          for (let b = 0; b < logs.commandCount; b++) {
            // Where the reference has no entry (an END row of END as a command) its lookup fails: nothing to match.
            const p = row?.get(commands.name(b));
            if (p === undefined) continue;
            expect(logs.logTrans(a, b)).toBe(Math.log(p));
            compared++;
          }
        }
        expect(compared).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
