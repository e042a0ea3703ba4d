import { SeqhuntError } from "../errors.js";
import type { CmdJson, CmdParams } from "../types.js";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Checks a command's name and parameters once, so a Cmd is valid wherever it goes. */
function checkCmd(name: unknown, params: unknown): void {
  if (typeof name !== "string")
    throw new SeqhuntError(`a command name must be a string, got ${describe(name)}`);
  if (params instanceof Set) {
    for (const p of params) {
      if (typeof p !== "string")
        throw new SeqhuntError(`${name}: parameter names must be strings, got ${describe(p)}`);
    }
    return;
  }
  const proto = params !== null && typeof params === "object" ? Object.getPrototypeOf(params) : undefined;
  if (Array.isArray(params) || (proto !== Object.prototype && proto !== null)) {
    throw new SeqhuntError(
      `${name}: params must be a Set of names or a record of name -> value, got ${describe(params)}`,
    );
  }
  const record = params as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    // Numbers and booleans are accepted too, read as Python prints them (1, 1.5, True).
    if (
      v !== null &&
      typeof v !== "string" &&
      !(typeof v === "number" && Number.isFinite(v)) &&
      typeof v !== "boolean"
    ) {
      throw new SeqhuntError(
        `${name}: the value of parameter ${JSON.stringify(key)} must be a string or null, got ${describe(v)}`,
      );
    }
  }
}

/**
 * A parameter value as the reference keys it: the text Python's str() gives (True, 1, 1.5), or null when
 * Python finds it falsy (None, "", 0, False): such values are never counted.
 */
export function valueKey(value: unknown): string | null {
  // Strings first: nearly every value is one, and this is the training loop's per-value call.
  if (typeof value === "string") return value === "" ? null : value;
  if (value === null || value === undefined || value === "" || value === 0 || value === false) return null;
  if (value === true) return "True";
  return String(value);
}

/** How the reference writes a value in a parameter-set key (`"p --- v"`): str(v), None for null. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

/** Python's repr of a string, as the reference prints it. */
function pythonRepr(value: string | null): string {
  if (value === null) return "None";
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/\\/g, "\\\\").replace(quote === "'" ? /'/g : /"/g, `\\${quote}`);
  return `${quote}${escaped.replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}${quote}`;
}

/** Set while building a Cmd whose parts were checked where they were made (see {@link trustedCmd}). */
let trusted = false;

/** A Cmd from parts already known valid (parameters parsed by seqhunt's readers): skips the checks. */
export function trustedCmd(name: string, params: CmdParams): Cmd {
  trusted = true;
  try {
    return new Cmd(name, params);
  } finally {
    trusted = false;
  }
}

/**
 * A command with its parameters: a `Set` of parameter names, or a record from parameter name to value.
 * Sessions of plain command names use strings instead.
 */
export class Cmd {
  /** The command's name, e.g. `Set-Mailbox`. */
  readonly name: string;
  /** Parameter names (a `Set`), or parameter names mapped to their values (a record). */
  readonly params: CmdParams;

  /** Throws a {@link SeqhuntError} when the name is not a string or the params are neither a Set of names nor a record of string (or null) values. */
  constructor(name: string, params: CmdParams = new Set<string>()) {
    if (!trusted) checkCmd(name, params);
    this.name = name;
    this.params = params;
  }

  /** JSON form: `{name, params}` with params a list of names or an object of values. */
  toJSON(): CmdJson {
    const params = this.params;
    return {
      name: this.name,
      params: params instanceof Set ? [...params] : (params as Readonly<Record<string, string | null>>),
    };
  }

  /** Reads like the reference: `Cmd(name='Set-User', params={'Identity', 'Force'})`. */
  toString(): string {
    const params = this.params;
    let text: string;
    if (params instanceof Set) {
      text = params.size === 0 ? "set()" : `{${[...params].map((p) => pythonRepr(p)).join(", ")}}`;
    } else {
      const entries = Object.entries(params).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`);
      text = `{${entries.join(", ")}}`;
    }
    return `Cmd(name=${pythonRepr(this.name)}, params=${text})`;
  }
}
