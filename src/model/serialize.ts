import { SeqhuntError } from "../errors.js";
import type { ModelFile, SessionTypeName } from "../types.js";
import { RawCounts } from "./counts.js";
import type { PairCounts } from "./pair-counts.js";
import type { Vocabulary } from "./vocabulary.js";

/** The `format` field of every seqhunt model file. */
export const MODEL_FORMAT = "seqhunt-model";
/** The model file version this build writes and reads. */
export const MODEL_VERSION = 1;

/** The fields of a version 1 model file, each once (any other is refused). */
const FIELDS: ReadonlySet<string> = new Set([
  "format",
  "version",
  "sessionType",
  "modellableParams",
  "sessionCount",
  "commands",
  "params",
  "values",
  "seq1",
  "seq2",
  "param",
  "cmdParam",
  "value",
  "paramValue",
]);
const SESSION_TYPES: ReadonlySet<unknown> = new Set(["cmds_only", "cmds_params_only", "cmds_params_values"]);

/** Flat (from, to, count) triples, sorted, so a saved model is byte-for-byte deterministic. */
function rowsToTriples(pairs: PairCounts): number[] {
  const triples: [number, number, number][] = [];
  pairs.forEach((from, to, n) => {
    triples.push([from, to, n]);
  });
  triples.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return triples.flat();
}

/** The raw counts and settings of a trained model as a compact, versioned JSON object. */
export function countsToFile(
  raw: RawCounts,
  sessionType: SessionTypeName,
  givenModellable: ReadonlySet<string> | null,
): ModelFile {
  raw.settle();
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    sessionType,
    modellableParams: givenModellable === null ? null : [...givenModellable].sort(),
    sessionCount: raw.sessions,
    commands: [...raw.commands.list()],
    params: [...raw.params.list()],
    values: [...raw.values.list()],
    seq1: [...raw.seq1],
    seq2: rowsToTriples(raw.seq2),
    param: [...raw.param],
    cmdParam: rowsToTriples(raw.cmdParam),
    value: [...raw.value],
    paramValue: rowsToTriples(raw.paramValue),
  };
}

function fail(problem: string): never {
  throw new SeqhuntError(`not a valid seqhunt model: ${problem}`);
}

/** What a bad item of a file is, for an error (short: an item may be a long text or a big object). */
function shown(x: unknown): string {
  if (x === undefined) return "missing";
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/** Whether a saved count is one: a finite number, not negative. */
export const isCount = (x: unknown): x is number =>
  typeof x === "number" && x >= 0 && x !== Number.POSITIVE_INFINITY;

/** The list a field holds (the same array: items are checked where they are read). */
function listOf(file: Record<string, unknown>, field: string): readonly unknown[] {
  const list = file[field];
  if (!Array.isArray(list)) fail(`${field} must be a list, not ${shown(list)}`);
  return list;
}

// The loaders below check each item in the one pass that reads it: a file of millions of counts is read once.

/** Interns a field's names: its reserved tokens first, in place, then each name once. */
function loadVocabulary(vocab: Vocabulary, list: readonly unknown[], field: string): void {
  const reserved = vocab.list();
  reserved.forEach((token, i) => {
    if (list[i] !== token) fail(`${field}[${i}] must be ${JSON.stringify(token)}`);
  });
  for (let i = reserved.length; i < list.length; i++) {
    const name = list[i];
    if (typeof name !== "string") fail(`${field}[${i}] must be text, not ${shown(name)}`);
    if (!vocab.internNew(name)) fail(`${field} lists ${JSON.stringify(name)} twice`);
  }
}

function loadList(into: number[], list: readonly unknown[], size: number, field: string): void {
  if (list.length !== size) fail(`${field} has ${list.length} counts for ${size} names`);
  for (let i = 0; i < list.length; i++) {
    const n = list[i];
    if (!isCount(n)) fail(`${field}[${i}] must be a count (a finite number, not negative), not ${shown(n)}`);
    into[i] = n;
  }
}

function loadTriples(
  into: PairCounts,
  list: readonly unknown[],
  rows: number,
  cols: number,
  field: string,
): void {
  if (list.length % 3 !== 0) fail(`${field} must hold (from, to, count) triples`);
  for (let i = 0; i < list.length; i += 3) {
    const from = list[i];
    const to = list[i + 1];
    const n = list[i + 2];
    if (!isId(from, rows) || !isId(to, cols)) fail(`${field} triple ${i / 3} refers to an id out of range`);
    if (!isCount(n))
      fail(`${field} triple ${i / 3} must end in a count (a finite number, not negative), not ${shown(n)}`);
    if (!into.addNew(from, to, n)) fail(`${field} triple ${i / 3} repeats a pair`);
  }
}

/** An id of a list of `size` names. */
const isId = (x: unknown, size: number): x is number =>
  typeof x === "number" && Number.isInteger(x) && x >= 0 && x < size;

/** The caller-given modellable parameters of a file: null, or a list of names. */
function modellableOf(file: Record<string, unknown>): Set<string> | null {
  const given = file.modellableParams;
  if (given === null) return null;
  if (!Array.isArray(given) || !given.every((p) => typeof p === "string"))
    fail(`modellableParams must be null or a list of names, not ${shown(given)}`);
  return new Set(given as string[]);
}

/** Checks a parsed model file (schema, then consistency) and rebuilds its raw counts. */
export function fileToCounts(file: unknown): {
  counts: RawCounts;
  sessionType: SessionTypeName;
  modellableParams: Set<string> | null;
} {
  if (file === null || typeof file !== "object" || Array.isArray(file)) {
    fail(
      `expected a JSON object, got ${file === null ? "null" : Array.isArray(file) ? "a list" : typeof file}`,
    );
  }
  const format = (file as { format?: unknown }).format;
  if (format !== MODEL_FORMAT)
    fail(`"format" is ${JSON.stringify(format) ?? "missing"}, expected "${MODEL_FORMAT}"`);
  const version = (file as { version?: unknown }).version;
  // A version 2 file holds a detector beside a version 1 reference model: the model is that one.
  if (version === 2) {
    if (!("reference" in file)) fail('a version 2 model holds its reference model in "reference"');
    return fileToCounts((file as { reference: unknown }).reference);
  }
  if (version !== MODEL_VERSION) {
    fail(
      `version ${JSON.stringify(version)} is not supported (this seqhunt reads versions ${MODEL_VERSION} and 2)`,
    );
  }
  const m = file as Record<string, unknown>;
  for (const field of Object.keys(m)) if (!FIELDS.has(field)) fail(`unknown field ${JSON.stringify(field)}`);
  if (!SESSION_TYPES.has(m.sessionType))
    fail(`sessionType must be one of ${[...SESSION_TYPES].join(", ")}, not ${shown(m.sessionType)}`);
  const sessionType = m.sessionType as SessionTypeName;
  const modellableParams = modellableOf(m);
  const sessionCount = m.sessionCount;
  if (!isCount(sessionCount))
    fail(`sessionCount must be a count (a finite number, not negative), not ${shown(sessionCount)}`);
  const commands = listOf(m, "commands");
  const params = listOf(m, "params");
  const values = listOf(m, "values");
  const raw = new RawCounts();
  loadVocabulary(raw.commands, commands, "commands");
  loadVocabulary(raw.params, params, "params");
  loadVocabulary(raw.values, values, "values");
  raw.fit();
  loadList(raw.seq1, listOf(m, "seq1"), commands.length, "seq1");
  loadList(raw.param, listOf(m, "param"), params.length, "param");
  loadList(raw.value, listOf(m, "value"), values.length, "value");
  loadTriples(raw.seq2, listOf(m, "seq2"), commands.length, commands.length, "seq2");
  loadTriples(raw.cmdParam, listOf(m, "cmdParam"), commands.length, params.length, "cmdParam");
  loadTriples(raw.paramValue, listOf(m, "paramValue"), params.length, values.length, "paramValue");
  raw.sessions = sessionCount;
  if (sessionCount === 0 || (raw.seq1[0] ?? 0) === 0) fail("it holds no sessions");
  return { counts: raw, sessionType, modellableParams };
}
