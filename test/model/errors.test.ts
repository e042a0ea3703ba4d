// Every input error is a SeqhuntError whose message names the session, command and problem.
import { describe, expect, it } from "vitest";
import { Cmd, Model, SeqhuntError } from "../../src/index.js";
import type { Session } from "../../src/types.js";

const build = (sessions: unknown) => () => new Model(sessions as Session[]);

describe("Model input errors", () => {
  it.each([
    ["not a list", build("Set-User"), /sessions must be a list/],
    ["no sessions", build([]), /sessions is empty/],
    ["a session that is not a list", build(["Set-User"]), /session 0 is a string, not a list/],
    ["an empty session, by index", build([["a"], ["b"], []]), /session 2 is empty/],
    [
      "a command that is neither a name nor a Cmd",
      build([[{ "Set-User": ["Identity"] }]]),
      /session 0, command 0 is an object, neither/,
    ],
    [
      "params neither a set nor a mapping",
      () => new Model([[new Cmd("a", 5 as never)]]),
      /a: params must be a Set/,
    ],
    [
      "a {name, params} with bad params",
      build([[{ name: "a", params: 5 }]]),
      /session 0, command 0: a: params must be a Set/,
    ],
    ["a Cmd name that is not text", () => new Cmd(5 as never, new Set()), /a command name must be a string/],
    [
      "a value that is neither text, a number, a boolean nor null",
      () => new Model([[new Cmd("a", { x: { nested: 1 } } as never)]]),
      /value of parameter "x" must be a string or null/,
    ],
    [
      "names and Cmds mixed",
      build([["a", new Cmd("a", new Set())]]),
      /session 0, command 1 is of type cmds_params_only but the sessions are cmds_only/,
    ],
    [
      "Cmds with values after Cmds with sets",
      build([[new Cmd("a", new Set())], [new Cmd("a", { x: "1" })]]),
      /session 1, command 0 is of type cmds_params_values/,
    ],
  ])("rejects %s", (_name, fn, message) => {
    expect(fn).toThrow(SeqhuntError);
    expect(fn).toThrow(message);
  });

  it("puts the location on the error", () => {
    try {
      new Model([["a"], ["b", 7]] as unknown as Session[]);
      expect.unreachable();
    } catch (err) {
      expect((err as SeqhuntError).location).toEqual({ session: 1, command: 1 });
    }
  });

  it("refuses every compute method before training", () => {
    const m = new Model([["a", "b"]]);
    for (const call of [
      () => m.computeScores(),
      () => m.computeLikelihoodsOfSessions(),
      () => m.computeGeomeanLikOfSessions(),
      () => m.computeRarestWindows(2),
      () => m.computeSetofParamsCondCmd({ useGeoMean: false }),
      () => m.score([["a"]], { windowLength: 2 }),
      () => m.toJSON(),
    ]) {
      expect(call).toThrow(/not trained/);
    }
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses window length %s", (k) => {
    const m = new Model([["a", "b"]]);
    m.train();
    expect(() => m.computeRarestWindows(k)).toThrow(/window length must be a whole number/);
  });

  it("refuses to score sessions of another type", () => {
    const m = new Model([["a", "b"]]);
    m.train();
    expect(() => m.score([[new Cmd("a", new Set())]], { windowLength: 2 })).toThrow(/mixed session types/);
  });

  it("accepts plain {name, params} objects as commands", () => {
    const m = new Model([[{ name: "a", params: ["x"] }]] as unknown as Session[]);
    expect(m.sessionType).toBe("cmds_params_only");
    expect(m.sessions[0]?.[0]).toBeInstanceOf(Cmd);
  });
});
