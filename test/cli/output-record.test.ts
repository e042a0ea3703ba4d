// outputRecord builds each session's record in place: the same JSON, key for key and in the same order,
// as the list of entries made into an object it replaced, whatever the identity columns and extra fields
// are called (`__proto__`, names of score fields, integer-like names, repeats).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { outputRecord, type RankedSession } from "../../src/cli/rank.js";
import { csvCell, csvValueOf, jsonLine } from "../../src/io/write.js";
import { Cmd } from "../../src/model/cmd.js";

/** The former construction: entries in order, later names taking earlier places, fields filling the rest. */
function fromEntries(ranked: RankedSession, identityColumns: readonly string[], reason: string | null) {
  const { session, score } = ranked;
  const iso = (micros: number | null) =>
    micros === null ? null : new Date(Math.floor(micros / 1000)).toISOString();
  const noWindow = score.rarestWindowStart === null;
  const entries: [string, unknown][] = identityColumns.map((c, i) => [c, session.identity[i] ?? null]);
  entries.push(
    ["start", iso(session.start)],
    ["end", iso(session.end)],
    ["length", session.commands.length],
    ["session", session.commands],
    ["rarestWindow", score.rarestWindow],
    ["rarestWindowStart", score.rarestWindowStart],
    ["rarestWindowLikelihood", noWindow ? null : score.rarestWindowLikelihood],
    ["rarestWindowLogLikelihood", noWindow ? null : score.rarestWindowLogLikelihood],
    ["likelihood", score.likelihood],
    ["logLikelihood", score.logLikelihood],
    ["rank", ranked.rank],
  );
  if (ranked.method) {
    const { name, score: methodScore, percentile } = ranked.method;
    const number = (x: number) => (Number.isNaN(x) ? null : x);
    entries.push(["score", number(methodScore)], ["percentile", number(percentile)], ["method", name]);
  }
  if (reason !== null) entries.push(["reason", reason]);
  for (const [k, v] of Object.entries(session.fields))
    if (!entries.some(([e]) => e === k)) entries.push([k, v]);
  return Object.fromEntries(entries);
}

const name = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "start",
    "rank",
    "reason",
    "score",
    "session",
    "0",
    "7",
    "UserId",
    "constructor",
  ),
  fc.string({ maxLength: 6 }),
);
const number = fc.oneof(fc.double(), fc.constant(Number.NaN));
const command = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.constant(new Cmd("Set-User", { Identity: "x", Force: null })),
);

const ranked = fc.record({
  identity: fc.array(fc.option(fc.oneof(fc.string({ maxLength: 5 }), fc.constant('"session":0,"x'))), {
    maxLength: 4,
  }),
  columns: fc.array(name, { maxLength: 4 }),
  start: fc.option(fc.integer({ min: 0, max: 4e15 })),
  commands: fc.array(command, { minLength: 1, maxLength: 4 }),
  fields: fc.array(fc.tuple(name, fc.jsonValue()), { maxLength: 4 }),
  window: fc.option(fc.nat(3)),
  method: fc.option(fc.record({ name: fc.string(), score: number, percentile: number })),
  reason: fc.option(fc.string({ maxLength: 8 })),
  rank: fc.nat(),
  likelihood: number,
});

describe("outputRecord", () => {
  it("writes the JSON the entries-based record wrote, for any column and field names", () => {
    fc.assert(
      fc.property(ranked, (x) => {
        const fields: Record<string, unknown> = {};
        for (const [k, v] of x.fields)
          Object.defineProperty(fields, k, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        const session = {
          identity: x.identity,
          start: x.start,
          end: x.start === null ? null : x.start + 5e6,
          commands: x.commands,
          fields,
        };
        const score = {
          likelihood: x.likelihood,
          logLikelihood: Math.log(x.likelihood),
          rarestWindow: x.window === null ? [] : x.commands.slice(x.window, x.window + 2),
          rarestWindowStart: x.window,
          rarestWindowLikelihood: x.likelihood,
          rarestWindowLogLikelihood: -x.likelihood,
        };
        const r: RankedSession = {
          session,
          score,
          rank: x.rank,
          index: 0,
          ...(x.method === null ? {} : { method: x.method }),
        };
        const made = outputRecord(r, x.columns, x.reason);
        const expected = fromEntries(r, x.columns, x.reason);
        expect(JSON.stringify(made)).toBe(JSON.stringify(expected));
        expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
        // The session's JSON made beforehand: the same line (a column may be named "session", values may
        // hold "session":0 as text).
        const prepared = outputRecord(r, x.columns, x.reason, JSON.stringify(x.commands));
        expect(jsonLine(prepared)).toBe(JSON.stringify(expected));
        const columns = Object.keys(expected);
        expect(columns.map((c) => csvCell(csvValueOf(prepared, c)))).toEqual(
          columns.map((c) => csvCell(expected[c])),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("keeps a column named __proto__ as a field, not as the record's prototype", () => {
    const session = { identity: ["alice"], start: null, end: null, commands: ["a"], fields: {} };
    const score = {
      likelihood: 1,
      logLikelihood: 0,
      rarestWindow: [],
      rarestWindowStart: null,
      rarestWindowLikelihood: Number.NaN,
      rarestWindowLogLikelihood: Number.NaN,
    };
    const made = outputRecord({ session, score, rank: 1, index: 0 }, ["__proto__"], null);
    expect(JSON.parse(JSON.stringify(made))).toMatchObject({ ["__proto__"]: "alice", rank: 1 });
    expect(Object.keys(made)[0]).toBe("__proto__");
  });
});
