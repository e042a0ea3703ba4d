import { createRequire } from "node:module";
import pc from "picocolors";

/** How a column of the terminal table may be narrowed. */
export type ColumnKind = "key" | "identity" | "time" | "number" | "text";

/** One column of the terminal table. */
export interface TableColumn {
  readonly head: string;
  readonly kind: ColumnKind;
  /** Which columns go first when the terminal is narrow: the lowest; 0 never goes. */
  readonly keep: number;
}

/** Widest a column grows (text wraps past it), by kind; padding excluded. */
const WIDEST: Record<ColumnKind, number> = { key: 8, identity: 40, time: 24, number: 24, text: 56 };
/** Narrowest each kind wraps to before a column is dropped (identities keep their width, times do not wrap). */
const SOFT_NARROWEST: Record<ColumnKind, number> = { key: 99, identity: 99, time: 99, number: 99, text: 12 };
/** ...and before a column of this `keep` or more is dropped, identities wrap to this width first. */
const IDENTITY_WRAPS_BEFORE_DROPPING = 4;
const IDENTITY_SOFT_NARROWEST = 16;
/** Narrowest each kind wraps to when no column is left to drop: cells wrap, never cut. */
const HARD_NARROWEST: Record<ColumnKind, number> = { key: 4, identity: 8, time: 10, number: 6, text: 8 };

/** The terminal's width for the table: its columns when stdout is a terminal; null (no limit) when piped. */
export function terminalWidth(stdout: { isTTY?: boolean; columns?: number }): number | null {
  return stdout.isTTY === true && typeof stdout.columns === "number" && stdout.columns > 0
    ? stdout.columns
    : null;
}

/** Total width of a table with these column widths (each counts its 2 spaces of padding) and its borders. */
const totalWidth = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0) + widths.length + 1;

/** Narrows columns down to `narrowest` (widest slack first) until the table fits `width`, or as far as they go. */
function shrink(
  widths: number[],
  columns: readonly TableColumn[],
  narrowest: Record<ColumnKind, number>,
  width: number,
): { widths: number[]; fits: boolean } {
  const out = [...widths];
  let excess = totalWidth(out) - width;
  while (excess > 0) {
    let best = -1;
    let slack = 0;
    for (const [i, c] of columns.entries()) {
      const s = (out[i] as number) - 2 - narrowest[c.kind];
      if (s > slack) {
        slack = s;
        best = i;
      }
    }
    if (best < 0) return { widths: out, fits: false };
    out[best] = (out[best] as number) - 1;
    excess--;
  }
  return { widths: out, fits: true };
}

/**
 * Which columns the table keeps and how wide each is, to fit `width` (null: no limit). Narrow terminals
 * wrap text and identities some, then drop the lowest `keep`, then wrap further: cells wrap, never cut,
 * so two identities never look the same.
 */
export function layoutTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  width: number | null,
): { kept: number[]; widths: number[] } {
  // A head keeps one line where there is room; narrowing wraps it at its spaces like any cell.
  const natural = columns.map(
    (c, i) => Math.min(WIDEST[c.kind], Math.max(c.head.length, ...rows.map((r) => (r[i] ?? "").length))) + 2,
  );
  let kept = columns.map((_, i) => i);
  const of = (idx: readonly number[]) => ({
    cols: idx.map((i) => columns[i] as TableColumn),
    widths: idx.map((i) => natural[i] as number),
  });
  if (width === null) return { kept, widths: of(kept).widths };
  for (;;) {
    const { cols, widths } = of(kept);
    const droppable = kept.filter((i) => (columns[i] as TableColumn).keep > 0);
    const drop = droppable.reduce(
      (a, b) => ((columns[b] as TableColumn).keep < (columns[a] as TableColumn).keep ? b : a),
      droppable[0] ?? -1,
    );
    const valuable = drop >= 0 && (columns[drop] as TableColumn).keep >= IDENTITY_WRAPS_BEFORE_DROPPING;
    const narrowest = valuable ? { ...SOFT_NARROWEST, identity: IDENTITY_SOFT_NARROWEST } : SOFT_NARROWEST;
    const fitted = shrink(widths, cols, narrowest, width);
    if (fitted.fits) return { kept, widths: fitted.widths };
    if (drop < 0) break;
    kept = kept.filter((i) => i !== drop);
  }
  const { cols, widths } = of(kept);
  return { kept, widths: shrink(widths, cols, HARD_NARROWEST, width).widths };
}

/**
 * Lines of at most `width` characters holding all of `text`: at spaces where `atWords`, and a piece too
 * long for a line is broken inside (never cut: cli-table3 would end it with "…").
 */
export function wrapCell(text: string, width: number, atWords: boolean): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of atWords ? paragraph.split(" ") : [paragraph]) {
      let rest = word;
      if (line !== "" && line.length + 1 + rest.length <= width) {
        line += ` ${rest}`;
        continue;
      }
      if (line !== "") lines.push(line);
      while (rest.length > width) {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** Box-drawing characters of cli-table3's default style. */
const BOX = {
  top: ["┌", "┬", "┐"],
  mid: ["├", "┼", "┤"],
  bottom: ["└", "┴", "┘"],
  line: "─",
  side: "│",
} as const;

/** Printable ASCII and line breaks only: text whose display width is its length, with no escape codes. */
const PLAIN = /^[\x20-\x7e\n]*$/;

/**
 * The table as cli-table3 (no colours, padding 1, every column's width given) draws it, for cells of
 * printable ASCII that fit their columns; null for anything else (cli-table3 then draws it, measuring wide
 * characters and escape codes). cli-table3 costs a regular expression built per measured string: most of
 * a small hunt's drawing time.
 */
export function drawPlainTable(
  heads: readonly string[],
  rows: readonly (readonly string[])[],
  widths: readonly number[],
): string | null {
  if (heads.length === 0 || widths.length !== heads.length) return null;
  const cellLines: string[][][] = [];
  for (const row of [heads, ...rows]) {
    if (row.length !== widths.length) return null;
    const lines: string[][] = [];
    for (const [x, text] of row.entries()) {
      const room = (widths[x] as number) - 2;
      if (room < 1 || !PLAIN.test(text)) return null;
      const split = text.split("\n");
      if (split.some((l) => l.length > room)) return null;
      lines.push(split);
    }
    cellLines.push(lines);
  }
  const rule = (chars: readonly string[]) =>
    `${chars[0]}${widths.map((w) => BOX.line.repeat(w)).join(chars[1])}${chars[2]}`;
  const out: string[] = [];
  for (const [y, cells] of cellLines.entries()) {
    out.push(rule(y === 0 ? BOX.top : BOX.mid));
    const height = Math.max(...cells.map((c) => c.length));
    for (let n = 0; n < height; n++) {
      const parts = cells.map((c, x) => ` ${(c[n] ?? "").padEnd((widths[x] as number) - 2)} `);
      out.push(`${BOX.side}${parts.join(BOX.side)}${BOX.side}`);
    }
  }
  out.push(rule(BOX.bottom));
  return out.join("\n");
}

/** cli-table3's drawing, loaded only for tables the plain drawing leaves to it (colours, wide characters). */
function drawWithCliTable(
  heads: readonly string[],
  rows: readonly (readonly string[])[],
  widths: readonly number[],
  color: boolean,
): string {
  const Table = createRequire(import.meta.url)("cli-table3") as typeof import("cli-table3");
  const table = new Table({
    head: [...heads],
    style: color ? {} : { head: [], border: [] },
    colWidths: [...widths],
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

/** The table as text, fitted to `width` (see layoutTable), bold heads when `color`. */
export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  options: { width: number | null; color: boolean },
): string {
  const { kept, widths } = layoutTable(columns, rows, options.width);
  const cell = (text: string, k: number, atWords: boolean) =>
    wrapCell(text, Math.max(1, (widths[k] as number) - 2), atWords).join("\n");
  const heads = kept.map((i, k) => {
    const head = cell((columns[i] as TableColumn).head, k, true);
    return options.color ? pc.bold(head) : head;
  });
  // Identities and times wrap anywhere (they have no spaces to wrap at); text wraps at words.
  const cells = rows.map((row) =>
    kept.map((i, k) => cell(row[i] ?? "", k, (columns[i] as TableColumn).kind === "text")),
  );
  const drawn =
    (options.color ? null : drawPlainTable(heads, cells, widths)) ??
    drawWithCliTable(heads, cells, widths, options.color);
  const hidden = columns.filter((_, i) => !kept.includes(i)).map((c) => c.head);
  return hidden.length === 0
    ? drawn
    : `${drawn}\n(not shown, for the terminal's width: ${hidden.join(", ")}; every column is in --out)`;
}
