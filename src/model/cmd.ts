import type { CmdParams } from "../types.js";

/** Python's repr of a string, as the reference prints it. */
function pythonRepr(value: string | null): string {
  if (value === null) return "None";
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/\\/g, "\\\\").replace(quote === "'" ? /'/g : /"/g, `\\${quote}`);
  return `${quote}${escaped.replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}${quote}`;
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

  constructor(name: string, params: CmdParams = new Set<string>()) {
    this.name = name;
    this.params = params;
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
