import { describe, expect, it } from "vitest";
import { openDuckDB } from "../../src/io/read-events.js";
import { registerTimeParser, timeMicrosSql } from "../../src/io/time-sql.js";
import { parseTimeText, timeFormatParser } from "../../src/parse/time.js";

/** What the reader's SQL makes of each text, as numbers (NaN for NULL). */
async function viaSql(texts: readonly string[], format?: string): Promise<number[]> {
  const { con, close } = await openDuckDB();
  try {
    registerTimeParser(con, { format });
    const values = texts.map((t) => `('${t.replace(/'/g, "''")}', ${texts.indexOf(t)})`).join(", ");
    const rows = (
      await con.runAndReadAll(
        `SELECT ${timeMicrosSql("x", { format })} AS micros FROM (VALUES ${values}) v(x, i) ORDER BY i`,
      )
    ).getRowObjectsJson();
    return rows.map((r) => (r.micros === null ? Number.NaN : Number(r.micros)));
  } finally {
    close();
  }
}

describe("the reader's time SQL agrees with the core's parser", () => {
  const texts = [
    "2026-09-30T17:45:27Z",
    "2026-09-30 17:45:27",
    "2026-09-30T17:45:27.0000000Z ",
    "2026-09-30T17:45:27.123456Z",
    "2026-09-30T19:45:27+02:00",
    "2026-09-30T19:45:27+0200",
    "9/30/2026, 5:45:27.226 PM",
    "9/30/2026 5:45:27 PM",
    "1790790327",
    "1790790327.5",
    "1790790327226",
    "1790790327226123",
    "1790790327226123456",
    "99999999999",
    "100000000000",
    "9999999999999999999999999",
    "not a time",
    "",
  ];

  it("for every format seqhunt knows", async () => {
    expect(await viaSql(texts)).toEqual(texts.map(parseTimeText));
  });

  it("with --time-format", async () => {
    const format = "%d/%m/%Y %H:%M:%S";
    const some = ["30/09/2026 17:45:27", "2026-09-30T17:45:27Z", "31/02/2026 00:00:00"];
    expect(await viaSql(some, format)).toEqual(some.map(timeFormatParser(format)));
  });
});
