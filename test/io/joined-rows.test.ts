import { describe, expect, it } from "vitest";
import { joinedRowsSql, openDuckDB, ROWS_PER_STRING } from "../../src/io/read-events.js";

describe("rows joined as DuckDB streams them", () => {
  it("come on the row that closes each batch, NULL on the others (no filter to hold the first chunk back)", async () => {
    const k = ROWS_PER_STRING;
    const n = 2 * k + 3;
    const { con, close } = await openDuckDB();
    try {
      const rows = `SELECT to_json(i)::VARCHAR AS __r FROM range(${n}) t(i)`;
      const out = (await con.runAndReadAll(joinedRowsSql(rows))).getRows().map((r) => r[0]);
      expect(out).toHaveLength(n);
      const batches = out.filter((x): x is string => x !== null).map((x) => JSON.parse(x) as number[]);
      const numbers = Array.from({ length: n }, (_, i) => i);
      expect(batches).toEqual([numbers.slice(0, k), numbers.slice(k, 2 * k), numbers.slice(2 * k)]);
      // Each batch sits on its last row.
      expect(out.map((x, i) => (x === null ? -1 : i))).toEqual(
        numbers.map((i) => ((i + 1) % k === 0 || i === n - 1 ? i : -1)),
      );
    } finally {
      close();
    }
  });
});
