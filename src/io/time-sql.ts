import type { DuckDBConnection } from "@duckdb/node-api";
import { EPOCH_UNITS, type TimeParserOptions, timeParser } from "../parse/time.js";
import { duckdb } from "./duckdb.js";
import { sqlString } from "./formats.js";

/** The DuckDB function that parses time text in JavaScript, as seqhunt's core does (see {@link registerTimeParser}). */
const TIME_FUNCTION = "seqhunt_time";

/** Microseconds of the largest time a `Date` holds. */
const MAX_MICROS = 8.64e18;

const EPOCH_REGEX = sqlString("^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$");
const INTEGER_REGEX = sqlString("^\\s*-?[0-9]+\\s*$");

/** Epoch microseconds from epoch number text, its unit told by magnitude as {@link EPOCH_UNITS} says. */
function epochSql(x: string): string {
  const value = `CAST(trim(${x}) AS DOUBLE)`;
  const cases = EPOCH_UNITS.map((u) => {
    // Whole nanoseconds divide as integers: a double holds 1.7e18 only to 256 ns.
    const micros =
      u.unit === "ns"
        ? `CASE WHEN regexp_full_match(${x}, ${INTEGER_REGEX}) THEN CAST(CAST(trim(${x}) AS HUGEINT) // 1000 AS DOUBLE) ELSE ${value} / 1000 END`
        : `${value} * ${u.micros}`;
    return Number.isFinite(u.below) ? `WHEN abs(${value}) < ${u.below} THEN ${micros}` : `ELSE ${micros}`;
  });
  const micros = `CAST(CASE ${cases.join(" ")} END AS DOUBLE)`;
  // Beyond what a Date holds (year 275760) is no time: NULL, reported as unparseable.
  return `CASE WHEN abs(${micros}) <= ${MAX_MICROS} THEN ${micros} END`;
}

/**
 * SQL for epoch microseconds from a VARCHAR expression. Without a format: epoch numbers by magnitude and
 * ISO 8601 natively, anything else (the Azure portal's US format...) through JavaScript's
 * {@link timeParser}; with `format`, every value through it. NULL where the text is not a time.
 * The connection needs {@link registerTimeParser} first.
 */
export function timeMicrosSql(x: string, options: TimeParserOptions): string {
  if (options.format !== undefined) return `${TIME_FUNCTION}(${x})`;
  const native = `CASE WHEN regexp_full_match(${x}, ${EPOCH_REGEX}) THEN ${epochSql(x)} ELSE CAST(epoch_us(try_cast(trim(${x}) AS TIMESTAMPTZ)) AS DOUBLE) END`;
  return `COALESCE(${native}, ${TIME_FUNCTION}(${x}))`;
}

/**
 * Registers the JavaScript time parser the options ask for (one `--time-format`, or every format seqhunt
 * knows) on a connection, for {@link timeMicrosSql}. Throws a SeqhuntError for a bad format.
 */
export function registerTimeParser(con: DuckDBConnection, options: TimeParserOptions): void {
  const parse = timeParser(options);
  const { DOUBLE, DuckDBScalarFunction, VARCHAR } = duckdb();
  con.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: TIME_FUNCTION,
      mainFunction: (_info, input, output) => {
        const texts = input.getColumnVector(0);
        for (let row = 0; row < input.rowCount; row++) {
          const text = texts.getItem(row);
          const micros = typeof text === "string" ? parse(text) : Number.NaN;
          output.setItem(row, Number.isNaN(micros) ? null : micros);
        }
        output.flush();
      },
      returnType: DOUBLE,
      parameterTypes: [VARCHAR],
    }),
  );
}
