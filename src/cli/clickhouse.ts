import { MAX_ORDER } from "../detect/adaptive.js";
import { contextChainCounting } from "../detect/context-chain.js";
import {
  type MarkovNoveltyCounts,
  markovNoveltyFromCounts,
  NOVELTY_WINDOW,
} from "../detect/markov-novelty.js";
import { trainInPasses } from "../detect/passes.js";
import { DEFAULT_METHOD } from "../detect/registry.js";
import type { SessionPasses, WeightedSession } from "../detect/types.js";
import type { ClickHousePushdown, FetchedSession, ShardWork } from "../engine/clickhouse/pushdown.js";
import { SeqhuntError } from "../errors.js";
import { writeTextAtomically } from "../io/atomic.js";
import { clickhouseCredentials } from "../io/settings.js";
import { type Model, ModelBuilder } from "../model/model.js";
import type { HuntOptions, Io, TrainOptions } from "./commands.js";
import { huntLoaded, publish, publishSpilled, scoreSpilled, spillPasses, trainLoaded } from "./commands.js";
import { weightedSessionOf } from "./detect-glue.js";
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
 * pushed down whole: counted and scored in ClickHouse. Every other detector trains and scores in process, as
 * for files, on the sessions ClickHouse made (streamed back): exact by construction, whatever its statistics.
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

/**
 * hunt with markov-novelty, its memory bounded by the model and a few numbers per session: its chain,
 * presence and window counts are counted in ClickHouse (each shard its own sessions); the sessions stream
 * back once, counted for its context chain and the reference and written to a spill file; one pass over
 * the spill scores every session held out; ranking reads the spill back by index (the rarest printed and
 * reported, --out in rank order). The same output as in process.
 */
async function huntCounted(
  push: ClickHousePushdown,
  weighted: (s: CliSession) => WeightedSession,
  options: HuntOptions & EngineOptions,
  io: Io,
): Promise<void> {
  const column = options.entity === undefined ? -1 : options.user.indexOf(options.entity);
  const spill = new SpilledSessions();
  try {
    const reference = new ModelBuilder();
    const sanity = new SanityCheck(options.user);
    // The one stream of the sessions: checked, counted for the reference and the context chain, spilled.
    const stream: SessionPasses = {
      pass: async (visit) => {
        let index = 0;
        await push.eachSession((fetched) => {
          const session = cliSession(fetched);
          sanity.add(session);
          reference.add(session.commands);
          spill.append(session);
          visit(weighted(session), index++);
        });
      },
    };
    let counts: MarkovNoveltyCounts;
    try {
      const counted = await push.countMarkovNovelty({
        entity: column < 0 ? null : column,
        window: NOVELTY_WINDOW,
      });
      counts = { ...counted, context: await trainInPasses(contextChainCounting(MAX_ORDER), stream) };
    } finally {
      await push.close();
    }
    // The held-out pass reads the spill file: the sessions are not fetched twice.
    const spilled = spillPasses(spill);
    const detector = await markovNoveltyFromCounts(counts, {
      pass: (visit) => spilled.pass((s, i) => visit(weighted(s), i)),
    });
    if (!options.quiet)
      io.err(
        `counted ${COUNTED} in ClickHouse (its context chain as the ${spill.count} sessions streamed back); scored them held out`,
      );
    const warnings = sanity.warnings();
    for (const w of warnings) io.err(`seqhunt: warning: ${w}`);
    const loaded = { sessions: [], stats: push.stats, identityColumns: options.user, warnings };
    const model = reference.build();
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

/** The events table as the report and the messages name it. */
function where(options: EngineOptions): string {
  return `clickhouse ${options.url} ${options.database}.${options.table}`;
}

/**
 * The sessions ClickHouse made, streamed back in the order the file readers emit them, as the in-process
 * pipeline holds them (sanity warnings included): what every detector but the pushed-down reference reads.
 * The work tables are dropped once read, before the in-process work.
 */
async function streamSessions(
  push: ClickHousePushdown,
  options: InputOptions & { quiet: boolean },
  io: Io,
): Promise<LoadedSessions> {
  const sessions: CliSession[] = [];
  const sanity = new SanityCheck(options.user);
  try {
    await push.eachSession((s) => {
      const session = cliSession(s);
      sanity.add(session);
      sessions.push(session);
    });
  } finally {
    await push.close();
  }
  if (!options.quiet)
    io.err(`read back ${sessions.length} sessions made in ClickHouse; the detector runs in process`);
  const warnings = sanity.warnings();
  for (const w of warnings) io.err(`seqhunt: warning: ${w}`);
  return { sessions, stats: push.stats, identityColumns: options.user, warnings };
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
 * ClickHouse; any other detector trained in process on the sessions streamed back, as for files.
 */
export async function trainClickHouse(
  options: TrainOptions & EngineOptions & { out: string },
  io: Io,
): Promise<void> {
  const push = await openPushdown(options, io, options.quiet);
  if ((options.method ?? DEFAULT_METHOD) !== "reference") {
    await trainLoaded(await streamSessions(push, options, io), options, io, options.out);
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
