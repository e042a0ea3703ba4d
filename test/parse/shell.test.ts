import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_COMMAND, shellCommand, splitShellLine } from "../../src/parse/shell.js";

const words = (line: string) => splitShellLine(line).map((s) => s.words.map((w) => w.text));

describe("splitShellLine", () => {
  it.each([
    ["ls   -la\t/tmp", [["ls", "-la", "/tmp"]]],
    [`echo 'a  b' "c \\"d\\" $HOME" e\\ f`, [["echo", "a  b", 'c "d" $HOME', "e f"]]],
    [`echo "a\\nb" 'it''s'`, [["echo", "a\\nb", "its"]]],
    [`printf $'a\\tb\\x41\\101\\''`, [["printf", "a\tbAA'"]]],
    ["echo $(id -u) `whoami`", [["echo", "$(id -u)", "`whoami`"]]],
    ["echo a # a comment", [["echo", "a"]]],
    ["echo a#b", [["echo", "a#b"]]],
    ["a | b || c && d ; e & f", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]],
    ["echo 'unclosed quote", [["echo", "unclosed quote"]]],
    ['echo "unclosed', [["echo", "unclosed"]]],
    ["", []],
    ["   ", []],
  ])("%j", (line, expected) => {
    expect(words(line)).toEqual(expected);
  });

  it("keeps the operators between simple commands", () => {
    expect(splitShellLine("a | b && c; d").map((s) => s.operator)).toEqual(["|", "&&", ";", null]);
  });

  it("attaches redirections to their targets, file descriptors included", () => {
    const [segment] = splitShellLine("cmd arg > out.txt 2>&1 <in 2>>/dev/null &>all");
    expect(segment?.words).toEqual([
      { text: "cmd" },
      { text: "arg" },
      { text: "out.txt", redirect: ">" },
      { text: "1", redirect: "2>&" },
      { text: "in", redirect: "<" },
      { text: "/dev/null", redirect: "2>>" },
      { text: "all", redirect: "&>" },
    ]);
  });

  it("never throws and is linear on long text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (line) => {
        expect(Array.isArray(splitShellLine(line))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    const long = `echo ${"'a' \"b\" \\c $'d' | ".repeat(20_000)}`;
    expect(splitShellLine(long)).toHaveLength(20_000);
  });
});

describe("shellCommand", () => {
  const plain = { shapes: false };
  it.each([
    ["ls -la /srv/data", "ls -la", { arg1: "/srv/data" }],
    ["/usr/bin/ls -la", "ls -la", { dir: "/usr/bin/" }],
    ["/tmp/.x", ".x", { dir: "/tmp/" }],
    ["ls -l -a x", "ls -a -l", { arg1: "x" }],
    ["git push origin main", "git push", { arg1: "origin", arg2: "main" }],
    ["git -C /srv/app log --oneline", "git log --oneline -C", { "-C": "/srv/app" }],
    ["kubectl -n prod get pods -o wide", "kubectl get -n -o", { "-n": "prod", arg1: "pods", arg2: "wide" }],
    ["kubectl logs api-7d9 --tail=50", "kubectl logs --tail", { arg1: "api-7d9", "--tail": "50" }],
    ["cat notes", "cat", { arg1: "notes" }],
    ["sudo -u root cat /etc/shadow", "cat", { sudo: null, "sudo-u": "root", arg1: "/etc/shadow" }],
    ["FOO=1 env BAR=2 nohup ./run.sh", "run.sh", { $FOO: "1", env: null, $BAR: "2", nohup: null, dir: "./" }],
    ["kill -9 42", "kill -9", { arg1: "42" }],
    ["rm -- -rf", "rm", { arg1: "-rf" }],
    ["curl -fsSL http://x/s.sh | bash", "curl -fsSL | bash", { arg1: "http://x/s.sh" }],
    ["echo a > /tmp/o 2>&1", "echo", { arg1: "a", ">": "/tmp/o", "2>&": "1" }],
    ["a; b &", "a ; b", {}],
    ["cd /srv && make -j4 all", "cd && make -j4", { arg1: "/srv", "2:arg1": "all" }],
    ["# only a comment", NO_COMMAND, {}],
    ["FOO=bar", "(assignment)", { $FOO: "bar" }],
    [
      "a b c d e f g h i j",
      "a",
      { arg1: "b", arg2: "c", arg3: "d", arg4: "e", arg5: "f", arg6: "g", arg7: "h", "arg8+": "i j" },
    ],
  ])("%j", (line, name, params) => {
    const c = shellCommand(line, plain);
    expect(c.name).toBe(name);
    expect(c.params).toEqual(params);
  });

  it("shapes every parameter value when asked, never the name", () => {
    const line = "scp /home/alice/r.txt 10.1.2.3:/tmp/tmp.AbCdEf1234";
    expect(shellCommand(line, { shapes: true })).toEqual({
      name: "scp",
      params: { arg1: "/home/<USER>/r.txt", arg2: "<IP>:/tmp/<TMP>" },
    });
    expect(shellCommand(line, plain).params).toEqual({
      arg1: "/home/alice/r.txt",
      arg2: "10.1.2.3:/tmp/tmp.AbCdEf1234",
    });
  });

  it("keeps parameters named like Object.prototype's keys own keys", () => {
    const c = shellCommand("x --constructor --toString=1", plain);
    expect(c.name).toBe("x --constructor --toString");
    expect(c.params).toEqual({ "--toString": "1" });
    const d = shellCommand("__proto__=1 x", plain);
    expect(d.params).toEqual({ $__proto__: "1" });
  });

  it("the same command with other file, host and pod names has the same name and parameter names", () => {
    const names = (line: string) => {
      const c = shellCommand(line, { shapes: true });
      return [c.name, Object.keys(c.params).sort()];
    };
    expect(names("kubectl logs api-7d9f-x2 -n prod")).toEqual(names("kubectl logs web-1a2b-zz -n staging"));
    expect(names("ssh web-3.prod.internal")).toEqual(names("ssh db-17.prod.internal"));
    expect(names("vim src/a.ts")).toEqual(names("vim /etc/b/config.yml"));
  });

  it("never throws and always names a command", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (line) => {
        expect(shellCommand(line, { shapes: true }).name.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
