import { describe, expect, it } from "vitest";
import { Cmd, SessionType } from "../../src/index.js";

describe("Cmd", () => {
  it("prints like the reference's dataclass", () => {
    expect(String(new Cmd("Set-User", new Set(["Identity", "Force"])))).toBe(
      "Cmd(name='Set-User', params={'Identity', 'Force'})",
    );
    expect(String(new Cmd("Set-User", { Identity: "bob", City: null }))).toBe(
      "Cmd(name='Set-User', params={'Identity': 'bob', 'City': None})",
    );
    expect(String(new Cmd("x", new Set()))).toBe("Cmd(name='x', params=set())");
    expect(String(new Cmd("it's", {}))).toBe(`Cmd(name="it's", params={})`);
  });

  it("has the reference's session type names", () => {
    expect(SessionType).toEqual({
      cmdsOnly: "cmds_only",
      cmdsParamsOnly: "cmds_params_only",
      cmdsParamsValues: "cmds_params_values",
    });
  });
});
