// Training sessions of the common kinds are checked and encoded in one pass by the constructor; any other
// input is validated (converted or refused) first. Both ways must train the same model.
import { describe, expect, it } from "vitest";
import { Cmd, Model } from "../../src/index.js";
import { RawCounts } from "../../src/model/counts.js";
import { encodeIfCommon, internResolver } from "../../src/model/encode.js";
import type { Session } from "../../src/types.js";

const named = (): Session[] => [
  [new Cmd("Set-User", new Set(["Identity", "Force"])), new Cmd("Get-User", new Set())],
  [new Cmd("Set-User", new Set(["Identity"])), new Cmd("Set-User", new Set(["Identity", "Force"]))],
  [new Cmd("New-Rule", new Set(["Name"]))],
];
const valued = (): Session[] => [
  [new Cmd("Set-User", { Identity: "a", Force: null }), new Cmd("Get-User", new Set(["Identity"]))],
  [new Cmd("Set-User", { Identity: "b" }), new Cmd("Set-User", { Identity: "a", Force: "True" })],
  [new Cmd("New-Rule", { Name: "x" })],
];
const plain = (): Session[] => [["a", "b", "a"], ["b", "c"], ["a"]];

/** The same sessions with the last one's first command as a `{name, params}` object (validated and converted). */
function withObject(sessions: Session[]): Session[] {
  const last = sessions.at(-1) as Session;
  const first = last[0] as Cmd;
  const params = first.params instanceof Set ? [...first.params] : first.params;
  return [...sessions.slice(0, -1), [{ name: first.name, params } as unknown as Cmd, ...last.slice(1)]];
}

const trained = (sessions: Session[]) => {
  const m = new Model(sessions);
  m.train();
  m.computeRarestWindows(2);
  return m;
};

const resolver = () => {
  const counts = new RawCounts();
  return internResolver(counts.commands, counts.params, counts.values);
};

describe("checking and encoding training sessions in one pass", () => {
  it.each([
    ["plain names", plain()],
    ["parameter names", named()],
    ["parameter values", valued()],
  ])("takes %s of the common kinds in one pass, and refuses what needs validating", (_kind, sessions) => {
    expect(encodeIfCommon(sessions, resolver())?.encoded.commands.length).toBe(sessions.flat().length);
    expect(encodeIfCommon([...sessions, []], resolver())).toBeNull();
    expect(encodeIfCommon([...sessions, [5]], resolver())).toBeNull();
  });

  it.each([
    ["parameter names", named()],
    ["parameter values", valued()],
  ])("trains the same model from %s as from the validated, converted sessions", (_kind, sessions) => {
    const direct = trained(sessions);
    const converted = trained(withObject(sessions));
    expect(converted.toJSON()).toEqual(direct.toJSON());
    expect(converted.rareWindowLogLikelihoods.get(2)).toEqual(direct.rareWindowLogLikelihoods.get(2));
    expect(converted.modellableParams).toEqual(direct.modellableParams);
  });

  it("trains again to the same model (the constructor's encoding serves once)", () => {
    const m = trained(valued());
    const first = m.toJSON();
    const windows = m.rareWindowLogLikelihoods.get(2);
    m.train();
    m.computeRarestWindows(2);
    expect(m.toJSON()).toEqual(first);
    expect(m.rareWindowLogLikelihoods.get(2)).toEqual(windows);
  });

  it("keeps its own list of the sessions", () => {
    const sessions = plain();
    const m = new Model(sessions);
    sessions.push(["z"]);
    expect(m.sessions).toHaveLength(3);
  });
});
