/** What a sanity check sees of a session. */
export interface SessionShape {
  readonly identity: readonly (string | null)[];
  /** First and last event, epoch microseconds (null with --sessions). */
  readonly start: number | null;
  readonly end: number | null;
  readonly commands: readonly unknown[];
}

/** The share of sessions or rows past which a pattern is "most" of them. */
const MOST = 0.5;
/** One-event sessions warn only past this share: the reference's own Exchange demo has 61% of them. */
const NEARLY_ALL = 0.9;
/** Fewer sessions (or rows) than this say too little to warn about. */
const MIN_SESSIONS = 10;
/** Distinct values kept per identity column; past this a column is surely "new on most rows" or not. */
const MAX_DISTINCT = 1_000_000;
const YEAR_MICROS = 365.25 * 24 * 3600 * 1e6;

const count = (n: number) => n.toLocaleString("en-US");
const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;
const iso = (micros: number) => new Date(Math.floor(micros / 1000)).toISOString();

/**
 * Checks after sessionizing that the result looks like sessions: most sessions with one event, an identity
 * column that takes a new value on most rows, times all in one second or spanning centuries. Fed each
 * session as it closes (memory: the distinct values of each identity column, capped).
 */
export class SanityCheck {
  readonly #columns: readonly string[];
  readonly #distinct: Set<string | null>[];
  readonly #examples: (string | null)[];
  #sessions = 0;
  #oneEvent = 0;
  #events = 0;
  #first = Number.POSITIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;

  /** `columns`: the identity columns, in the order of each session's identity. */
  constructor(columns: readonly string[]) {
    this.#columns = columns;
    this.#distinct = columns.map(() => new Set());
    this.#examples = columns.map(() => null);
  }

  /** Takes one session into account. */
  add(session: SessionShape): void {
    this.#sessions++;
    this.#events += session.commands.length;
    if (session.commands.length === 1) this.#oneEvent++;
    if (session.start !== null && session.start < this.#first) this.#first = session.start;
    if (session.end !== null && session.end > this.#last) this.#last = session.end;
    for (const [i, seen] of this.#distinct.entries()) {
      const value = session.identity[i] ?? null;
      if (seen.size < MAX_DISTINCT) seen.add(value);
      if (this.#examples[i] === null) this.#examples[i] = value;
    }
  }

  /** The warnings, each one line saying what looks wrong and what to do. */
  warnings(): string[] {
    const out: string[] = [];
    if (this.#events < MIN_SESSIONS) return out;
    for (const [i, column] of this.#columns.entries()) {
      const distinct = this.#distinct[i]?.size ?? 0;
      if (distinct <= MOST * this.#events) continue;
      const example = this.#examples[i] ?? "";
      const port = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]):\d+$/i.test(example)
        ? ` (values like ${JSON.stringify(example)} carry a port, new on each connection)`
        : "";
      const others = this.#columns.filter((c) => c !== column);
      out.push(
        `identity column "${column}" takes ${count(distinct)} different values in ${count(this.#events)} rows${port}: nearly every row starts a session of its own; ${others.length ? `leave it out of --user (--user ${others.join(",")})` : "check that --user names the column of who acted"}`,
      );
    }
    if (this.#sessions >= MIN_SESSIONS && this.#oneEvent > NEARLY_ALL * this.#sessions)
      out.push(
        `${count(this.#oneEvent)} of ${count(this.#sessions)} sessions (${percent(this.#oneEvent, this.#sessions)}) have one event: check --user (an identity column too fine-grained), --time, and --max-gap`,
      );
    if (this.#first <= this.#last) {
      if (this.#last - this.#first < 1e6)
        out.push(
          `every time falls within one second (${iso(this.#first)}): check that --time names the time column and its unit (epoch seconds, milliseconds)`,
        );
      else if (this.#last - this.#first > 100 * YEAR_MICROS)
        out.push(
          `times span ${Math.round((this.#last - this.#first) / YEAR_MICROS)} years (${iso(this.#first)} to ${iso(this.#last)}): check --time and its unit (epoch seconds, milliseconds)`,
        );
    }
    return out;
  }
}

/** The note for `--params` given without `--param-mode`, which then means `--param-mode values`. */
export function impliedParamModeNote(column: string): string {
  return `--params ${column} without --param-mode: using --param-mode values (commands with their parameters' names and values); say --param-mode names or none to choose otherwise`;
}
