/** The fields of the records a shell history file is read as (what `--source shell-history` names). */
export const HISTORY_FIELDS = {
  file: "file",
  line: "line",
  time: "time",
  commandLine: "command_line",
} as const;

/** The shells whose history files seqhunt reads as they write them. */
export type HistoryShell = "bash" | "zsh" | "fish";

/** One command of a shell's history file. */
export interface HistoryEntry {
  /** The line (1-based) the command starts on. */
  readonly line: number;
  /** Epoch seconds the shell wrote for it, or null when it wrote none. */
  readonly time: number | null;
  /** The command as typed, lines of a multi-line command joined by `\n`. */
  readonly command: string;
}

/** zsh's extended history line: `: <start>:<elapsed>;<command>`. */
const ZSH_EXTENDED = /^: *(\d+):(\d+);(.*)$/s;
/** bash's time line (written when HISTTIMEFORMAT is set): `#<epoch seconds>`. */
const BASH_TIME = /^#(\d{9,11})$/;
/** fish's entry and its fields: `- cmd: <command>`, `  when: <epoch seconds>`. */
const FISH_CMD = /^- cmd: ?(.*)$/;
const FISH_WHEN = /^ {2}when: *(\d+)$/;

/**
 * Which shell wrote a history file, from its first lines: fish's `- cmd:` entries, zsh's extended
 * `: <epoch>:<elapsed>;` lines, else bash (with or without `#<epoch>` lines).
 */
export function historyShell(lines: readonly string[]): HistoryShell {
  for (const line of lines.slice(0, 50)) {
    if (FISH_CMD.test(line)) return "fish";
    if (ZSH_EXTENDED.test(line)) return "zsh";
  }
  return "bash";
}

/** fish's escapes in a `cmd:` value: `\n` a newline, `\\` a backslash. */
function fishUnescape(text: string): string {
  return text.replace(/\\([\\n])/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
}

/** bash: `#<epoch>` starts an entry whose command runs to the next `#<epoch>` (multi-line commands); without them, one entry per line. */
function bashEntries(lines: readonly string[]): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  let time: number | null = null;
  let start = 0;
  let body: string[] | null = null;
  const close = () => {
    if (body !== null && body.length > 0) entries.push({ line: start, time, command: body.join("\n") });
    body = null;
  };
  for (const [i, line] of lines.entries()) {
    const stamp = BASH_TIME.exec(line);
    if (stamp !== null) {
      close();
      time = Number(stamp[1]);
      body = [];
      start = i + 2;
    } else if (body !== null && time !== null) body.push(line);
    else if (line !== "") entries.push({ line: i + 1, time: null, command: line });
  }
  close();
  return entries;
}

/** zsh: `: <epoch>:<elapsed>;<command>`, a line ending in `\` continued on the next (multi-line commands). */
function zshEntries(lines: readonly string[]): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i] as string;
    while (text.endsWith("\\") && i + 1 < lines.length) text = `${text.slice(0, -1)}\n${lines[++i]}`;
    if (text === "") continue;
    const m = ZSH_EXTENDED.exec(text);
    entries.push(
      m === null
        ? { line: start + 1, time: null, command: text }
        : { line: start + 1, time: Number(m[1]), command: m[3] as string },
    );
  }
  return entries;
}

/** fish: `- cmd: <command>` then indented fields, `when: <epoch>` among them (`paths:` lists ignored). */
function fishEntries(lines: readonly string[]): HistoryEntry[] {
  const entries: { line: number; time: number | null; command: string }[] = [];
  for (const [i, line] of lines.entries()) {
    const cmd = FISH_CMD.exec(line);
    if (cmd !== null) entries.push({ line: i + 1, time: null, command: fishUnescape(cmd[1] as string) });
    const when = FISH_WHEN.exec(line);
    const last = entries[entries.length - 1];
    if (when !== null && last !== undefined) last.time = Number(when[1]);
  }
  return entries;
}

/**
 * The commands of a shell history file's text as the shell wrote it (no I/O): bash (`#<epoch>` before each
 * command when HISTTIMEFORMAT is set), zsh (extended history `: <epoch>:<elapsed>;command`) or fish
 * (`- cmd:` / `when:`). The shell is told from the text unless given.
 */
export function historyEntries(text: string, shell?: HistoryShell): HistoryEntry[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  switch (shell ?? historyShell(lines)) {
    case "fish":
      return fishEntries(lines);
    case "zsh":
      return zshEntries(lines);
    case "bash":
      return bashEntries(lines);
  }
}

/**
 * zsh's history bytes made plain: zsh writes a byte of 0x83 or more as 0x83 then the byte xor 32
 * ("metafied"), so non-ASCII commands read as UTF-8 only once undone.
 */
export function unmetafy(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(0x83)) return bytes;
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out[n++] = b === 0x83 && i + 1 < bytes.length ? (bytes[++i] as number) ^ 32 : b;
  }
  return out.subarray(0, n);
}
