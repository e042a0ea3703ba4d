import { SeqhuntError } from "../errors.js";

/** File formats seqhunt reads. */
export type InputFormat = "csv" | "tsv" | "jsonl" | "json" | "parquet" | "history" | "audit";

/** A shell's history file by its name: `.bash_history`, `.zsh_history`, `fish_history`, `.history`, `alice.bash_history`. */
const HISTORY_NAME = /(^|[/\\._])[a-z]*_?history$/;

/** A Linux audit log by its name: `audit.log`, rotated `audit.log.1`, `host1.audit.log`, `host1-audit.log`. */
const AUDIT_NAME = /(^|[/\\._-])audit\.log(\.\d+)?$/;

/** The format of a file, from its name (a `.gz` suffix is read through). */
export function formatOf(path: string): InputFormat {
  const name = path.toLowerCase().replace(/\.(gz|gzip|zst)$/, "");
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".tsv") || name.endsWith(".tab")) return "tsv";
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return "jsonl";
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".parquet") || name.endsWith(".pq")) return "parquet";
  if (HISTORY_NAME.test(name)) return "history";
  if (AUDIT_NAME.test(name)) return "audit";
  throw new SeqhuntError(
    `${path}: cannot tell the format from the name; use .csv, .tsv, .jsonl, .ndjson, .json or .parquet (optionally .gz), a shell's history file name (.bash_history, .zsh_history, fish_history) or a Linux audit log's (audit.log, audit.log.1)`,
    { file: path },
  );
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A JSON path selecting one top-level key, quoted so any key works. */
export function jsonPath(key: string): string {
  return sqlString(`$.${JSON.stringify(key)}`);
}
