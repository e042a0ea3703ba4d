import { sqlIdentifier } from "../formats.js";
import { duckdbReaderCall } from "./duckdb-options.js";
import { paramsTextAt, textAt, withinColumn } from "./fields.js";
import { describeColumns, sampleRecords } from "./sample.js";
import type { InputSource, Route } from "./types.js";

/** A nested DuckDB type (struct, map or list), read as JSON. */
const NESTED = /^(STRUCT|MAP)|\[\]$/;

/** Parquet: typed columns; nested structs, maps and lists are reached by dotted names through their JSON. */
export const parquetSource: InputSource = {
  format: "parquet",
  async open(con, file) {
    const from = duckdbReaderCall(file.readFrom, { kind: "parquet" });
    const described = (await describeColumns(con, from)).filter((c) => c.name !== "file_row_number");
    const typeOf = new Map(described.map((c) => [c.name, c.type]));
    const columnText = (name: string) => {
      const type = typeOf.get(name) ?? "VARCHAR";
      if (type === "VARCHAR") return sqlIdentifier(name);
      return NESTED.test(type)
        ? `to_json(${sqlIdentifier(name)})::VARCHAR`
        : `CAST(${sqlIdentifier(name)} AS VARCHAR)`;
    };
    const column = (route: Route, last: (json: string, path: string) => string) =>
      withinColumn(columnText((route[0] as { key: string }).key), route.slice(1), last);
    return {
      from,
      seq: "CAST(file_row_number + 1 AS DOUBLE)",
      bad: "false",
      rejectsTable: null,
      keys: described.map((c) => c.name),
      openKeys: false,
      sample: (n) => sampleRecords(con, `(SELECT * EXCLUDE (file_row_number) FROM ${from})`, n),
      text: (route) => column(route, textAt),
      paramsText: (route) => column(route, paramsTextAt),
      typedMicros: (route) => {
        const name = (route[0] as { key: string }).key;
        if (route.length !== 1 || !/^TIMESTAMP|^DATE/.test(typeOf.get(name) ?? "")) return null;
        return `CAST(epoch_us(CAST(${sqlIdentifier(name)} AS TIMESTAMPTZ)) AS DOUBLE)`;
      },
    };
  },
};
