import { Calibration } from "../detect/calibration.js";
import type { LoadedModelFile } from "../detect/model-file.js";
import { referenceRarity, withWindow } from "../detect/reference.js";
import type { Detector, DetectorExplanation, WeightedSession } from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { writeTextAtomically } from "../io/atomic.js";
import { inputFiles } from "../io/input-files.js";
import { estimatedInputBytes } from "../io/read-events.js";
import { huntMode } from "../io/settings.js";
import { jsonLine, writeRecords } from "../io/write.js";
import { Model, ModelBuilder } from "../model/model.js";
import type { RecordFold } from "../presets/presets.js";
import { VERSION } from "../version.js";
import {
  checkedMethod,
  type DetectorChoice,
  huntScores,
  huntScoresInPasses,
  huntScoresInThreads,
  isReference,
  methodOf,
  modelScores,
  modelScoresInPasses,
  modelScoresInThreads,
  scoresInThreads,
  trainModelFile,
  trainModelFileInPasses,
  trainsInPasses,
  trainsInThreads,
} from "./detect-glue.js";
import { meanwhile, preparedJson } from "./meanwhile.js";
import {
  analyze,
  commandJson,
  commandLists,
  type MethodScores,
  outputRecord,
  type RankedSession,
  type Ranking,
  rankInOrder,
  rankOrder,
  type ScoringOptions,
  scoreAndRank,
  windowOf,
  rarity as windowRarity,
} from "./rank.js";
import {
  type CliSession,
  type InputOptions,
  type LoadedSessions,
  loadModelFile,
  loadSessions,
  readSummary,
  skippedReasons,
  typeOfLoaded,
} from "./sessions.js";
import { SpilledSessions } from "./spill.js";
import { renderTable, type TableColumn, terminalWidth } from "./table-layout.js";
import { identityText, printable, progressBar } from "./terminal.js";
import { EARLY_WORKERS_FROM_BYTES } from "./thread-messages.js";
import { ThreadPool, threadCount } from "./threads.js";

/** Options of hunt and score. */
export interface HuntOptions extends InputOptions, ScoringOptions {
  model?: string;
  /** The detector to rank by (default: the registry's default, or the --model file's detector). */
  method?: string;
  /** The identity column whose values get models of their own (default: none, or the --model file's). */
  entity?: string;
  top: number;
  out?: string;
  report?: string;
  quiet: boolean;
  /** Threads, this one included: a worker thread takes part of the default detector's training (default: {@link threadCount}). */
  threads?: number;
}

/** Where messages go: stdout for results, stderr for the rest. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

async function load(
  files: readonly string[],
  options: InputOptions & { quiet: boolean },
  io: Io,
): Promise<LoadedSessions> {
  const bar = progressBar(options.quiet);
  let loaded: LoadedSessions;
  try {
    loaded = await loadSessions(files, options, bar?.update);
  } finally {
    bar?.stop();
  }
  reportRead(loaded, options, io);
  if (loaded.sessions.length === 0) throw noSessions(files);
  return loaded;
}

/** The rows read (always when rows were skipped) and every sanity warning (even with --quiet: results may be wrong). */
function reportRead(loaded: LoadedSessions, options: { quiet: boolean; fold?: RecordFold }, io: Io): void {
  // Folded records, like skipped ones, make read and used differ: said even with --quiet.
  if (!options.quiet || loaded.stats.read !== loaded.stats.used)
    io.err(readSummary(loaded.stats, options.fold));
  for (const w of loaded.warnings ?? []) io.err(`seqhunt: warning: ${w}`);
}

/** The error for an input that gave no session, naming the files. */
function noSessions(files: readonly string[]): SeqhuntError {
  return new SeqhuntError(
    `${files.join(", ")}: no sessions: the input has no rows, or every row was skipped (see the summary above)`,
  );
}

function train(loaded: LoadedSessions): Model {
  const model = new Model(commandLists(loaded.sessions));
  model.train();
  return model;
}

/** Column order of CSV output of scores. */
function scoreColumns(identity: readonly string[]): string[] {
  return [
    ...identity,
    "start",
    "end",
    "length",
    "session",
    "rarestWindow",
    "rarestWindowStart",
    "rarestWindowLikelihood",
    "rarestWindowLogLikelihood",
    "likelihood",
    "logLikelihood",
    "rank",
    "reason",
    "score",
    "percentile",
    "method",
  ];
}

/** The terminal table: the ranking method's score and percentile are the rank key, its reason says why. */
function printTop(
  ranked: readonly RankedSession[],
  reasons: readonly string[],
  identity: readonly string[],
  io: Io,
): void {
  const method = ranked[0]?.method?.name ?? "reference";
  const number = (x: number | undefined, digits: number) =>
    x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(digits);
  const columns: TableColumn[] = [
    { head: "rank", kind: "key", keep: 0 },
    ...identity.map((h): TableColumn => ({ head: h, kind: "identity", keep: 0 })),
    { head: "start", kind: "time", keep: 0 },
    { head: "length", kind: "number", keep: 3 },
    { head: `${method} score`, kind: "number", keep: 0 },
    { head: "percentile", kind: "number", keep: 2 },
    { head: "reason", kind: "text", keep: 1 },
  ];
  const rows = ranked.map((r, i) => [
    String(r.rank),
    ...identity.map((_, c) => identityText(r.session.identity[c] ?? "(none)")),
    r.session.start === null
      ? ""
      : new Date(Math.floor(r.session.start / 1000)).toISOString().replace(".000Z", "Z"),
    String(r.session.commands.length),
    number(r.method?.score, 3),
    number(r.method === undefined ? undefined : 100 * r.method.percentile, 1),
    printable(reasons[i] ?? "", 160),
  ]);
  io.out(
    renderTable(columns, rows, {
      width: terminalWidth(process.stdout),
      color: process.stdout.isTTY === true,
    }),
  );
}

/** The result of a hunt, for callers that go on (the demo, the report). */
export interface HuntResult {
  readonly loaded: LoadedSessions;
  readonly model: Model;
  readonly ranked: RankedSession[];
  readonly modelSource: string;
}

/**
 * Inputs above this size (about 8M events with parameter values) are hunted in passes over spilled
 * sessions, memory bounded by the model; below it holding every session is faster and fits.
 */
const SPILL_BYTES = 1.5e9;

/** Sessions the report of a spilled hunt holds (the rarest; the rest are in --out). */
const SPILLED_REPORT_SESSIONS = 10_000;

/**
 * Whether the input goes to a spill file rather than memory (events above {@link SPILL_BYTES}, or as
 * SEQHUNT_HUNT_MODE says), for a command that can work over passes of it.
 */
function spills(files: readonly string[], options: InputOptions): boolean {
  const mode = huntMode();
  if (options.sessions) return false;
  if (mode !== "auto") return mode === "spill";
  try {
    return estimatedInputBytes(inputFiles(files)) > SPILL_BYTES;
  } catch {
    return false; // the reader reports the missing file
  }
}

/**
 * Sessions a pass decodes at a time: a few MB of objects, which die young; batches of 4,096 (tens of MB)
 * outlived the young generation and piled up as old garbage, hundreds of MB at the 10M hunt's peak.
 */
const PASS_BATCH = 256;

/** The spilled sessions read pass after pass, in batches (what a detector trains on in passes). */
export function spillPasses(spill: SpilledSessions) {
  return {
    pass: async (visit: (s: CliSession, index: number) => void) => {
      let i = 0;
      for (const batch of spill.batches(PASS_BATCH)) for (const s of batch) visit(s, i++);
    },
  };
}

/**
 * Scores the spilled sessions with the reference model in batches, keeping three numbers per session: its
 * rarity (the reference detector's score), rarest window and whole-session log-likelihoods.
 */
export function scoreSpilled(
  spill: SpilledSessions,
  model: Model,
  options: ScoringOptions,
): { score: Float64Array; rarity: Float64Array; logLikelihood: Float64Array } {
  const scoring = windowOf(options);
  const rarity = new Float64Array(spill.count);
  const logLikelihood = new Float64Array(spill.count);
  const score = new Float64Array(spill.count);
  let i = 0;
  for (const batch of spill.batches(4096)) {
    for (const s of model.score(
      batch.map((b) => b.commands),
      scoring,
    )) {
      rarity[i] = windowRarity(s);
      logLikelihood[i] = s.logLikelihood;
      score[i] = referenceRarity(s, 0, "rarest-window");
      i++;
    }
  }
  return { score, rarity, logLikelihood };
}

/** The ranking detector of a spilled hunt: its scores of every session, and what it says of a few read back. */
export interface SpilledMethod {
  readonly name: string;
  readonly scores: ArrayLike<number>;
  readonly percentile: (score: number) => number;
  /** Explains a session read back from the spill; absent for the reference, whose own explanation says why. */
  readonly explain?: ((s: CliSession) => DetectorExplanation) | undefined;
}

/**
 * The ranking method of a spilled hunt: a model file's detector (the reference, or another scoring the
 * spill in a pass or two), the reference calibrated by its own scores of the input, or the detector trained
 * over passes of the spill, scoring each session held out.
 */
async function spilledMethod(
  spill: SpilledSessions,
  loaded: LoadedSessions,
  file: LoadedModelFile | null,
  referenceScores: Float64Array,
  options: HuntOptions,
): Promise<SpilledMethod> {
  if (file !== null && options.model !== undefined) {
    const model = { ...options, model: options.model };
    if (!isReference(checkedMethod(file, model)))
      return spilledDetector(
        await modelScoresInPasses(spillPasses(spill), loaded.identityColumns, file, model),
      );
  }
  if (file !== null || methodOf(options) === "reference") {
    // Trained on the input, the reference scores its training sessions as any other: they calibrate themselves.
    const calibration = file
      ? withWindow(file.detector, windowOf(options))
      : Calibration.of(referenceScores, new Float64Array(spill.count).fill(1));
    return { name: "reference", scores: referenceScores, percentile: (x) => calibration.percentile(x) };
  }
  return spilledDetector(await huntScoresInPasses(spillPasses(spill), loaded.identityColumns, options));
}

/** A detector's scores of the spilled sessions as the ranking takes them. */
function spilledDetector(scored: {
  detector: Detector;
  scores: ArrayLike<number>;
  weighted: (s: CliSession) => WeightedSession;
}): SpilledMethod {
  const { detector, scores, weighted } = scored;
  return {
    name: detector.method,
    scores,
    percentile: (x) => detector.percentile(x),
    explain: (s) => detector.explain(weighted(s)),
  };
}

/**
 * Reads the input into the spill file, sessions adding to the reference model's `builder` as they close
 * (none with a model file), in one thread (saying so when --threads asks for more).
 */
async function spillInput(
  files: readonly string[],
  options: InputOptions & { quiet: boolean; threads?: number | undefined },
  io: Io,
  to: { spill: SpilledSessions; builder: ModelBuilder | null },
): Promise<LoadedSessions> {
  if (threadCount(options.threads) > 1 && !options.quiet)
    io.err("seqhunt: note: sessions spilled to disk are read in one thread; --threads applies in memory");
  const bar = progressBar(options.quiet);
  let loaded: LoadedSessions;
  try {
    loaded = await loadSessions(files, options, bar?.update, (s) => {
      to.builder?.add(s.commands);
      to.spill.append(s);
    });
  } finally {
    bar?.stop();
  }
  reportRead(loaded, options, io);
  if (to.spill.count === 0) throw noSessions(files);
  return loaded;
}

/**
 * Ranks spilled sessions by the ranking detector's scores (then the reference's rarest window, whole
 * session, input order), prints the rarest, writes the report of the rarest and --out in rank order,
 * reading sessions back by index in chunks: memory bounded by the model and a few numbers per session.
 */
export async function publishSpilled(
  spill: SpilledSessions,
  ranked: {
    model: Model;
    method: SpilledMethod;
    reference: { rarity: Float64Array; logLikelihood: Float64Array };
  },
  loaded: LoadedSessions,
  options: HuntOptions & { modelSource: string; files: readonly string[] },
  io: Io,
): Promise<HuntResult> {
  const { model, method, reference } = ranked;
  const order = Uint32Array.from(rankOrder({ ...reference, method: method.scores }));
  const methodOfChunk = (indices: Uint32Array, sessions: readonly CliSession[]): MethodScores => ({
    name: method.name,
    scores: Array.from(indices, (k) => method.scores[k] as number),
    percentile: method.percentile,
    explain:
      method.explain &&
      ((i) => (method.explain as NonNullable<typeof method.explain>)(sessions[i] as CliSession)),
  });
  const rankChunk = (indices: Uint32Array) => {
    const sessions = spill.read(indices);
    return rankInOrder(model, sessions, options, methodOfChunk(indices, sessions));
  };
  const headCount = Math.min(
    spill.count,
    Math.max(options.top, options.report ? SPILLED_REPORT_SESSIONS : 0),
  );
  const ranking = rankChunk(order.subarray(0, headCount));
  const head = ranking.ranked.map((r) => r.session);
  const headLoaded = { ...loaded, sessions: head };
  await publish(model, ranking, headLoaded, { ...options, out: undefined }, io);
  if (options.report && !options.quiet && spill.count > headCount)
    io.err(`the report holds the rarest ${headCount} of ${spill.count} sessions`);
  if (options.out) {
    const identity = loaded.identityColumns;
    const records = (function* () {
      for (let from = 0; from < order.length; from += 4096) {
        const ranked = rankChunk(order.subarray(from, from + 4096));
        for (const r of ranked.ranked)
          yield outputRecord({ ...r, rank: from + r.rank }, identity, ranked.reason(r));
      }
    })();
    await writeRecords(options.out, records, scoreColumns(identity));
    if (!options.quiet) io.err(`wrote ${spill.count} sessions to ${options.out}`);
  }
  return { loaded: headLoaded, model, ranked: ranking.ranked, modelSource: options.modelSource };
}

/**
 * hunt over a large input in passes: sessions train the reference model as they close and go to a
 * temporary file; a detector that trains in passes reads them back a few times; then they are scored from
 * it in batches, keeping a few numbers per session; the rarest are read back to print, and --out streams
 * every session in rank order. Same output as the in-memory hunt. One thread reads (--threads is not used).
 */
async function huntSpilled(files: readonly string[], options: HuntOptions, io: Io): Promise<HuntResult> {
  const spill = new SpilledSessions();
  try {
    const builder = options.model ? null : new ModelBuilder();
    const loaded = await spillInput(files, options, io, { spill, builder });
    return await huntOverSpill({ spill, loaded, builder }, options, files, io);
  } finally {
    spill.close();
  }
}

/**
 * hunt over sessions already spilled (from files, or streamed from ClickHouse): the reference model from
 * --model or `builder` (which counted them as they were spilled), scored in batches; the ranking detector
 * (the model file's, or trained over passes of the spill); ranked and published from the spill.
 */
export async function huntOverSpill(
  spilled: { spill: SpilledSessions; loaded: LoadedSessions; builder: ModelBuilder | null },
  options: HuntOptions,
  files: readonly string[],
  io: Io,
): Promise<HuntResult> {
  const { spill, loaded, builder } = spilled;
  const file = options.model ? loadModelFile(options.model, typeOfLoaded(loaded, options)) : null;
  const model = file ? file.reference : (builder as ModelBuilder).finish();
  const reference = scoreSpilled(spill, model, options);
  const method = await spilledMethod(spill, loaded, file, reference.score, options);
  const modelSource = options.model ?? "trained on the input";
  return await publishSpilled(
    spill,
    { model, method, reference },
    loaded,
    { ...options, modelSource, files },
    io,
  );
}

/**
 * Reads the sessions, with a pool of worker threads when hunt or train trains a detector with a threaded
 * training ({@link trainsInThreads}) in more than one thread (`--threads`, else by the input's size: {@link threadCount});
 * its workers start while this thread reads when `--threads` asks for them, else when work comes.
 */
async function loadIn(
  files: readonly string[],
  options: InputOptions &
    DetectorChoice & { quiet: boolean; threads?: number | undefined; model?: string | undefined },
  io: Io,
): Promise<{ loaded: LoadedSessions; pool: ThreadPool | null }> {
  // The workers load their modules (and a model file's detector) while this thread reads, with --threads or
  // an input large enough; they stop if the input turns out small. Otherwise they start after reading, if at all.
  const most = threadCount(options.threads, Number.POSITIVE_INFINITY);
  const usesWorkers = options.model !== undefined || trainsInThreads(options);
  const early =
    usesWorkers && most > 1 && startsWorkersEarly(files, options) ? ThreadPool.of(most - 1) : null;
  if (early !== null && options.model !== undefined) warmUp(early, options.model);
  else early?.start();
  let loaded: LoadedSessions;
  try {
    loaded = await load(files, options, io);
  } catch (err) {
    await early?.close();
    throw err;
  }
  let commands = 0;
  for (const s of loaded.sessions) commands += s.commands.length;
  const count = threadCount(options.threads, commands);
  if (early !== null && count <= 1) await early.close();
  // This thread is one of them: the pool holds the others.
  const pool = count <= 1 ? null : (early ?? (usesWorkers ? ThreadPool.of(count - 1) : null));
  return { loaded, pool };
}

/**
 * Whether the workers (`score --model`'s, or a threaded training's) start before reading: with `--threads`,
 * or an input of {@link EARLY_WORKERS_FROM_BYTES} or more (a smaller one rarely holds enough commands to use them).
 */
function startsWorkersEarly(files: readonly string[], options: { threads?: number | undefined }): boolean {
  if (options.threads !== undefined) return true;
  try {
    return estimatedInputBytes(inputFiles(files)) >= EARLY_WORKERS_FROM_BYTES;
  } catch {
    return false; // the reader reports the missing file
  }
}

/** hunt: read, sessionize, train (or load a model), score, print the top N, write every session. */
export async function hunt(files: readonly string[], options: HuntOptions, io: Io): Promise<HuntResult> {
  // A model file's detector scores the spill file in a pass or two, the reference ranks over it in two
  // passes, a detector that trains in passes in a few more; other detectors hold every session.
  const overPasses =
    options.model !== undefined || methodOf(options) === "reference" || trainsInPasses(options);
  if (overPasses && spills(files, options)) return huntSpilled(files, options, io);
  const { loaded, pool } = await loadIn(files, options, io);
  try {
    return await huntLoaded(loaded, options, io, { files, pool });
  } finally {
    await pool?.close();
  }
}

/**
 * Has each of the pool's workers load the model file's detector, to score with it soon. A file they cannot
 * load is not theirs to report: this thread reads it first and says what is wrong, or does not score in them.
 */
function warmUp(pool: ThreadPool, model: string): void {
  for (let k = 0; k < pool.size; k++)
    pool.score({ model, heldOut: false, sessions: [] }).catch(() => undefined);
}

/**
 * hunt after reading, for every session source (files, sessions streamed from ClickHouse): train (or load
 * --model), score, rank, print the top N, write every session. `files` name the input in the report; `pool`
 * holds the worker threads that take part of the detector's training, when there are any.
 */
export async function huntLoaded(
  loaded: LoadedSessions,
  options: HuntOptions,
  io: Io,
  source: { readonly files: readonly string[]; readonly pool?: ThreadPool | null | undefined },
): Promise<HuntResult> {
  const { files } = source;
  const pool = source.pool ?? null;
  // With workers to score, this thread loads the detector only if it explains a session in full.
  const file = options.model
    ? loadModelFile(options.model, typeOfLoaded(loaded, options), { lazyDetector: pool !== null })
    : null;
  if (file !== null && !scoresInThreads(file.method)) await pool?.close();
  // A worker thread takes part of the detector's training while this thread does the rest and the reference model.
  const counting = file === null && pool !== null ? huntScoresInThreads(loaded, options, pool) : null;
  // With a model file the workers score the sessions (and work out their percentiles and reasons).
  const scoring =
    file !== null && options.model !== undefined && pool !== null && scoresInThreads(file.method)
      ? modelScoresInThreads(loaded, file, { ...options, model: options.model }, pool)
      : null;
  const model = file ? file.reference : train(loaded);
  // While the workers finish their part, the reference scores every session.
  const analysis =
    counting === null && scoring === null ? undefined : analyze(model, loaded.sessions, options);
  // Then, until they reply, the JSON of each session's commands for --out (the costliest part of its lines).
  const waiting = counting !== null || scoring !== null;
  const prepared =
    waiting && options.out !== undefined ? preparedJson(loaded.sessions, (s) => s.commands) : undefined;
  const method =
    file && options.model
      ? ((scoring && (await meanwhile(scoring, prepared?.work))) ??
        modelScores(loaded, file, { ...options, model: options.model }))
      : ((counting && (await meanwhile(counting, prepared?.work))) ?? huntScores(loaded, options));
  // The workers' part is done: their memory goes back before ranking and writing.
  await pool?.close();
  const ranking = scoreAndRank(model, loaded.sessions, options, method, analysis);
  const modelSource = options.model ?? "trained on the input";
  await publish(model, ranking, loaded, { ...options, modelSource, files, sessionJson: prepared?.texts }, io);
  return { loaded, model, ranked: ranking.ranked, modelSource };
}

/** The HTML report of a ranking (the report modules load here, not at start: only --report needs them). */
async function renderRanking(
  model: Model,
  ranking: Ranking,
  loaded: LoadedSessions,
  options: ScoringOptions & { modelSource: string; files: readonly string[] },
): Promise<string> {
  const { ranked, explain, reason } = ranking;
  const rankedBy = ranked[0]?.method?.name;
  const [{ buildReportData }, { renderReport }] = await Promise.all([
    import("../report/build.js"),
    import("../report/html.js"),
  ]);
  const data = buildReportData(
    ranked.map((r) => ({
      rank: r.rank,
      identity: r.session.identity,
      start: r.session.start,
      end: r.session.end,
      commands: r.session.commands,
      rarestWindowStart: r.score.rarestWindowStart,
      rarestWindowLogLikelihood: r.score.rarestWindowLogLikelihood,
      explanation: explain(r),
      reason: reason(r),
      // The reference's own rarity (-log10 of the rarest window) measures the report when it ranks.
      method: r.method && !isReference(r.method.name) ? r.method : undefined,
    })),
    {
      version: VERSION,
      files: options.files,
      rows: {
        read: loaded.stats.read,
        used: loaded.stats.used,
        skipped: skippedReasons(loaded.stats),
        ...(loaded.stats.folded ? { folded: loaded.stats.folded } : {}),
      },
      sessionType: model.sessionType,
      window: options.window,
      tokens: options.tokens,
      geoMean: options.geoMean,
      modelSource: options.modelSource,
      method: rankedBy === undefined || isReference(rankedBy) ? null : rankedBy,
      identityColumns: loaded.identityColumns,
      warnings: loaded.warnings ?? [],
    },
  );
  return renderReport(data);
}

/** Prints the top N, writes every session (--out) and the report (--report), explaining each session once. */
export async function publish(
  model: Model,
  ranking: Ranking,
  loaded: LoadedSessions,
  options: ScoringOptions & {
    top: number;
    out?: string | undefined;
    report?: string | undefined;
    quiet: boolean;
    modelSource: string;
    files: readonly string[];
    /** Session i's commands as JSON text where made beforehand, by its index in `loaded` (see {@link preparedJson}). */
    sessionJson?: readonly (string | undefined)[] | undefined;
  },
  io: Io,
): Promise<void> {
  const { ranked, reason } = ranking;
  const top = ranked.slice(0, options.top);
  if (!options.quiet) printTop(top, top.map(reason), loaded.identityColumns, io);
  // Rendered before any output is written: a report that fails leaves no --out behind either.
  const report = options.report ? await renderRanking(model, ranking, loaded, options) : null;
  if (options.out) {
    const records = (function* () {
      for (const r of ranked)
        yield outputRecord(r, loaded.identityColumns, reason(r), options.sessionJson?.[r.index]);
    })();
    await writeRecords(options.out, records, scoreColumns(loaded.identityColumns));
    if (!options.quiet) io.err(`wrote ${ranked.length} sessions to ${options.out}`);
  }
  if (options.report && report !== null) {
    writeTextAtomically(options.report, report);
    if (!options.quiet) io.err(`wrote the report to ${options.report}`);
  }
}

/** Options of train. */
export interface TrainOptions extends InputOptions, DetectorChoice {
  /** Threads, this one included: worker threads take part of the default detector's training (default: {@link threadCount}). */
  threads?: number;
  /** Where to write the model (default: the --update file). */
  out?: string;
  /** A model file to add the input to (exact merge of counts). */
  update?: string;
  quiet: boolean;
}

/**
 * train: read and sessionize, train the reference model and the detector, write a version 2 model file;
 * with --update, add them to an existing model file (an exact merge, refused where the detector cannot).
 */
export async function trainCommand(files: readonly string[], options: TrainOptions, io: Io): Promise<void> {
  const out = options.out ?? options.update;
  if (out === undefined) throw new SeqhuntError("train needs --out FILE (or --update MODEL)");
  if (options.update === undefined && trainsInPasses(options) && spills(files, options))
    return trainSpilled(files, options, io, out);
  const { loaded, pool } = await loadIn(files, options, io);
  try {
    await trainLoaded(loaded, options, io, { out, pool });
  } finally {
    await pool?.close();
  }
}

/** train over a large input: sessions go to a spill file, and the detector trains over passes of it. */
async function trainSpilled(
  files: readonly string[],
  options: TrainOptions,
  io: Io,
  out: string,
): Promise<void> {
  const spill = new SpilledSessions();
  try {
    const builder = new ModelBuilder();
    const loaded = await spillInput(files, options, io, { spill, builder });
    const { file, method } = await trainModelFileInPasses(
      spillPasses(spill),
      loaded.identityColumns,
      builder.finish(),
      options,
    );
    writeTextAtomically(out, `${JSON.stringify(file)}\n`);
    if (!options.quiet)
      io.err(
        trainedMessage(`${spill.count} sessions (${file.reference.sessionType}, ${method})`, options, out),
      );
  } finally {
    spill.close();
  }
}

/** What train says it did. */
export function trainedMessage(what: string, options: TrainOptions, out: string): string {
  return options.update
    ? `added ${what} to ${options.update}; wrote ${out}`
    : `trained on ${what}; wrote ${out}`;
}

/**
 * train after reading, for every session source (files, sessions streamed from ClickHouse): writes `out`;
 * `pool` holds the worker threads that take part of the detector's training, when there are any.
 */
export async function trainLoaded(
  loaded: LoadedSessions,
  options: TrainOptions,
  io: Io,
  to: { readonly out: string; readonly pool?: ThreadPool | null | undefined },
): Promise<void> {
  const { out } = to;
  const base = options.update ? loadModelFile(options.update, typeOfLoaded(loaded, options)) : null;
  const { file, method } = await trainModelFile(loaded, options, base, to.pool ?? null);
  // The workers' part is done: their memory goes back before the file is written.
  await to.pool?.close();
  writeTextAtomically(out, `${JSON.stringify(file)}\n`);
  if (!options.quiet)
    io.err(
      trainedMessage(
        `${loaded.sessions.length} sessions (${file.reference.sessionType}, ${method})`,
        options,
        out,
      ),
    );
}

/** sessionize: read events and write one record per session. */
export async function sessionizeCommand(
  files: readonly string[],
  options: InputOptions & { out?: string; quiet: boolean },
  io: Io,
): Promise<void> {
  const loaded = await load(files, options, io);
  const iso = (micros: number | null) =>
    micros === null ? null : new Date(Math.floor(micros / 1000)).toISOString();
  const records = loaded.sessions.map((s) =>
    Object.fromEntries([
      ...loaded.identityColumns.map((c, i) => [c, s.identity[i] ?? null]),
      ["start", iso(s.start)],
      ["end", iso(s.end)],
      ["length", s.commands.length],
      ["session", s.commands.map(commandJson)],
    ]),
  );
  if (options.out) {
    await writeRecords(options.out, records, [
      ...loaded.identityColumns,
      "start",
      "end",
      "length",
      "session",
    ]);
    if (!options.quiet) io.err(`wrote ${records.length} sessions to ${options.out}`);
  } else {
    for (const r of records) io.out(jsonLine(r));
  }
}
