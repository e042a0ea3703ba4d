import * as v from "valibot";
import { SeqhuntError } from "../errors.js";
import type { ModelFile, SessionTypeName } from "../types.js";
import { RawCounts } from "./counts.js";
import type { PairCounts } from "./pair-counts.js";
import type { Vocabulary } from "./vocabulary.js";

/** The `format` field of every seqhunt model file. */
export const MODEL_FORMAT = "seqhunt-model";
/** The model file version this build writes and reads. */
export const MODEL_VERSION = 1;

const counts = v.array(v.pipe(v.number(), v.finite(), v.minValue(0)));
const names = v.array(v.string());
const ModelFileSchema = v.strictObject({
  format: v.literal(MODEL_FORMAT),
  version: v.literal(MODEL_VERSION),
  sessionType: v.picklist(["cmds_only", "cmds_params_only", "cmds_params_values"]),
  modellableParams: v.nullable(names),
  sessionCount: v.pipe(v.number(), v.finite(), v.minValue(0)),
  commands: names,
  params: names,
  values: names,
  seq1: counts,
  seq2: counts,
  param: counts,
  cmdParam: counts,
  value: counts,
  paramValue: counts,
});

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

function loadVocabulary(vocab: Vocabulary, list: readonly string[], field: string): void {
  const reserved = vocab.list();
  reserved.forEach((token, i) => {
    if (list[i] !== token) fail(`${field}[${i}] must be ${JSON.stringify(token)}`);
  });
  list.forEach((name, i) => {
    if (vocab.intern(name) !== i) fail(`${field} lists ${JSON.stringify(name)} twice`);
  });
}

function loadList(into: number[], list: readonly number[], size: number, field: string): void {
  if (list.length !== size) fail(`${field} has ${list.length} counts for ${size} names`);
  list.forEach((n, i) => {
    into[i] = n;
  });
}

function loadTriples(
  into: PairCounts,
  list: readonly number[],
  rows: number,
  cols: number,
  field: string,
): void {
  if (list.length % 3 !== 0) fail(`${field} must hold (from, to, count) triples`);
  for (let i = 0; i < list.length; i += 3) {
    const from = list[i] as number;
    const to = list[i + 1] as number;
    if (!Number.isInteger(from) || from >= rows || !Number.isInteger(to) || to >= cols) {
      fail(`${field} triple ${i / 3} refers to an id out of range`);
    }
    if (into.has(from, to)) fail(`${field} triple ${i / 3} repeats a pair`);
    into.add(from, to, list[i + 2] as number);
  }
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
  const parsed = v.safeParse(ModelFileSchema, file);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue) ?? "(top level)";
    fail(`${path}: ${issue.message}`);
  }
  const m = parsed.output;
  const raw = new RawCounts();
  loadVocabulary(raw.commands, m.commands, "commands");
  loadVocabulary(raw.params, m.params, "params");
  loadVocabulary(raw.values, m.values, "values");
  raw.fit();
  loadList(raw.seq1, m.seq1, m.commands.length, "seq1");
  loadList(raw.param, m.param, m.params.length, "param");
  loadList(raw.value, m.value, m.values.length, "value");
  loadTriples(raw.seq2, m.seq2, m.commands.length, m.commands.length, "seq2");
  loadTriples(raw.cmdParam, m.cmdParam, m.commands.length, m.params.length, "cmdParam");
  loadTriples(raw.paramValue, m.paramValue, m.params.length, m.values.length, "paramValue");
  raw.sessions = m.sessionCount;
  if (m.sessionCount === 0 || (raw.seq1[0] ?? 0) === 0) fail("it holds no sessions");
  return {
    counts: raw,
    sessionType: m.sessionType,
    modellableParams: m.modellableParams === null ? null : new Set(m.modellableParams),
  };
}
