import type { DuckDBConnection } from "@duckdb/node-api";
import { csvReader } from "../csv-reader.js";
import { sqlIdentifier } from "../formats.js";
import { csvReaderOptions } from "./duckdb-options.js";
import { paramsTextAt, textAt, withinColumn } from "./fields.js";
import { sampleRecords } from "./sample.js";
import type { InputSource, RecordReader, Route, SourceFile } from "./types.js";

/** CSV or TSV with a header; every cell is text, a cell may hold JSON text that dotted names reach into. */
function delimited(format: "csv" | "tsv"): InputSource {
  // CSV's delimiter is read from its header (, ; | or tab); TSV's is a tab.
  const delimiter = format === "tsv" ? "\t" : null;
  return {
    format,
    async open(con: DuckDBConnection, file: SourceFile): Promise<RecordReader> {
      const rejectsTable = `rejects_${file.index}`;
      const read = (rejects: string | null) =>
        csvReader({
          path: file.path,
          file: file.readFrom,
          delim: delimiter,
          options: csvReaderOptions(rejects),
        });
      const { reader: from, names: keys } = await read(rejectsTable);
      const column = (route: Route, last: (json: string, path: string) => string) =>
        withinColumn(sqlIdentifier((route[0] as { key: string }).key), route.slice(1), last);
      return {
        from,
        // Numbering rows takes a window, which makes every later step single-threaded: unnumbered rows
        // (NULL) are numbered by the reader as they arrive in file order.
        seq: file.numbered ? "CAST(row_number() OVER () AS DOUBLE)" : "NULL",
        bad: "false",
        rejectsTable,
        keys,
        openKeys: false,
        sample: async (n) => sampleRecords(con, (await read(null)).reader, n),
        text: (route) => column(route, textAt),
        paramsText: (route) => column(route, paramsTextAt),
        typedMicros: () => null,
      };
    },
  };
}

/** Comma-separated values with a header. */
export const csvSource: InputSource = delimited("csv");
/** Tab-separated values with a header. */
export const tsvSource: InputSource = delimited("tsv");
