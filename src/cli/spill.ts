import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trustedCmd } from "../model/cmd.js";
import type { Command } from "../types.js";
import { commandJson } from "./rank.js";
import type { CliSession } from "./sessions.js";

type SpilledCommand = string | { name: string; params: string[] | Record<string, string | null> };

function decodeCommand(c: SpilledCommand): Command {
  if (typeof c === "string") return c;
  // JSON.parse makes "__proto__" an ordinary own key, so a record read back is safe as it is.
  return trustedCmd(c.name, Array.isArray(c.params) ? new Set(c.params) : c.params);
}

/** A session as one line of JSON text (no newline): what a spill file holds. */
export function encodeSession(session: CliSession): string {
  return JSON.stringify([session.identity, session.start, session.end, session.commands.map(commandJson)]);
}

/** A session from its {@link encodeSession} text. */
export function decodeSession(line: string): CliSession {
  const [identity, start, end, commands] = JSON.parse(line) as [
    (string | null)[],
    number | null,
    number | null,
    SpilledCommand[],
  ];
  return { identity, start, end, commands: commands.map(decodeCommand), fields: {} };
}

/**
 * Sessions written to a private temporary file as they close, so a hunt holds the model and a few numbers
 * per session instead of every session: read back in order to score, and by index to rank and explain.
 */
export class SpilledSessions {
  readonly #dir: string;
  readonly #fd: number;
  #offsets = new Float64Array(1 << 16);
  #count = 0;
  #size = 0;
  #pending: string[] = [];
  #pendingSize = 0;

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), "seqhunt-spill-"));
    this.#fd = openSync(join(this.#dir, "sessions.jsonl"), "w+", 0o600);
  }

  /** Number of sessions written. */
  get count(): number {
    return this.#count;
  }

  /** Appends one session. */
  append(session: CliSession): void {
    const line = `${encodeSession(session)}\n`;
    if (this.#count + 1 >= this.#offsets.length) {
      const grown = new Float64Array(this.#offsets.length * 2);
      grown.set(this.#offsets);
      this.#offsets = grown;
    }
    this.#offsets[this.#count] = this.#size;
    this.#size += Buffer.byteLength(line);
    this.#count++;
    this.#offsets[this.#count] = this.#size;
    this.#pending.push(line);
    this.#pendingSize += line.length;
    if (this.#pendingSize >= 1 << 22) this.flush();
  }

  /** Writes what is buffered; call before reading. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const data = Buffer.from(this.#pending.join(""));
    this.#pending = [];
    this.#pendingSize = 0;
    let done = 0;
    while (done < data.length) done += writeSync(this.#fd, data, done, data.length - done);
  }

  #bytes(from: number, to: number): Buffer {
    const buffer = Buffer.allocUnsafe(to - from);
    let done = 0;
    while (done < buffer.length) done += readSync(this.#fd, buffer, done, buffer.length - done, from + done);
    return buffer;
  }

  /** Every session in order, `size` at a time. */
  *batches(size: number): Generator<CliSession[]> {
    this.flush();
    for (let first = 0; first < this.#count; first += size) {
      const last = Math.min(this.#count, first + size);
      const text = this.#bytes(this.#offsets[first] as number, this.#offsets[last] as number).toString(
        "utf8",
      );
      yield text.split("\n", last - first).map(decodeSession);
    }
  }

  /** The sessions at these indices, in that order. */
  read(indices: ArrayLike<number>): CliSession[] {
    this.flush();
    const out: CliSession[] = [];
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i] as number;
      const text = this.#bytes(this.#offsets[index] as number, (this.#offsets[index + 1] as number) - 1);
      out.push(decodeSession(text.toString("utf8")));
    }
    return out;
  }

  /** Deletes the file. */
  close(): void {
    closeSync(this.#fd);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
