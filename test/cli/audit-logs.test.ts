// Linux audit logs (audit.log and a rotation, raw and enriched records, two hosts by node=) read with
// --source auditd: one session per process, its system calls in order; a reverse shell's process ranks first;
// a line that is no audit record stops the read at its line.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { syscallName } from "../../src/parse/syscalls.js";
import { huntSessions, runCli, tempDir } from "../helpers/cli.js";
import { AUDIT_X86_64, auditRecord, REVERSE_SHELL, writeAuditLogs } from "../helpers/sources.js";

const dir = tempDir();

describe("--source auditd", () => {
  it("numbers calls as the reader's x86_64 table does", () => {
    for (const [name, n] of Object.entries(AUDIT_X86_64)) expect(syscallName("c000003e", n)).toBe(name);
  });

  it("reads a host's audit folder (audit.log and a rotation): a session per process, a reverse shell's first", async () => {
    const calls = writeAuditLogs(dir);
    const r = await huntSessions(dir, [join(dir, "audit"), "--source", "auditd"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.sessions).toHaveLength(121);
    expect(r.sessions.reduce((n, s) => n + Number(s.length), 0)).toBe(calls);
    expect(r.sessions[0]).toMatchObject({ host: "web-02", pid: "4444", length: REVERSE_SHELL.length });
    expect(r.sessions[0]?.session).toEqual(REVERSE_SHELL);
    // The preset's fields given as flags read the same sessions in the same order.
    const flags = await huntSessions(dir, [
      join(dir, "audit"),
      "--user",
      "host|file,pid",
      "--time",
      "time",
      "--event",
      "syscall",
    ]);
    expect(flags.code).toBe(0);
    expect(flags.sessions).toEqual(r.sessions);
  });

  it("keeps a process one session through an hour's pause (the preset's --max-gap 60), unless told otherwise", async () => {
    const path = join(dir, "slow", "audit.log");
    mkdirSync(join(dir, "slow"));
    const calls = ["read", "write", "read", "write"];
    // Ten minutes between calls.
    const lines = calls.map((call, i) =>
      auditRecord("db-01", 1764770000 + 600 * i, i + 1, 77, call, "/usr/bin/postgres", false),
    );
    writeFileSync(path, `${lines.join("\n")}\n`);
    const one = await huntSessions(dir, [path, "--source", "auditd"]);
    expect(one.sessions.map((x) => x.length)).toEqual([4]);
    const split = await huntSessions(dir, [path, "--source", "auditd", "--max-gap", "2"]);
    expect(split.sessions.map((x) => x.length)).toEqual([1, 1, 1, 1]);
  });

  it("stops at a line that is no audit record, naming the file and line", async () => {
    const path = join(dir, "mixed-audit.log");
    writeFileSync(
      path,
      `${auditRecord("h", 1764770000, 1, 7, "read", "/usr/bin/cat", false)}\nDec  3 14:00:00 h sshd[812]: Accepted password for alice\n`,
    );
    const r = await runCli(["hunt", path, "--source", "auditd"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:2: not a Linux audit record`);
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  });

  it("reads a gzipped log line by line, and says so of one cut short", async () => {
    mkdirSync(join(dir, "gz"));
    const whole = gzipSync(readFileSync(join(dir, "audit", "audit.log")));
    writeFileSync(join(dir, "gz", "audit.log.gz"), whole);
    const r = await huntSessions(dir, [join(dir, "gz", "audit.log.gz"), "--source", "auditd"]);
    expect(r.code).toBe(0);
    expect(r.sessions).toHaveLength(61);
    const cut = join(dir, "gz", "cut-audit.log.gz");
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const bad = await runCli(["hunt", cut, "--source", "auditd"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${cut}: cannot read it: unexpected end of file`);
  });
});
