// Saving and loading models: the round trip scores identically; damaged or foreign files are refused clearly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Model, SeqhuntError } from "../../src/index.js";
import { typedSessions } from "../helpers/arbitraries.js";

const reload = (m: Model) => Model.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));

describe("toJSON / fromJSON", () => {
  it("round-trips to a model that scores exactly like the original", () => {
    fc.assert(
      fc.property(typedSessions, ({ sessions }) => {
        const m = new Model(sessions);
        m.train();
        const back = reload(m);
        expect(back.sessionType).toBe(m.sessionType);
        expect(back.modellableParams).toEqual(m.modellableParams);
        expect(back.score(sessions, { windowLength: 2 })).toEqual(m.score(sessions, { windowLength: 2 }));
        expect(back.transProbs?.toJSON()).toEqual(m.transProbs?.toJSON());
      }),
    );
  });

  it("writes a compact, versioned file of ids", () => {
    const m = new Model([["Set-User", "Set-User", "Set-Mailbox"]]);
    m.train();
    const file = m.toJSON();
    expect(file).toMatchObject({
      format: "seqhunt-model",
      version: 1,
      sessionType: "cmds_only",
      sessionCount: 1,
    });
    expect(file.commands).toEqual(["##START##", "##END##", "##UNK##", "Set-User", "Set-Mailbox"]);
    expect(file.seq2).toEqual([0, 3, 1, 3, 3, 1, 3, 4, 1, 4, 1, 1]);
  });

  const good = () => {
    const m = new Model([["a", "b"]]);
    m.train();
    return m.toJSON() as unknown as Record<string, unknown>;
  };
  it.each([
    ["null", null, /expected a JSON object, got null/],
    ["a number", 42, /got number/],
    ["another format", { format: "something-else" }, /"format" is "something-else"/],
    ["a newer version", { ...good(), version: 3 }, /version 3 is not supported/],
    [
      "a version 2 file without its reference model",
      { ...good(), version: 2 },
      /holds its reference model in "reference"/,
    ],
    ["a missing field", { ...good(), seq1: undefined }, /seq1/],
    ["a negative count", { ...good(), seq1: [1, 1, -1, 1, 1] }, /seq1/],
    ["counts not matching names", { ...good(), seq1: [1, 1] }, /seq1 has 2 counts for 5 names/],
    ["ids out of range", { ...good(), seq2: [0, 99, 1] }, /out of range/],
    [
      "tokens out of place",
      { ...good(), commands: ["a", "##END##", "##UNK##", "##START##", "b"] },
      /commands\[0\]/,
    ],
    ["a name listed twice", { ...good(), commands: ["##START##", "##END##", "##UNK##", "a", "a"] }, /twice/],
    ["an unknown field", { ...good(), extra: 1 }, /unknown field "extra"/],
    [
      "a name that is not text",
      { ...good(), commands: ["##START##", "##END##", "##UNK##", 7, "b"] },
      /commands\[3\] must be text/,
    ],
    ["a list that is not one", { ...good(), values: "##UNK##" }, /values must be a list/],
    ["a count that is text", { ...good(), seq1: [1, 1, 0, "1", 1] }, /seq1\[3\] must be a count/],
    ["a count that is null", { ...good(), param: [null] }, /param\[0\] must be a count/],
    ["a triple's count that is text", { ...good(), seq2: [0, 3, "1"] }, /seq2 triple 0 must end in a count/],
    ["a negative id", { ...good(), seq2: [-1, 3, 1] }, /seq2 triple 0 refers to an id out of range/],
    ["a fractional id", { ...good(), seq2: [0.5, 3, 1] }, /out of range/],
    ["a repeated pair", { ...good(), seq2: [0, 3, 1, 0, 3, 1] }, /seq2 triple 1 repeats a pair/],
    ["an unknown session type", { ...good(), sessionType: "cmds" }, /sessionType must be one of/],
    ["modellable params that are not names", { ...good(), modellableParams: [1] }, /modellableParams/],
    ["a session count that is text", { ...good(), sessionCount: "1" }, /sessionCount must be a count/],
  ])("refuses %s", (_name, file, message) => {
    expect(() => Model.fromJSON(file)).toThrow(SeqhuntError);
    expect(() => Model.fromJSON(file)).toThrow(message);
  });

  it("handles commands named like object keys", () => {
    const m = new Model([
      ["__proto__", "constructor", "toString"],
      ["constructor", "__proto__", "hasOwnProperty"],
    ]);
    m.train();
    const [s] = reload(m).score([["__proto__", "constructor"]], { windowLength: 2 });
    expect(Number.isFinite(s?.logLikelihood)).toBe(true);
    expect([...(m.priorProbs?.keys() ?? [])]).toContain("__proto__");
  });
});

describe("caller-given modellable params in a saved model", () => {
  it("are kept, and a heuristic choice is recomputed", async () => {
    const { Cmd } = await import("../../src/index.js");
    const given = new Model([[new Cmd("a", { x: "1", y: "2" })]], { modellableParams: ["x"] });
    given.train();
    expect(reload(given).modellableParams).toEqual(new Set(["x"]));
    expect(given.toJSON().modellableParams).toEqual(["x"]);
    const picked = new Model([[new Cmd("a", { x: "1" })]]);
    picked.train();
    expect(picked.toJSON().modellableParams).toBeNull();
    expect(reload(picked).modellableParams).toEqual(new Set());
  });
});
