import { MAX_ORDER } from "../detect/adaptive.js";
import { type ContextCounts, contextChainCounting } from "../detect/context-chain.js";
import {
  type MarkovNoveltyCounts,
  markovNoveltyFromCounts,
  NOVELTY_WINDOW,
} from "../detect/markov-novelty.js";
import { modelFileOf, SessionsFingerprint } from "../detect/model-file.js";
import { trainInPasses } from "../detect/passes.js";
import { DEFAULT_METHOD } from "../detect/registry.js";
import type { Detector, SessionPasses, WeightedSession } from "../detect/types.js";
import type { ClickHousePushdown, FetchedSession, ShardWork } from "../engine/clickhouse/pushdown.js";
import { SeqhuntError } from "../errors.js";
import { writeTextAtomically } from "../io/atomic.js";
import { clickhouseCredentials } from "../io/settings.js";
import { type Model, ModelBuilder } from "../model/model.js";
import type { HuntOptions, Io, TrainOptions } from "./commands.js";
import {
  huntLoaded,
  huntOverSpill,
  publish,
  publishSpilled,
  scoreSpilled,
  spillPasses,
  trainedMessage,
  trainLoaded,
} from "./commands.js";
import { type ContextCountsWhere, DEFAULT_CONTEXT_COUNTS } from "./context-counts.js";
import { trainsInPasses, weightedSessionOf } from "./detect-glue.js";
import { usageError } from "./preflight.js";
import { rankInOrder } from "./rank.js";
import { SanityCheck } from "./sanity.js";
import {
  type CliSession,
  type InputOptions,
  type LoadedSessions,
  loadModelFile,
  readSummary,
  sessionTypeOf,
} from "./sessions.js";
import { SpilledSessions } from "./spill.js";

/** Where the events are, for `--engine clickhouse`; user and password come from the environment. */
export interface EngineOptions {
  engine?: string;
  url: string;
  database: string;
  table?: string;
  seq?: string;
  outTable?: string;
  /** Where the per-identity work runs: auto (by the Distributed table's sharding key), identity or initiator. */
  shardWork?: ShardWork;
  /** Comma-separated HTTP URLs of the shards, in cluster order. */
  shardUrls?: string;
  /** Where the default detector's context chain is counted: in ClickHouse, or as the sessions stream back. */
  contextCounts?: ContextCountsWhere;
}

/** True when the command should run in ClickHouse; checks the options that go with it. */
export function usesClickHouse(
  files: readonly string[],
  options: EngineOptions & Partial<InputOptions> & { sessions: boolean },
): boolean {
  const engine = options.engine ?? "duckdb";
  if (engine !== "clickhouse") {
    if (files.length === 0)
      throw new SeqhuntError("no input files given (or use --engine clickhouse --table NAME)");
    if (
      options.table !== undefined ||
      options.outTable !== undefined ||
      options.seq !== undefined ||
      options.shardUrls !== undefined
    )
      throw new SeqhuntError("--table, --seq, --out-table and --shard-urls go with --engine clickhouse");
    return false;
  }
  if (files.length > 0)
    throw new SeqhuntError(
      `--engine clickhouse reads --table, not files (got ${files.map((f) => JSON.stringify(f)).join(", ")})`,
    );
  if (options.table === undefined) throw new SeqhuntError("--engine clickhouse needs --table NAME");
  if (options.sessions)
    throw new SeqhuntError("--sessions reads files; it does not go with --engine clickhouse");
  checkFlatColumns(options);
  return true;
}

/**
 * ClickHouse reads flat columns by name: a preset, a dotted path into nested fields or JSON text, and
 * several --event fields are read in process only. Says so as a usage error (exit 2).
 */
function checkFlatColumns(options: Partial<InputOptions>): void {
  const unsupported: string[] = [];
  if (options.source !== undefined) unsupported.push(`--source ${options.source}`);
  const named = [
    ...(options.user ?? []).map((c) => ["--user", c]),
    ["--time", options.time],
    ["--params", options.params],
  ].filter((p): p is [string, string] => typeof p[1] === "string");
  for (const [flag, name] of named)
    if (name.includes(".")) unsupported.push(`the dotted path ${flag} ${name}`);
  if (options.event?.includes(",")) unsupported.push(`several --event fields (${options.event})`);
  else if (options.event?.includes(".")) unsupported.push(`the dotted path --event ${options.event}`);
  if (unsupported.length > 0)
    throw usageError(
      `--engine clickhouse reads flat columns by name; it does not support ${unsupported.join(", ")} (nested fields, JSON text, presets, folders and globs are read in process: drop --engine clickhouse and give the files, or flatten the fields into columns in ClickHouse)`,
    );
}

async function openPushdown(
  options: InputOptions & EngineOptions,
  io: Io,
  quiet: boolean,
): Promise<ClickHousePushdown> {
  // Loaded here, not at start: only --engine clickhouse needs the ClickHouse client.
  const { ClickHousePushdown } = await import("../engine/clickhouse/pushdown.js");
  const push = await ClickHousePushdown.open({
    target: {
      url: options.url,
      database: options.database,
      table: options.table as string,
      ...clickhouseCredentials(),
    },
    columns: {
      identity: options.user,
      time: options.time,
      event: options.event,
      sequence: options.seq,
      params: options.params,
      paramMode: options.paramMode,
    },
    maxGapMins: options.maxGap,
    maxDurationMins: options.maxDuration,
    onBadRow: options.onBadRow,
    shardWork: options.shardWork,
    shardUrls: options.shardUrls?.split(",").map((url) => url.trim()),
  });
  if (!quiet || push.stats.read !== push.stats.used) io.err(readSummary(push.stats));
  if (!quiet && push.sharded)
    io.err("each shard sessionized its own identities (the table is sharded by identity)");
  if (push.sessionCount === 0) {
    await push.close();
    throw new SeqhuntError("no sessions: every row was skipped or the table is empty");
  }
  return push;
}

/**
 * hunt/score with --engine clickhouse. The reference (by --method, or a --model file that holds it) is
 * pushed down whole: counted and scored in ClickHouse. markov-novelty is counted in ClickHouse and scored over a
 * spill file; another --model file's detector scores a spill file in passes; every other detector trains and
 * scores in process, as for files, on the sessions ClickHouse made (streamed back): exact by construction.
 */
export async function huntClickHouse(options: HuntOptions & EngineOptions, io: Io): Promise<void> {
  // A saved model is read first: a bad file should not wait for the sessionizing.
  const file = options.model ? loadModelFile(options.model, sessionTypeOf(options.paramMode)) : null;
  const method = options.method ?? file?.detector.method ?? DEFAULT_METHOD;
  // A --model whose detector is not the one --method names is refused in process, as for files.
  const pushedDown =
    method === "reference" && (file?.detector.method ?? method) === method && options.entity === undefined;
  if (options.outTable !== undefined && !pushedDown)
    throw new SeqhuntError(
      `--out-table holds the scores of the reference computed in ClickHouse, not ${method}${options.entity === undefined ? "" : " with --entity"}: add --method reference, or write every session with --out FILE`,
    );
  // Checked before any work: a bad --entity should not wait for the sessionizing.
  const counted = !pushedDown && method === COUNTED && file === null;
  const weighted = counted ? weightedSessionOf(options.user, options.entity) : null;
  const push = await openPushdown(options, io, options.quiet);
  if (weighted !== null) {
    await huntCounted(push, weighted, options, io);
    return;
  }
  // A detector that trains in passes scores each of its training sessions held out alone (others need them all).
  if (!pushedDown && file !== null && trainsInPasses({ method: file.detector.method })) {
    await huntModelSpilled(push, options, io);
    return;
  }
  if (!pushedDown) {
    await huntLoaded(await streamSessions(push, options, io), options, io, { files: [where(options)] });
    return;
  }
  try {
    await huntPushedDown(push, file?.reference, options, io);
  } finally {
    await push.close();
  }
}

/** The detector whose counts ClickHouse computes (see {@link huntCounted}). */
const COUNTED = "markov-novelty";

/** A session fetched from ClickHouse as the CLI holds it. */
const cliSession = (s: FetchedSession): CliSession => ({
  identity: s.identity,
  start: s.start,
  end: s.end,
  commands: s.commands,
  fields: {},
});

/** markov-novelty trained from counts made in ClickHouse, with the reference model of the sessions it spilled. */
interface CountedInSpill {
  readonly detector: Detector;
  readonly reference: Model;
  readonly loaded: LoadedSessions;
}

/**
 * markov-novelty, its memory bounded by the model and a few numbers per session: its chain, presence and
 * window counts are counted in ClickHouse (each shard its own sessions); the sessions stream back once,
 * counted for its context chain, the reference (and the `fingerprint`, when given) and written to `spill`;
 * one pass over the spill scores every session held out. What hunt and train with it share; closes `push`.
 */
async function countInSpill(
  push: ClickHousePushdown,
  weighted: (s: CliSession) => WeightedSession,
  options: InputOptions & EngineOptions & { entity?: string | undefined },
  io: Io,
  to: { spill: SpilledSessions; fingerprint: SessionsFingerprint | null },
): Promise<CountedInSpill> {
  const { spill, fingerprint } = to;
  const column = options.entity === undefined ? -1 : options.user.indexOf(options.entity);
  const builder = new ModelBuilder();
  let loaded: LoadedSessions | null = null;
  // The one stream of the sessions: checked, counted for the reference and the context chain, spilled.
  const stream: SessionPasses = {
    pass: async (visit) => {
      loaded = await streamEach(push, options, io, (session, index) => {
        builder.add(session.commands);
        spill.append(session);
        const one = weighted(session);
        fingerprint?.add(one);
        visit(one, index);
      });
    },
  };
  let counts: MarkovNoveltyCounts;
  try {
    const counted = await push.countMarkovNovelty({
      entity: column < 0 ? null : column,
      window: NOVELTY_WINDOW,
    });
    let context: ContextCounts;
    if (contextCountsOf(options) === "clickhouse") {
      context = await push.countContextChain(MAX_ORDER);
      await stream.pass(() => undefined);
    } else context = await trainInPasses(contextChainCounting(MAX_ORDER), stream);
    counts = { ...counted, context };
  } finally {
    await push.close();
  }
  // The held-out pass reads the spill file: the sessions are not fetched twice.
  const spilled = spillPasses(spill);
  const detector = await markovNoveltyFromCounts(counts, {
    pass: (visit) => spilled.pass((s, i) => visit(weighted(s), i)),
  });
  if (loaded === null) throw new SeqhuntError("the sessions made in ClickHouse were not streamed back");
  return { detector, reference: builder.build(), loaded };
}

const contextCountsOf = (options: EngineOptions) => options.contextCounts ?? DEFAULT_CONTEXT_COUNTS;

/** What hunt and train with the counted detector say of it. */
const countedMessage = (count: number, options: EngineOptions) =>
  contextCountsOf(options) === "clickhouse"
    ? `counted ${COUNTED} in ClickHouse (the ${count} sessions streamed back once)`
    : `counted ${COUNTED} in ClickHouse (its context chain as the ${count} sessions streamed back)`;

/**
 * hunt with markov-novelty counted in ClickHouse ({@link countInSpill}); ranking reads the spill back by
 * index (the rarest printed and reported, --out in rank order). The same output as in process.
 */
async function huntCounted(
  push: ClickHousePushdown,
  weighted: (s: CliSession) => WeightedSession,
  options: HuntOptions & EngineOptions,
  io: Io,
): Promise<void> {
  const spill = new SpilledSessions();
  try {
    const {
      detector,
      reference: model,
      loaded,
    } = await countInSpill(push, weighted, options, io, {
      spill,
      fingerprint: null,
    });
    if (!options.quiet) io.err(`${countedMessage(spill.count, options)}; scored them held out`);
    await publishSpilled(
      spill,
      {
        model,
        method: {
          name: detector.method,
          scores: detector.trainingScores(),
          percentile: (x) => detector.percentile(x),
          explain: (s) => detector.explain(weighted(s)),
        },
        reference: scoreSpilled(spill, model, options),
      },
      loaded,
      { ...options, modelSource: "trained on the input", files: [where(options)] },
      io,
    );
  } finally {
    spill.close();
  }
}

/**
 * hunt/score --model FILE whose detector is not pushed down: the sessions ClickHouse made stream back once
 * into a spill file, which the model file's detector scores in passes, as for a large file input.
 */
async function huntModelSpilled(
  push: ClickHousePushdown,
  options: HuntOptions & EngineOptions,
  io: Io,
): Promise<void> {
  const spill = new SpilledSessions();
  try {
    const loaded = await streamOnce(push, options, io, (s) => spill.append(s));
    if (!options.quiet)
      io.err(
        `spilled the ${spill.count} sessions made in ClickHouse; the model file's detector scores them in passes`,
      );
    await huntOverSpill({ spill, loaded, builder: null }, options, [where(options)], io);
  } finally {
    spill.close();
  }
}

/** The events table as the report and the messages name it. */
function where(options: EngineOptions): string {
  return `clickhouse ${options.url} ${options.database}.${options.table}`;
}

/**
 * Streams the sessions ClickHouse made once, in the order the file readers emit them, each sanity-checked and
 * handed to `each` (not held); prints the sanity warnings. The caller closes `push`.
 */
async function streamEach(
  push: ClickHousePushdown,
  options: InputOptions,
  io: Io,
  each: (s: CliSession, index: number) => void,
): Promise<LoadedSessions> {
  const sanity = new SanityCheck(options.user);
  let index = 0;
  await push.eachSession((fetched) => {
    const session = cliSession(fetched);
    sanity.add(session);
    each(session, index++);
  });
  const warnings = sanity.warnings();
  for (const w of warnings) io.err(`seqhunt: warning: ${w}`);
  return { sessions: [], stats: push.stats, identityColumns: options.user, warnings };
}

/** {@link streamEach}, then the work tables dropped. */
async function streamOnce(
  push: ClickHousePushdown,
  options: InputOptions,
  io: Io,
  each: (s: CliSession, index: number) => void,
): Promise<LoadedSessions> {
  try {
    return await streamEach(push, options, io, each);
  } finally {
    await push.close();
  }
}

/**
 * The sessions ClickHouse made, streamed back in the order the file readers emit them, as the in-process
 * pipeline holds them (sanity warnings included): what detectors that need every session together read.
 * The work tables are dropped once read, before the in-process work.
 */
async function streamSessions(
  push: ClickHousePushdown,
  options: InputOptions & { quiet: boolean },
  io: Io,
): Promise<LoadedSessions> {
  const sessions: CliSession[] = [];
  const loaded = await streamOnce(push, options, io, (s) => sessions.push(s));
  if (!options.quiet)
    io.err(`read back ${sessions.length} sessions made in ClickHouse; the detector runs in process`);
  return { ...loaded, sessions };
}

/** The reference pushed down: sessionized, counted (or --model loaded) and scored in ClickHouse; the top N explained here. */
async function huntPushedDown(
  push: ClickHousePushdown,
  saved: Model | undefined,
  options: HuntOptions & EngineOptions,
  io: Io,
): Promise<void> {
  const model = saved ?? (await push.train());
  const shape = { window: options.window, tokens: options.tokens, geoMean: options.geoMean };
  const top = await push.score(model, shape, options.top, options.outTable);
  const bySid = new Map((await push.sessions(top.map((s) => s.sid))).map((s) => [s.sid, s]));
  const sessions: CliSession[] = top.map((s) => {
    const fetched = bySid.get(s.sid);
    if (fetched === undefined) throw new SeqhuntError(`session ${s.sid} vanished from the work table`);
    return {
      identity: fetched.identity,
      start: fetched.start,
      end: fetched.end,
      commands: fetched.commands,
      fields: {},
    };
  });
  const ranking = rankInOrder(model, sessions, shape);
  await publish(
    model,
    ranking,
    { sessions, stats: push.stats, identityColumns: options.user },
    {
      ...shape,
      top: options.top,
      out: options.out,
      report: options.report,
      quiet: options.quiet,
      modelSource: options.model ?? `trained in ClickHouse on ${options.database}.${options.table}`,
      files: [where(options)],
    },
    io,
  );
  if (!options.quiet) {
    io.err(
      `scored ${push.sessionCount} sessions in ClickHouse; ${options.out || options.report ? `--out/--report hold the top ${sessions.length}` : `showed the top ${sessions.length}`}`,
    );
    if (options.outTable)
      io.err(`wrote every session's scores and rank to ${options.database}.${options.outTable}`);
  }
}

/**
 * train with --engine clickhouse: the reference alone (--method reference) from count tables counted in
 * ClickHouse; markov-novelty (without --update) counted in ClickHouse over a spill file; any other detector
 * trained in process on the sessions streamed back, as for files.
 */
export async function trainClickHouse(
  options: TrainOptions & EngineOptions & { out: string },
  io: Io,
): Promise<void> {
  const method = options.method ?? DEFAULT_METHOD;
  // Checked before any work: a bad --entity should not wait for the sessionizing.
  const weighted =
    method === COUNTED && options.update === undefined
      ? weightedSessionOf(options.user, options.entity)
      : null;
  const push = await openPushdown(options, io, options.quiet);
  if (weighted !== null) {
    await trainCounted(push, weighted, options, io);
    return;
  }
  if (method !== "reference") {
    await trainLoaded(await streamSessions(push, options, io), options, io, { out: options.out });
    return;
  }
  let model: Model;
  try {
    model = await push.train();
  } finally {
    await push.close();
  }
  writeTextAtomically(options.out, `${JSON.stringify(model.toJSON())}\n`);
  if (!options.quiet)
    io.err(
      `trained in ClickHouse on ${push.sessionCount} sessions (${model.sessionType}); wrote ${options.out}`,
    );
}

/**
 * train with markov-novelty counted in ClickHouse ({@link countInSpill}), the fingerprint taken as the
 * sessions stream back: the model file in-process train writes (its reference vocabulary perhaps in
 * another order), in memory bounded by the model.
 */
async function trainCounted(
  push: ClickHousePushdown,
  weighted: (s: CliSession) => WeightedSession,
  options: TrainOptions & EngineOptions & { out: string },
  io: Io,
): Promise<void> {
  const spill = new SpilledSessions();
  try {
    const fingerprint = new SessionsFingerprint();
    const { detector, reference } = await countInSpill(push, weighted, options, io, { spill, fingerprint });
    const entity = options.entity ?? null;
    const file = modelFileOf({ reference, detector, entity, trainingFingerprint: fingerprint.value() });
    writeTextAtomically(options.out, `${JSON.stringify(file)}\n`);
    if (!options.quiet)
      io.err(
        `${countedMessage(spill.count, options)}; ${trainedMessage(`${spill.count} sessions (${reference.sessionType}, ${COUNTED})`, options, options.out)}`,
      );
  } finally {
    spill.close();
  }
}
