/**
 * Shell command lines (`--command-line`) split with POSIX shell quoting and modelled as a command with
 * parameters, so that varying file, host and pod names do not make every line a never-seen command.
 * Pure: no I/O, browser-safe; never throws on any text (an unclosed quote runs to the end of the line).
 */

import { shapeValue } from "./shapes.js";

/** A word of a command, or a redirection with its target (`2>` `/dev/null`). */
export interface ShellWord {
  /** The word as the shell passes it on: quotes removed, escapes applied. */
  readonly text: string;
  /** The redirection operator (`>`, `>>`, `2>`, `<`, `&>`, `2>&`...) when this word is a redirection's target. */
  readonly redirect?: string;
}

/** One simple command of a line, and the operator that ends it. */
export interface ShellSegment {
  /** The program, its arguments and its redirections, in the order written. */
  readonly words: readonly ShellWord[];
  /** The operator after it (`|`, `&&`, `||`, `;`, `&`...), null for the last. */
  readonly operator: string | null;
}

const ANSI_C: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

/** Reads `$'...'` from just after its opening quote; returns the text and the index after the closing quote. */
function ansiC(line: string, start: number): [string, number] {
  let out = "";
  let i = start;
  while (i < line.length && line[i] !== "'") {
    const c = line[i] as string;
    if (c !== "\\" || i + 1 >= line.length) {
      out += c;
      i++;
      continue;
    }
    const e = line[i + 1] as string;
    const hex = e === "x" ? /^[0-9A-Fa-f]{1,2}/.exec(line.slice(i + 2, i + 4)) : null;
    const oct = /^[0-7]{1,3}/.exec(line.slice(i + 1, i + 4));
    if (hex !== null) {
      out += String.fromCharCode(Number.parseInt(hex[0], 16));
      i += 2 + hex[0].length;
    } else if (oct !== null) {
      out += String.fromCharCode(Number.parseInt(oct[0], 8) & 0xff);
      i += 1 + oct[0].length;
    } else {
      out += ANSI_C[e] ?? `\\${e}`;
      i += 2;
    }
  }
  return [out, i + 1];
}

/** Reads a `$(...)` or `` `...` `` substitution as text, from its opening; returns the index after it. */
function substitution(line: string, start: number): number {
  if (line[start] === "`") {
    const end = line.indexOf("`", start + 1);
    return end < 0 ? line.length : end + 1;
  }
  let depth = 0;
  for (let i = start; i < line.length; i++) {
    if (line[i] === "(") depth++;
    else if (line[i] === ")" && --depth === 0) return i + 1;
  }
  return line.length;
}

const REDIRECT = /^(?:>>|>&|>\||<<<|<<-?|<>|<&|>|<|&>>?)/;
const OPERATOR = /^(?:\|\||\|&|&&|;;|[|;&()\n])/;

/**
 * Splits a command line into simple commands with POSIX shell quoting: single quotes, double quotes
 * (backslash escapes `$`, `` ` ``, `"`, `\`), backslash escapes, ANSI-C `$'...'`, `$(...)` and backticks kept
 * as text in their word, `#` comments, redirections attached to their target, and `|`, `||`, `&&`, `;`,
 * `&`, newlines and parentheses ending a segment. Variables are not expanded.
 */
export function splitShellLine(line: string): ShellSegment[] {
  // Long because it is one character-level state machine for POSIX quoting; its states share the cursor and the current word.
  const segments: ShellSegment[] = [];
  let words: ShellWord[] = [];
  let word: string | null = null;
  let redirect: string | undefined;
  const endWord = () => {
    if (word === null) return;
    words.push(redirect === undefined ? { text: word } : { text: word, redirect });
    word = null;
    redirect = undefined;
  };
  const endSegment = (operator: string | null) => {
    endWord();
    if (words.length > 0) segments.push({ words, operator });
    else if (operator !== null && segments.length > 0) {
      const last = segments.pop() as ShellSegment;
      segments.push({ words: last.words, operator: last.operator ?? operator });
    }
    words = [];
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === " " || c === "\t" || c === "\r") {
      endWord();
      i++;
    } else if (c === "#" && word === null) {
      const eol = line.indexOf("\n", i);
      i = eol < 0 ? line.length : eol;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? "") + line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end + 1;
    } else if (c === '"') {
      let text = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        const d = line[i] as string;
        const next = line[i + 1];
        if (d === "\\" && next !== undefined && '$`"\\\n'.includes(next)) {
          if (next !== "\n") text += next;
          i += 2;
        } else {
          text += d;
          i++;
        }
      }
      word = (word ?? "") + text;
      i++;
    } else if (c === "\\") {
      const next = line[i + 1];
      if (next !== undefined && next !== "\n") word = (word ?? "") + next;
      i += 2;
    } else if (c === "$" && line[i + 1] === "'") {
      const [text, end] = ansiC(line, i + 2);
      word = (word ?? "") + text;
      i = end;
    } else if ((c === "$" && line[i + 1] === "(") || c === "`") {
      const end = substitution(line, c === "$" ? i + 1 : i);
      word = (word ?? "") + line.slice(i, end);
      i = end;
    } else {
      const r =
        c === "<" || c === ">" || (c === "&" && line[i + 1] === ">")
          ? REDIRECT.exec(line.slice(i, i + 4))
          : null;
      if (r !== null) {
        // Digits just before the operator are its file descriptor (2>), not a word of their own.
        const fd = word !== null && /^\d{1,2}$/.test(word) ? word : "";
        if (fd !== "") word = null;
        else endWord();
        redirect = `${fd}${r[0]}`;
        i += r[0].length;
        while (line[i] === " " || line[i] === "\t") i++;
        // The target is the next word; none (at an operator or the end of the line) is kept as "".
        if (i >= line.length || OPERATOR.test(line.slice(i, i + 2))) {
          words.push({ text: "", redirect });
          redirect = undefined;
        }
        continue;
      }
      const op = OPERATOR.exec(line.slice(i, i + 2));
      if (op !== null) {
        endSegment(op[0] === "\n" ? ";" : op[0]);
        i += op[0].length;
        continue;
      }
      word = (word ?? "") + c;
      i++;
    }
  }
  endSegment(null);
  return segments;
}

/** Programs that only run the command after them; their own options are kept as parameters. */
const WRAPPERS = new Set([
  "sudo",
  "doas",
  "env",
  "nohup",
  "time",
  "exec",
  "nice",
  "command",
  "builtin",
  "timeout",
  "stdbuf",
  "xargs",
]);

/**
 * Programs whose first argument is a subcommand (`git push`, `kubectl get`): it joins the command's name,
 * since `git push` and `git log` are different actions. For any other program, arguments are parameters.
 */
export const SUBCOMMAND_PROGRAMS: ReadonlySet<string> = new Set([
  "apt",
  "apt-get",
  "aws",
  "az",
  "brew",
  "cargo",
  "crictl",
  "dnf",
  "docker",
  "gcloud",
  "gh",
  "git",
  "go",
  "helm",
  "ip",
  "kubectl",
  "npm",
  "oc",
  "openssl",
  "pip",
  "pip3",
  "podman",
  "service",
  "snap",
  "systemctl",
  "terraform",
  "yarn",
  "yum",
]);

/** Positional arguments beyond this many are counted into the last, so no line makes unbounded parameters. */
const MAX_ARGS = 8;

/** The name of a line that holds no command (blank, or only a comment). */
export const NO_COMMAND = "(no command)";

/** Options of {@link shellCommand}. */
export interface ShellCommandOptions {
  /** Replace values of known shapes by placeholders (see {@link shapeValue}) in every parameter value. */
  readonly shapes: boolean;
}

/** A command line as a command name and parameter values, ready to become a `Cmd`. */
export interface ShellCommand {
  /** Each simple command's program (basename), subcommand and flags, joined by the operators between them. */
  readonly name: string;
  /** Parameter names mapped to values (null for a flag without `=value`). */
  readonly params: Readonly<Record<string, string | null>>;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}=/;
const SUBCOMMAND = /^[a-z][a-z0-9-]{0,31}$/;
const FLAG = /^-{1,2}[A-Za-z0-9?@#][^=]{0,63}/;

function defineOwn(record: Record<string, string | null>, key: string, value: string | null): void {
  // defineProperty keeps a parameter named __proto__ an ordinary own key.
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One simple command as its name, adding its parameters (prefixed for segments after the first). */
function segmentCommand(
  words: readonly ShellWord[],
  put: (name: string, value: string | null) => void,
): string {
  // Long because wrappers, the program name, flags, subcommands and arguments are read in one left-to-right walk over the words.
  const plain = words.filter((w) => w.redirect === undefined).map((w) => w.text);
  for (const w of words) if (w.redirect !== undefined) put(w.redirect, w.text);
  let at = 0;
  // Wrappers and assignments before the program: kept as parameters, the program after them named.
  for (;;) {
    const w = plain[at];
    if (w === undefined) break;
    if (ASSIGNMENT.test(w)) {
      const eq = w.indexOf("=");
      put(`$${w.slice(0, eq)}`, w.slice(eq + 1));
      at++;
    } else if (WRAPPERS.has(w)) {
      put(w, null);
      at++;
      // The wrapper's own options (sudo -u root, nice -n 10): a flag, then a value if one follows as its own word.
      while (plain[at]?.startsWith("-") === true) {
        const flag = plain[at] as string;
        const value = plain[at + 1];
        const takesValue = /^-[A-Za-z]$/.test(flag) && value !== undefined && !value.startsWith("-");
        put(`${w}${flag}`, takesValue && WRAPPER_FLAG_VALUES.has(`${w}${flag}`) ? (value as string) : null);
        at += takesValue && WRAPPER_FLAG_VALUES.has(`${w}${flag}`) ? 2 : 1;
      }
    } else break;
  }
  const program = plain[at];
  if (program === undefined) return at > 0 ? "(assignment)" : "(redirection)";
  const slash = program.lastIndexOf("/");
  // An empty program ('' or "") is named as the shell would show it, so every command has a name.
  const base = (slash < 0 ? program : program.slice(slash + 1) || program) || "''";
  if (slash >= 0) put("dir", program.slice(0, slash + 1));
  const flags = new Set<string>();
  let name = base;
  let positional = 0;
  let options = true;
  // A one-letter global option before the subcommand takes the next word (kubectl -n prod get pods).
  let globalOption = "";
  for (const w of plain.slice(at + 1)) {
    const pending = globalOption;
    globalOption = "";
    if (options && w === "--") {
      options = false;
      continue;
    }
    const beforeSubcommand = name === base && positional === 0 && SUBCOMMAND_PROGRAMS.has(base);
    const flag = options ? FLAG.exec(w) : null;
    if (flag !== null) {
      flags.add(flag[0]);
      const eq = w.indexOf("=");
      if (eq > 0 && w.startsWith("--")) put(flag[0], w.slice(eq + 1));
      else if (beforeSubcommand && /^-[A-Za-z]$/.test(w)) globalOption = w;
      continue;
    }
    if (pending !== "") put(pending, w);
    else if (beforeSubcommand && SUBCOMMAND.test(w)) name = `${base} ${w}`;
    else {
      positional = Math.min(positional + 1, MAX_ARGS);
      put(positional === MAX_ARGS ? `arg${MAX_ARGS}+` : `arg${positional}`, w);
    }
  }
  return [name, ...[...flags].sort()].join(" ");
}

/** Wrapper options that take a value (`sudo -u root`); other wrapper flags stand alone. */
const WRAPPER_FLAG_VALUES = new Set(["sudo-u", "sudo-g", "nice-n", "doas-u", "xargs-I", "xargs-n"]);

/**
 * A command line as one command: the name is each simple command's program (its basename, after wrappers
 * such as `sudo` and `env VAR=x`, which become parameters), its subcommand for the programs in
 * {@link SUBCOMMAND_PROGRAMS}, and its flags sorted, joined by the operators between the simple commands
 * (`curl -s | bash`). Positional arguments become parameters `arg1`, `arg2`... (the eighth and later share
 * `arg8+`), `--flag=value` a parameter `--flag`, redirections a parameter named by their operator, the
 * program's directory `dir`, wrappers `sudo`, `env`..., assignments `$VAR`. Parameters of the second
 * and later simple commands are prefixed by their position (`2:arg1`). With `shapes`, every value is shaped.
 * A line with no command at all (blank, a comment) has the name {@link NO_COMMAND}.
 */
export function shellCommand(line: string, options: ShellCommandOptions): ShellCommand {
  const params: Record<string, string | null> = {};
  const parts: string[] = [];
  splitShellLine(line).forEach((segment, i) => {
    const prefix = i === 0 ? "" : `${i + 1}:`;
    const put = (name: string, value: string | null) => {
      const key = `${prefix}${name}`;
      const shaped = value !== null && options.shapes ? shapeValue(value) : value;
      const before = params[key];
      // A parameter given twice (-v -v, two redirections) keeps every value.
      defineOwn(
        params,
        key,
        Object.hasOwn(params, key) && before != null && shaped !== null ? `${before} ${shaped}` : shaped,
      );
    };
    parts.push(segmentCommand(segment.words, put));
    if (segment.operator !== null) parts.push(segment.operator);
  });
  if (parts.length > 0 && /^(?:;|&)$/.test(parts[parts.length - 1] as string)) parts.pop();
  return { name: parts.length === 0 ? NO_COMMAND : parts.join(" "), params };
}
