import { SeqhuntError } from "../errors.js";
import { syscallName } from "./syscalls.js";

/** The fields of the records a Linux audit log is read as (what `--source auditd` names). */
export const AUDIT_FIELDS = {
  file: "file",
  line: "line",
  time: "time",
  host: "host",
  pid: "pid",
  syscall: "syscall",
  params: "params",
} as const;

/** One system call of an audit log (a `type=SYSCALL` record). */
export interface AuditSyscall {
  /** The line (1-based) of the record. */
  readonly line: number;
  /** Epoch seconds (milliseconds in the fraction), as the kernel stamped the event. */
  readonly time: number;
  /** The host (`node=`, written when auditd's name_format is set), or null. */
  readonly host: string | null;
  readonly pid: string;
  /** The call's name: the enriched log's `SYSCALL=`, else the number's on the record's architecture. */
  readonly syscall: string;
  /** What else says who and how: the program, whether the call succeeded, the rule's key, the users. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * A record's head: an optional `node=<host>`, its type, and `msg=audit(<seconds>.<ms>:<serial>):`; after a
 * syslog prefix too (audisp-syslog, `Dec  3 14:00:00 host audisp-syslog: type=...`), and as the kernel prints
 * it when no auditd runs (journal, dmesg: `audit: type=1300 audit(...):`, the type by number).
 */
const HEAD = /(?:^|\s)(?:node=(\S+) )?type=(\S+) (?:msg=)?audit\(([^)]*)\): ?/;
/** The SYSCALL record's type, by name (auditd) or number (the kernel's own log). */
const SYSCALL_TYPES = new Set(["SYSCALL", "1300"]);
/** The stamp of a raw record: epoch seconds with milliseconds, then the event's serial number. */
const STAMP = /^(\d+(?:\.\d+)?):(\d+)$/;
/** Fields whose untrusted text audit writes either quoted or, when it holds spaces or odd bytes, as hex. */
const TEXT_FIELDS = new Set(["comm", "exe", "key"]);
/** The fields of a SYSCALL record kept as parameters, by the names they keep. */
const PARAMS = ["exe", "comm", "success", "key", "uid", "auid"] as const;
/** The group separator before an enriched log's interpreted fields (auditd's log_format = ENRICHED). */
const ENRICHED = "\u001d";

/** A field's value as written: quotes taken off; a text field's hex decoded; `(null)` as null. */
function fieldValue(name: string, raw: string): string | null {
  if (raw.startsWith('"')) return raw.slice(1, -1);
  if (raw === "(null)" || raw === "?") return null;
  if (TEXT_FIELDS.has(name) && /^(?:[0-9A-F]{2})+$/.test(raw)) {
    const bytes = new Uint8Array(raw.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(raw.slice(2 * i, 2 * i + 2), 16);
    return new TextDecoder("utf-8").decode(bytes);
  }
  return raw;
}

/**
 * Field `name` of a record's body as written (quotes still on), or undefined when it has none: found by
 * its ` name=` (a quoted value never holds a space: audit writes such text in hex), not by splitting every pair.
 */
function rawField(body: string, name: string): string | undefined {
  let from: number;
  if (body.startsWith(`${name}=`)) from = name.length + 1;
  else {
    const at = body.indexOf(` ${name}=`);
    if (at < 0) return undefined;
    from = at + name.length + 2;
  }
  const quoted = body.charCodeAt(from) === 34;
  const end = body.indexOf(quoted ? '"' : " ", quoted ? from + 1 : from);
  return body.slice(from, end < 0 ? body.length : quoted ? end + 1 : end);
}

/** Field `name` of a record's body ({@link fieldValue}), or null when it has none. */
function field(body: string, name: string): string | null {
  const raw = rawField(body, name);
  return raw === undefined ? null : fieldValue(name, raw);
}

/** Lines that are not records but which ausearch writes between events (`----`, `time->...`). */
const SEPARATOR = /^(?:----|time->.*)$/;

/**
 * The system call of one line of a Linux audit log (no I/O), or null for a line that holds none: a
 * `type=SYSCALL` record, raw (audit.log, `ausearch --raw`) or enriched (auditd's default log_format,
 * interpreted fields after a group separator), also after a syslog prefix or as the kernel prints it
 * (`type=1300`); other record types (EXECVE, PATH, CWD, PROCTITLE, ...), blank lines and ausearch's
 * separators are null. A line that is no audit record, or a record stamped in local time (`ausearch -i`),
 * stops the read, naming `path` and line `number`.
 */
export function auditSyscall(line: string, number: number, path: string): AuditSyscall | null {
  if (line === "" || SEPARATOR.test(line)) return null;
  const at = `${path}:${number}`;
  const head = HEAD.exec(line);
  if (head === null)
    throw new SeqhuntError(
      `${at}: not a Linux audit record (type=... msg=audit(...): ...): ${JSON.stringify(line.slice(0, 80))}; read audit.log or ausearch --raw output`,
      { file: path, line: number },
    );
  if (!SYSCALL_TYPES.has(head[2] as string)) return null;
  const stamp = STAMP.exec(head[3] as string);
  if (stamp === null || !Number.isFinite(Number(stamp[1])))
    throw new SeqhuntError(
      `${at}: field "msg": the stamp ${JSON.stringify(head[3])} is not epoch seconds (ausearch -i writes local times); read audit.log or ausearch --raw output`,
      { file: path, line: number, field: "msg" },
    );
  const rest = line.slice(head.index + (head[0] as string).length);
  const split = rest.indexOf(ENRICHED);
  const raw = split < 0 ? rest : rest.slice(0, split);
  const pid = field(raw, "pid");
  const written = field(raw, "syscall");
  const call = written === null || written === "" ? Number.NaN : Number(written);
  const named = split < 0 ? null : field(rest.slice(split + 1), "SYSCALL");
  if (pid === null || (named === null && !Number.isInteger(call))) {
    const missing = pid === null ? "pid" : "syscall";
    throw new SeqhuntError(
      `${at}: field "${missing}": a SYSCALL record without it; read audit.log or ausearch --raw output as auditd wrote it`,
      { file: path, line: number, field: missing },
    );
  }
  const params: Record<string, string> = {};
  for (const name of PARAMS) {
    const value = field(raw, name);
    if (value !== null) params[name] = value;
  }
  return {
    line: number,
    time: Number(stamp[1]),
    host: head[1] ?? null,
    pid,
    syscall: named ?? syscallName(field(raw, "arch") ?? "", call),
    params,
  };
}
