// Linux audit logs as auditd writes them: SYSCALL records, raw and enriched, with and without node=, read as
// one system call each; other records skipped; what is not an audit log stopped at its line.
import { describe, expect, it } from "vitest";
import { SeqhuntError } from "../../src/errors.js";
import { type AuditSyscall, auditSyscall } from "../../src/parse/audit.js";
import { syscallName } from "../../src/parse/syscalls.js";

/** The system calls of a log's whole text, numbered by line as the reader numbers them. */
function auditSyscalls(text: string, path: string): AuditSyscall[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => auditSyscall(line, i + 1, path))
    .filter((c) => c !== null);
}

const RAW =
  'type=SYSCALL msg=audit(1764770400.123:4410): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid=812 pid=4120 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="useradd" exe="/usr/sbin/useradd" subj=unconfined key="identity"';
const ENRICHED =
  'node=web-01 type=SYSCALL msg=audit(1764770401.5:4411): arch=c000003e syscall=2 success=no exit=-13 a0=7ffc a1=0 a2=0 a3=0 items=1 ppid=812 pid=4121 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=3 comm=746F702073656372 exe="/usr/bin/cat" subj=unconfined key=(null)\u001dARCH=x86_64 SYSCALL=open AUID="alice" UID="alice" GID="alice"';

describe("auditSyscall, line by line", () => {
  it("reads a raw SYSCALL record: time, pid, the call named by its number on the record's architecture, parameters", () => {
    expect(auditSyscalls(`${RAW}\n`, "audit.log")).toEqual([
      {
        line: 1,
        time: 1764770400.123,
        host: null,
        pid: "4120",
        syscall: "execve",
        params: {
          exe: "/usr/sbin/useradd",
          comm: "useradd",
          success: "yes",
          key: "identity",
          uid: "0",
          auid: "1000",
        },
      },
    ]);
  });

  it("reads an enriched record (the name after the group separator) with node=, and decodes hex text fields", () => {
    const [call] = auditSyscalls(ENRICHED, "audit.log");
    expect(call).toMatchObject({ host: "web-01", pid: "4121", syscall: "open", time: 1764770401.5 });
    // comm in hex (it held a space); key=(null) is no parameter.
    expect(call?.params).toEqual({
      exe: "/usr/bin/cat",
      comm: "top secr",
      success: "no",
      uid: "1000",
      auid: "1000",
    });
  });

  it("skips the event's other records and ausearch's separators, numbering calls by their line", () => {
    const text = [
      "----",
      "time->Wed Dec  3 14:00:00 2025",
      "type=PROCTITLE msg=audit(1764770400.123:4410): proctitle=2F7573722F7362696E2F75736572616464",
      'type=PATH msg=audit(1764770400.123:4410): item=0 name="/usr/sbin/useradd" inode=1 dev=08:01 mode=0100755',
      'type=CWD msg=audit(1764770400.123:4410): cwd="/root"',
      RAW,
      "",
      ENRICHED,
    ].join("\r\n");
    expect(auditSyscalls(text, "audit.log").map((c) => [c.line, c.syscall])).toEqual([
      [6, "execve"],
      [8, "open"],
    ]);
  });

  it("reads records forwarded by syslog (audisp-syslog) and as the kernel prints them (journal, dmesg)", () => {
    const body = RAW.slice(RAW.indexOf("arch="));
    const text = [
      `Dec  3 14:00:00 web-03 audisp-syslog: node=web-03 type=SYSCALL msg=audit(1764770400.123:4410): ${body}`,
      `Dec  3 14:00:01 web-03 kernel: audit: type=1300 audit(1764770401.000:4411): ${body}`,
      "Dec  3 14:00:01 web-03 kernel: audit: type=1327 audit(1764770401.000:4411): proctitle=6C73",
    ].join("\n");
    expect(
      auditSyscalls(text, "syslog").map((c) => [c.line, c.host, c.time, c.syscall, c.params.exe]),
    ).toEqual([
      [1, "web-03", 1764770400.123, "execve", "/usr/sbin/useradd"],
      [2, null, 1764770401, "execve", "/usr/sbin/useradd"],
    ]);
  });

  it("names calls on x86_64, i386 and aarch64, and numbers it has no name for as syscall_<n>", () => {
    expect(syscallName("c000003e", 59)).toBe("execve");
    expect(syscallName("C000003E", 0)).toBe("read");
    expect(syscallName("40000003", 11)).toBe("execve");
    expect(syscallName("c00000b7", 221)).toBe("execve");
    expect(syscallName("c00000b7", 56)).toBe("openat");
    expect(syscallName("c000003e", 9999)).toBe("syscall_9999");
    expect(syscallName("40000028", 5)).toBe("syscall_5");
    // The architecture is the log's text: an object's own names are no table.
    expect(syscallName("__proto__", 5)).toBe("syscall_5");
    expect(syscallName("constructor", 5)).toBe("syscall_5");
    const record = RAW.replace("arch=c000003e syscall=59", "arch=40000028 syscall=11");
    expect(auditSyscalls(record, "audit.log")[0]?.syscall).toBe("syscall_11");
  });

  it("stops at a line that is no audit record, or a stamp in local time (ausearch -i), naming the file and line", () => {
    const bad = (text: string) => {
      try {
        auditSyscalls(text, "logs/audit.log");
      } catch (err) {
        expect(err).toBeInstanceOf(SeqhuntError);
        return (err as SeqhuntError).message;
      }
      throw new Error("no error");
    };
    expect(bad(`${RAW}\nDec  3 14:00:00 web-01 sshd[812]: Accepted password for alice\n`)).toMatch(
      /^logs\/audit\.log:2: not a Linux audit record .*ausearch --raw/,
    );
    const local = RAW.replace("1764770400.123:4410", "12/03/2025 14:00:00.123:4410");
    expect(bad(local)).toMatch(/^logs\/audit\.log:1: field "msg": .*not epoch seconds.*ausearch --raw/);
    const endless = RAW.replace("1764770400.123:4410", `${"9".repeat(400)}:4410`);
    expect(bad(endless)).toMatch(/^logs\/audit\.log:1: field "msg": .*not epoch seconds/);
    expect(bad(RAW.replace(" pid=4120", ""))).toMatch(/^logs\/audit\.log:1: field "pid": /);
    expect(bad(RAW.replace(" syscall=59", ""))).toMatch(/^logs\/audit\.log:1: field "syscall": /);
    expect(bad(RAW.replace(" syscall=59", " syscall="))).toMatch(/^logs\/audit\.log:1: field "syscall": /);
  });
});
