import { describe, expect, it } from "vitest";
import { commandTransform } from "../../src/cli/command-line.js";
import { Cmd } from "../../src/model/cmd.js";

/** The transform the options make; fails the test when they make none. */
function transformOf(options: Parameters<typeof commandTransform>[0]) {
  const transform = commandTransform(options);
  if (transform === undefined) throw new Error("no transform");
  return transform;
}

describe("commandTransform", () => {
  const line = "scp /home/alice/r.txt 10.1.2.3:/srv";

  it("makes a command line the command --param-mode asks for, shaped by default", () => {
    const values = transformOf({ commandLine: "c", paramMode: "values", shapes: "on" });
    expect((values(line) as Cmd).toJSON()).toEqual({
      name: "scp",
      params: { arg1: "/home/<USER>/r.txt", arg2: "<IP>:/srv" },
    });
    const names = transformOf({ commandLine: "c", paramMode: "names", shapes: "on" });
    expect((names(line) as Cmd).toJSON()).toEqual({ name: "scp", params: ["arg1", "arg2"] });
    expect(commandTransform({ commandLine: "c", paramMode: "none", shapes: "on" })?.(line)).toBe("scp");
    const raw = transformOf({ commandLine: "c", paramMode: "values", shapes: "off" });
    expect((raw(line) as Cmd).params).toEqual({ arg1: "/home/alice/r.txt", arg2: "10.1.2.3:/srv" });
  });

  it("shapes parameter values with --shapes on, and nothing else", () => {
    const shape = transformOf({ paramMode: "values", shapes: "on" });
    const cmd = new Cmd("Set-Mailbox", { Identity: "S-1-5-21-1-2-3-500", Quota: "49GB", Empty: null });
    expect((shape(cmd) as Cmd).params).toEqual({ Identity: "<SID>", Quota: "49GB", Empty: null });
    expect(shape("plain")).toBe("plain");
    expect(commandTransform({ paramMode: "values", shapes: "off" })).toBeUndefined();
    expect(commandTransform({ paramMode: "names", shapes: "on" })).toBeUndefined();
  });
});
