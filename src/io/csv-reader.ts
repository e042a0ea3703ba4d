import { SeqhuntError } from "../errors.js";
import { MAX_LINE_BYTES } from "./duckdb-errors.js";
import { sqlString } from "./formats.js";
import { emptyFileError } from "./read-problems.js";
import { firstRecord } from "./text-file.js";

/** The fields of one CSV record: split at `delim` outside quotes, quotes removed, `""` made `"`. */
export function splitCsvRecord(record: string, delim: string): string[] {
  const fields: string[] = [];
  let field = "";
  let inQuotes = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i] as string;
    if (ch === '"') {
      if (inQuotes && record[i + 1] === '"') {
        field += '"';
        i++;
      } else inQuotes = !inQuotes;
    } else if (ch === delim && !inQuotes) {
      fields.push(field);
      field = "";
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/** The delimiter of a CSV header: the most frequent of , ; | and tab outside quotes (a comma when none). */
export function headerDelimiter(header: string): string {
  const counts = new Map<string, number>();
  let inQuotes = false;
  for (const ch of header) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === "," || ch === ";" || ch === "|" || ch === "\t"))
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ",";
  for (const [ch, n] of counts) if (n > (counts.get(best) ?? 0)) best = ch;
  return best;
}

/**
 * A DuckDB read_csv of every column as text, and its column names. The header and delimiter are read here
 * and the dialect given (double quotes, doubled to escape): DuckDB's sniffer takes seconds on a long line,
 * then fails. A blank file is an error that says so.
 */
export async function csvReader(source: {
  path: string;
  file: string;
  /** The delimiter, or null to take it from the header. */
  delim: string | null;
  options: string;
}): Promise<{ reader: string; names: string[] }> {
  await emptyFileError(source.file, source.path);
  const header = await firstRecord(source.file, MAX_LINE_BYTES);
  const delim = source.delim ?? headerDelimiter(header);
  const names = splitCsvRecord(header, delim).map((n, i) => (n.trim() === "" ? `column${i}` : n));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    throw new SeqhuntError(
      `${source.path}:1: the header names the column ${JSON.stringify(twice)} twice: rename one of them`,
      { file: source.path, line: 1, field: twice },
    );
  const columns = names.map((n) => `${sqlString(n)}: 'VARCHAR'`).join(", ");
  const reader = `read_csv(${sqlString(source.file)}, columns = {${columns}}, header = true, auto_detect = false, delim = ${delim === "\t" ? "'\\t'" : sqlString(delim)}, quote = '"', escape = '"', ${source.options})`;
  return { reader, names };
}
