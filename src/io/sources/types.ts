import type { DuckDBConnection } from "@duckdb/node-api";
import type { Route } from "../../presets/field-names.js";
import type { ParamsFormat } from "../../presets/params.js";
import type { RecordFold } from "../../presets/presets.js";
import type { InputFormat } from "../formats.js";

export type { Route, RouteStep } from "../../presets/field-names.js";

/** The fields an event is made of, as the user named them (dotted paths allowed). */
export interface EventFields {
  /** Identity fields (user, IP, host...). */
  readonly identity: readonly string[];
  /** Time field. */
  readonly time: string;
  /** A strftime-like format of the time's text (`--time-format`); undefined: every format seqhunt knows. */
  readonly timeFormat: string | undefined;
  /** Event fields, joined into one command (missing parts left out). */
  readonly event: readonly string[];
  /** What goes between the parts of a command made of several event fields. */
  readonly eventJoiner: string;
  /** Parameters field, or null. */
  readonly params: string | null;
  /** How the parameters field is written (a field gathered from flattened columns is a JSON object). */
  readonly paramsFormat: ParamsFormat;
  /** Records of one request or event counted once (a Kubernetes audit log's stages, copies of one record), or null. */
  readonly fold: RecordFold | null;
}

/** One input file as a source reads it. */
export interface SourceFile {
  /** The file as the user named it, for messages. */
  readonly path: string;
  /** The file DuckDB reads: the path, or a copy with its line endings made consistent. */
  readonly readFrom: string;
  /** Position among the input files (ties in time keep file order). */
  readonly index: number;
  /** Number rows in SQL (the DuckDB sort needs it; rows streamed in file order are numbered as they come). */
  readonly numbered: boolean;
}

/** How one file's records are read in SQL, and how a field of a record is reached. */
export interface RecordReader {
  /** A table expression with one row per record. */
  readonly from: string;
  /** SQL of the index of the record's file, for a reader of several files; undefined for one file's. */
  readonly fileIndex?: string;
  /** SQL of the record's 1-based number in the file, or `NULL` when unnumbered. */
  readonly seq: string;
  /** SQL that is true when the record itself is broken (bad JSON). */
  readonly bad: string;
  /** The table the CSV reader writes rejected lines to, or null. */
  readonly rejectsTable: string | null;
  /** Top-level field names every record has (CSV header, Parquet columns, keys seen in JSON records); none when the file holds no record. */
  readonly keys: readonly string[];
  /** True when a record may hold keys `keys` does not list (JSON: keys are seen in the first records only). */
  readonly openKeys: boolean;
  /** Up to `n` records as plain objects, to find where a dotted name leads. */
  sample(n: number): Promise<Record<string, unknown>[]>;
  /** SQL of the field as text (JSON text for objects and lists). */
  text(route: Route): string;
  /** SQL of the field as parameters text: a string as it is, any other value as JSON text. */
  paramsText(route: Route): string;
  /** SQL of epoch microseconds when the format stores the field as a typed time, else null. */
  typedMicros(route: Route): string | null;
}

/** Files read in one scan by one reader, whose records name their file ({@link RecordReader.fileIndex}). */
export interface FileSet {
  /** The files, consecutive in input order. */
  readonly files: readonly SourceFile[];
  readonly reader: RecordReader;
}

/** One input format: opens a file of that format as records. */
export interface InputSource {
  readonly format: InputFormat;
  open(con: DuckDBConnection, file: SourceFile): Promise<RecordReader>;
  /**
   * Opens consecutive numbered files of this format together: sets of files alike, each read in one scan (a
   * CloudTrail tree's thousands of small files), and the files to open one by one. Absent: one by one.
   */
  openMany?(
    con: DuckDBConnection,
    files: readonly SourceFile[],
  ): Promise<{ sets: FileSet[]; alone: SourceFile[] }>;
}
