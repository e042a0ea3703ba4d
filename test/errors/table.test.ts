// The terminal table fits the terminal, never cuts an identity, and keeps the milliseconds of times.
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  drawPlainTable,
  layoutTable,
  renderTable,
  type TableColumn,
  terminalWidth,
  wrapCell,
} from "../../src/cli/table-layout.js";
import { COLUMNS, cli, folder, put } from "./helpers.js";

const columns: TableColumn[] = [
  { head: "rank", kind: "key", keep: 0 },
  { head: "UserId", kind: "identity", keep: 0 },
  { head: "ClientIP", kind: "identity", keep: 0 },
  { head: "start", kind: "time", keep: 0 },
  { head: "length", kind: "number", keep: 2 },
  { head: "rarest window likelihood", kind: "number", keep: 3 },
  { head: "rarest window", kind: "text", keep: 4 },
  { head: "reason", kind: "text", keep: 1 },
];
const long = "admin-with-a-very-long-name@contoso.onmicrosoft.com";
const rows = [
  [
    "1",
    `${long}-1`,
    "2001:db8:85a3::8a2e:370:7334",
    "2026-09-23T12:24:06.123Z",
    "12",
    "1.234e-7",
    "Set-Mailbox -> New-InboxRule -> Add-MailboxPermission",
    "rare transition Set-Mailbox -> New-InboxRule (p=0.0001)",
  ],
  ["2", `${long}-2`, "10.0.0.1", "2026-09-23T12:24:07Z", "3", "2.5e-5", "A -> B -> C", "short"],
];

/** Each row's cell of the given visible column, its wrapped lines joined. */
function columnCells(table: string, column: number): string[] {
  const cells: string[] = [];
  let current: string | null = null;
  for (const line of table.split("\n")) {
    if (!line.startsWith("│")) {
      if (current !== null) cells.push(current);
      current = line.startsWith("├") || line.startsWith("└") ? null : current;
      continue;
    }
    const part = (line.split("│")[column + 1] ?? "").trim();
    current = current === null ? part : current + part;
  }
  return cells;
}

describe("the terminal table", () => {
  it.each([60, 80, 100, 140])("fits %i columns, with every identity whole", (width) => {
    const table = renderTable(columns, rows, { width, color: false });
    for (const line of table.split("\n"))
      if (line.startsWith("│") || line.startsWith("┌")) expect(line.length).toBeLessThanOrEqual(width);
    const body = columnCells(table, 1).slice(1);
    expect(body).toEqual([`${long}-1`, `${long}-2`]);
    expect(columnCells(table, 3).slice(1)).toEqual(["2026-09-23T12:24:06.123Z", "2026-09-23T12:24:07Z"]);
  });

  it("drops the reason before the rarest window, and says what it left out", () => {
    let windowWithoutReason = false;
    for (let width = 60; width <= 240; width++) {
      const { kept } = layoutTable(columns, rows, width);
      if (kept.includes(7)) expect(kept).toContain(6);
      if (kept.includes(6) && !kept.includes(7)) windowWithoutReason = true;
      const text = renderTable(columns, rows, { width, color: false });
      expect(text.includes("not shown, for the terminal's width")).toBe(kept.length < columns.length);
    }
    expect(windowWithoutReason).toBe(true);
  });

  it("shows every column when piped (no width)", () => {
    expect(terminalWidth({ isTTY: false, columns: 80 })).toBeNull();
    expect(terminalWidth({ isTTY: true, columns: 93 })).toBe(93);
    expect(layoutTable(columns, rows, null).kept).toHaveLength(columns.length);
  });

  it("draws plain tables character for character as cli-table3 does", () => {
    const Table = createRequire(import.meta.url)("cli-table3") as typeof import("cli-table3");
    const cliTable3 = (heads: string[], body: string[][], widths: number[]) => {
      const table = new Table({ head: heads, style: { head: [], border: [] }, colWidths: widths });
      for (const row of body) table.push(row);
      return table.toString();
    };
    // Cells of printable ASCII, some of several lines, each line fitting its column (as wrapCell makes them).
    const line = fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", "-", ">", "@", "~"), maxLength: 9 });
    const table = fc.integer({ min: 1, max: 5 }).chain((n) =>
      fc.record({
        widths: fc.array(fc.integer({ min: 11, max: 14 }), { minLength: n, maxLength: n }),
        rows: fc.array(
          fc.array(
            fc.array(line, { minLength: 1, maxLength: 3 }).map((ls) => ls.join("\n")),
            { minLength: n, maxLength: n },
          ),
          { minLength: 1, maxLength: 4 },
        ),
      }),
    );
    fc.assert(
      fc.property(table, ({ widths, rows: [heads = [], ...body] }) => {
        expect(drawPlainTable(heads, body, widths)).toBe(cliTable3(heads, body, widths));
      }),
    );
    // What it cannot measure as cli-table3 does, it leaves to it.
    expect(drawPlainTable(["a"], [["wide 文字"]], [12])).toBeNull();
    expect(drawPlainTable(["a"], [["\u001b[1mbold"]], [12])).toBeNull();
    expect(drawPlainTable(["a"], [["longer than its column"]], [12])).toBeNull();
    expect(renderTable(columns, [["1", "文字"]], { width: null, color: false })).toContain("文字");
  });

  it("wraps a cell without losing a character", () => {
    const text = "Set-Mailbox -> New-InboxRule -> Add-MailboxPermission";
    for (const w of [5, 9, 16, 40]) {
      const lines = wrapCell(text, w, true);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(w);
      expect(lines.join("").replace(/ /g, "")).toBe(text.replace(/ /g, ""));
    }
  });

  it("hunt prints start times with their milliseconds", async () => {
    const dir = folder();
    const rows = Array.from(
      { length: 12 },
      (_, i) => `u${i % 2},2026-09-23T12:24:${String(i).padStart(2, "0")}.${String(100 + i)}Z,Op${i % 3}`,
    );
    const r = await cli([
      "hunt",
      put(dir, "ms.csv", `UserId,TimeGenerated,Operation\n${rows.join("\n")}\n`),
      ...COLUMNS,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("2026-09-23T12:24:00.100Z");
    expect(r.out).not.toContain("…");
  });
});
