import { describe, expect, it } from "vitest";
import { historyEntries, historyShell, unmetafy } from "../../src/parse/history.js";

describe("shell history files as the shells write them", () => {
  it("bash: #<epoch> starts an entry that runs to the next, multi-line commands whole", () => {
    const text =
      '#1790000000\nls -la\n#1790000040\nfor f in *.log; do\n  gzip "$f"\ndone\n#1790000100\ncd /tmp\n';
    expect(historyEntries(text)).toEqual([
      { line: 2, time: 1790000000, command: "ls -la" },
      { line: 4, time: 1790000040, command: 'for f in *.log; do\n  gzip "$f"\ndone' },
      { line: 8, time: 1790000100, command: "cd /tmp" },
    ]);
  });

  it("bash: lines before the first time (written without HISTTIMEFORMAT) have no time", () => {
    expect(historyEntries("ls\n\ncd /tmp\n#1790000000\nid\n")).toEqual([
      { line: 1, time: null, command: "ls" },
      { line: 3, time: null, command: "cd /tmp" },
      { line: 5, time: 1790000000, command: "id" },
    ]);
  });

  it("zsh extended history: `: <epoch>:<elapsed>;command`, a trailing backslash continuing the command", () => {
    const text = ": 1790000000:0;ls -la\n: 1790000040:3;cat <<EOF\\\nline two\\\nEOF\n: 1790000100:0;id\r\n";
    expect(historyShell(text.split("\n"))).toBe("zsh");
    expect(historyEntries(text)).toEqual([
      { line: 1, time: 1790000000, command: "ls -la" },
      { line: 2, time: 1790000040, command: "cat <<EOF\nline two\nEOF" },
      { line: 5, time: 1790000100, command: "id" },
    ]);
  });

  it("zsh's metafied bytes (0x83, then the byte xor 32) read as the UTF-8 they stand for", () => {
    const utf8 = Buffer.from("echo café", "utf8");
    const metafied = Buffer.from([...utf8].flatMap((b) => (b >= 0x83 ? [0x83, b ^ 32] : [b])));
    expect(Buffer.from(unmetafy(metafied)).toString("utf8")).toBe("echo café");
    expect(unmetafy(utf8)).toBe(utf8);
  });

  it("fish: `- cmd:` with \\n and \\\\ escapes, `when:` its time, `paths:` ignored", () => {
    const text =
      "- cmd: ls -la\n  when: 1790000000\n- cmd: echo a\\nb \\\\ c\n  when: 1790000040\n  paths:\n    - /tmp\n";
    expect(historyShell(text.split("\n"))).toBe("fish");
    expect(historyEntries(text)).toEqual([
      { line: 1, time: 1790000000, command: "ls -la" },
      { line: 3, time: 1790000040, command: "echo a\nb \\ c" },
    ]);
  });
});
