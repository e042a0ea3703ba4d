import { describe, expect, it } from "vitest";
import { generateShellHistory, rankShellHistory } from "../../src/demo/shell-history.js";
import { Cmd } from "../../src/model/cmd.js";
import { shellCommand } from "../../src/parse/shell.js";

describe("shell history with varying file, pod and host names", () => {
  const asCommand = (line: string) => {
    const c = shellCommand(line, { shapes: true });
    return new Cmd(c.name, c.params);
  };

  it.each([1, 2, 3])("ranks every planted attack session at the top (seed %i)", (seed) => {
    const { ranks, sessions } = rankShellHistory(generateShellHistory({ seed, sessions: 800 }), asCommand);
    expect(sessions.length).toBeGreaterThan(800);
    expect(ranks).toHaveLength(8);
    // Eight planted sessions among about 800: all of them within the first ten.
    expect(ranks[7]).toBeLessThanOrEqual(10);
  });

  it("the whole line as the command does not: ordinary sessions with new names rank among them", () => {
    const { ranks } = rankShellHistory(generateShellHistory({ seed: 1, sessions: 800 }), (line) => line);
    expect(ranks.filter((r) => r <= 10).length).toBeLessThanOrEqual(2);
  });
});
