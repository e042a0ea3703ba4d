// Shell history files as the shells write them (bash with #<epoch> lines, zsh's extended history, fish's
// YAML-like file), in a folder tree of hosts and home folders, read with --source shell-history: the
// planted attack sessions rank at the top, as from the same history as a CSV of command lines.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateShellHistory } from "../../src/demo/shell-history.js";
import { huntSessions, runCli, tempDir } from "../helpers/cli.js";
import { writeShellHistories } from "../helpers/sources.js";

const dir = tempDir();

describe("--source shell-history", () => {
  const { rows, attacks } = generateShellHistory({ seed: 5, sessions: 600 });
  const root = join(dir, "hosts");
  const fileOf = writeShellHistories(root, rows);

  it("reads bash, zsh and fish history files in a folder tree and ranks the planted attacks on top", async () => {
    const r = await huntSessions(dir, [root, "--source", "shell-history"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.sessions.reduce((n, s) => n + Number(s.length), 0)).toBe(rows.length);
    const planted = new Set(
      attacks.map((a) => {
        const host = rows.find((x) => x.user === a.user && x.time === a.start)?.host;
        return `${fileOf.get(`${a.user} ${host}`)} ${Date.parse(a.start)}`;
      }),
    );
    const top = r.sessions
      .slice(0, attacks.length + 2)
      .filter((s) => planted.has(`${s.file} ${Date.parse(String(s.start))}`));
    expect(top.length).toBeGreaterThanOrEqual(attacks.length - 1);
  });

  it("a bash history without times stops at the command's line and says why", async () => {
    const path = join(dir, "plain", ".bash_history");
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "ls -la\n#1790000000\ncd /tmp\n");
    const r = await runCli(["hunt", path, "--source", "shell-history"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:1: `);
    expect(r.stderr).toContain("HISTTIMEFORMAT");
  });
});
