import { SeqhuntError } from "../errors.js";
import type {
  Analysis,
  Command,
  ExplainOptions,
  Explanation,
  GeoMeanOptions,
  ModelFile,
  ModelOptions,
  ParamSetProbability,
  RarestWindowOptions,
  ScoreOptions,
  Session,
  SessionScore,
  SessionTypeName,
  TokenOptions,
} from "../types.js";
import { type Cmd, valueText } from "./cmd.js";
import { END_ID, RawCounts } from "./counts.js";
import { type EncodedSessions, encodeSessions, internResolver, lookupResolver } from "./encode.js";
import { explainSession } from "./explain.js";
import { fillEmissions, LogProbabilities, SessionScratch, sessionLogLikelihood } from "./likelihood.js";
import { modellableParamIds } from "./modellable.js";
import { countsToFile, fileToCounts } from "./serialize.js";
import { SessionType, validateSessions } from "./session-type.js";
import { SmoothedCounts } from "./smoothing.js";
import type { StateMatrix } from "./state-matrix.js";
import { buildTables, type ModelTables } from "./tables.js";
import { rarestWindow, type WindowResult } from "./windows.js";

/**
 * Options that make a trained model of raw counts with no training sessions (Model.fromJSON, Model.merge,
 * ModelBuilder, engines via {@link modelFromRawCounts}). A module-private class: no caller outside can make one.
 */
class FromCounts implements ModelOptions {
  constructor(
    readonly counts: RawCounts,
    readonly sessionType: SessionTypeName,
    readonly modellableParams: Iterable<string> | null = null,
  ) {}
}

function sameSet(a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Everything a trained model derives from its raw counts. */
class Trained {
  /** Smoothed counts; the value parts are partial while the raw counts hold values back (likelihoods never read those). */
  readonly smoothed: SmoothedCounts;
  readonly logs: LogProbabilities;
  readonly modellableNames: Set<string> | null;
  #tables: ModelTables | null = null;
  /** Whether the raw counts held values back when `smoothed` was computed. */
  readonly #partial: boolean;

  constructor(
    readonly counts: RawCounts,
    readonly sessionType: SessionTypeName,
    given: ReadonlySet<string> | null,
  ) {
    this.smoothed = new SmoothedCounts(counts);
    this.#partial = counts.hasDeferred;
    const params = counts.params;
    let ids: number[] = [];
    if (sessionType === SessionType.cmdsParamsValues) {
      if (given === null) {
        ids = modellableParamIds(counts);
        this.modellableNames = new Set(ids.map((p) => params.name(p)));
      } else {
        ids = [...given].map((name) => params.lookup(name, -1)).filter((p) => p >= 0);
        this.modellableNames = new Set(given);
      }
    } else {
      this.modellableNames = given === null ? null : new Set(given);
    }
    this.logs = new LogProbabilities(this.smoothed, ids);
  }

  /** The reference's tables as views, made on first use; held-back values are counted first. */
  get tables(): ModelTables {
    if (this.#tables === null) {
      this.counts.settle();
      const smoothed = this.#partial ? new SmoothedCounts(this.counts) : this.smoothed;
      this.#tables = buildTables(smoothed, this.sessionType);
    }
    return this.#tables;
  }
}

const NOT_TRAINED = "the model is not trained: call train() first";

/**
 * The commands of `session` from `start`, at most `k` of them (`[]` when `start` < 0): what `slice` gives,
 * copied in a loop (a builtin call per session cost more than the window scan for short sessions).
 */
function windowOf(session: Session, start: number, k: number): Command[] {
  if (start < 0) return [];
  const length = Math.min(k, session.length - start);
  const window: Command[] = new Array(length);
  for (let i = 0; i < length; i++) window[i] = session[start + i] as Command;
  return window;
}

function checkWindowLength(windowLength: unknown): number {
  if (typeof windowLength !== "number" || !Number.isInteger(windowLength) || windowLength < 1) {
    throw new SeqhuntError(`window length must be a whole number >= 1, got ${String(windowLength)}`);
  }
  return windowLength;
}

/** What each trained model derives from its counts; a module-level map so the engine access below can read it. */
const trainedModels = new WeakMap<Model, Trained>();

/** The precomputed log tables of a trained model (internal: engines reach it through engine-access.ts). */
export function logTablesOf(model: Model): LogProbabilities {
  const trained = trainedModels.get(model);
  if (trained === undefined) throw new SeqhuntError(NOT_TRAINED);
  return trained.logs;
}

/** A trained model from raw counts made elsewhere (internal: engines reach it through engine-access.ts); it holds no sessions. */
export function modelFromRawCounts(counts: RawCounts, sessionType: SessionTypeName): Model {
  return new Model([], new FromCounts(counts, sessionType));
}

/**
 * A first-order Markov model of sessions, reproducing msticpy's `anomalous_sequence` Model number
 * for number. Construct with training sessions, call {@link Model.train}, then the compute methods.
 */
export class Model {
  /** The training sessions. */
  readonly sessions: readonly Session[];
  /** Decided by the first command of the first session. */
  readonly sessionType: SessionTypeName;
  /** Parameters whose values are modelled: caller-given, or picked by the heuristic at training (values only). */
  modellableParams: Set<string> | null;
  /** Likelihood of each training session, from {@link Model.computeLikelihoodsOfSessions}. */
  sessionLikelihoods: number[] | null = null;
  /** Natural log of each session likelihood (finite where the plain likelihood underflows). */
  sessionLogLikelihoods: number[] | null = null;
  /** Likelihood of each session to the power 1/length. */
  sessionGeomeanLikelihoods: number[] | null = null;
  /** Rarest window of each session, per window length. */
  readonly rareWindows = new Map<number, Command[][]>();
  /** Likelihood of each session's rarest window, per window length (NaN where none fits). */
  readonly rareWindowLikelihoods = new Map<number, number[]>();
  /** Natural log of each rarest-window likelihood, per window length. */
  readonly rareWindowLogLikelihoods = new Map<number, number[]>();
  /** Rarest windows by the geometric mean of the window likelihood, per window length. */
  readonly rareWindowsGeo = new Map<number, Command[][]>();
  /** Geometric-mean likelihood of each session's rarest window, per window length. */
  readonly rareWindowLikelihoodsGeo = new Map<number, number[]>();
  /** Natural log of each geometric-mean rarest-window likelihood, per window length. */
  readonly rareWindowLogLikelihoodsGeo = new Map<number, number[]>();
  /** From {@link Model.computeSetofParamsCondCmd}: each command's distinct parameter sets and their probability. */
  setParamsCondCmdProbs: Map<string, ParamSetProbability[]> | null = null;

  readonly #givenModellable: ReadonlySet<string> | null;
  /** The array the caller gave: analyzing that very array again reuses the training encoding. */
  readonly #input: readonly Session[];
  get #trained(): Trained | null {
    return trainedModels.get(this) ?? null;
  }
  #encoded: EncodedSessions | null = null;

  /**
   * @param sessions - training sessions: lists of command names, or of {@link Cmd}s (all of one type)
   * @param options - `modellableParams` to choose the parameters whose values are modelled
   */
  constructor(sessions: readonly Session[], options: ModelOptions = {}) {
    const parts = options instanceof FromCounts ? options : undefined;
    this.#input = sessions;
    const checked = validateSessions(sessions, parts?.sessionType);
    this.sessions = checked.sessions;
    this.sessionType = checked.sessionType;
    const given = options.modellableParams;
    this.#givenModellable = given == null ? null : new Set(given);
    this.modellableParams = this.#givenModellable === null ? null : new Set(this.#givenModellable);
    if (parts !== undefined)
      this.#setTrained(new Trained(parts.counts, this.sessionType, this.#givenModellable));
  }

  /**
   * Loads a model saved with {@link Model.toJSON}. The file is checked against the format's schema and
   * for consistency; a damaged or foreign file throws a {@link SeqhuntError} saying what is wrong.
   * The loaded model scores new sessions; it holds no training sessions.
   */
  static fromJSON(file: unknown): Model {
    const { counts, sessionType, modellableParams } = fileToCounts(file);
    return new Model([], new FromCounts(counts, sessionType, modellableParams));
  }

  /**
   * The model of both training sets together: equal to training on the union of their sessions
   * (raw counts add; smoothing, probabilities and the modellable-parameter heuristic are recomputed).
   * Refuses models of different session types or with different caller-given modellable parameters.
   */
  static merge(a: Model, b: Model): Model {
    const ta = a.#require();
    const tb = b.#require();
    if (a.sessionType !== b.sessionType) {
      throw new SeqhuntError(`cannot merge a ${a.sessionType} model with a ${b.sessionType} model`);
    }
    if (!sameSet(a.#givenModellable, b.#givenModellable)) {
      throw new SeqhuntError("cannot merge models trained with different caller-given modellable parameters");
    }
    const counts = ta.counts.clone();
    counts.addCounts(tb.counts);
    return new Model(
      [...a.sessions, ...b.sessions],
      new FromCounts(counts, a.sessionType, a.#givenModellable),
    );
  }

  /** The trained model as a compact, versioned JSON object (see {@link ModelFile}); load it with {@link Model.fromJSON}. */
  toJSON(): ModelFile {
    return countsToFile(this.#require().counts, this.sessionType, this.#givenModellable);
  }

  /**
   * Scores sessions that need not be in the training data, against the trained model, without changing it.
   * Unseen commands and values score as `##UNK##`; unseen parameters are ignored, as the reference does.
   */
  score(sessions: readonly Session[], options: ScoreOptions): SessionScore[] {
    return this.analyze(sessions, options).scores;
  }

  /**
   * Why a session scores as it does: each step's transition probability, parameter term and surprise,
   * the parameters that made it unlikely, and where the rarest window is.
   */
  explain(session: Session, options: ExplainOptions = {}): Explanation {
    return this.analyze([session], { ...options, windowLength: options.windowLength ?? 3 }).explain(0);
  }

  /**
   * Scores sessions as {@link Model.score} does and gives a function that explains any of them
   * (as {@link Model.explain}) without checking and encoding them again.
   */
  analyze(sessions: readonly Session[], options: ScoreOptions): Analysis {
    // Long because scoring and the explain closure share the encoded sessions and one scratch buffer, which is why analyze exists.
    const trained = this.#require();
    const k = checkWindowLength(options.windowLength);
    const tokens = options.useStartEndTokens ?? true;
    const geo = options.useGeoMean ?? false;
    // The training sessions were checked and encoded already (with the same ids a lookup would give).
    const same = sessions === this.#input && this.#encoded !== null;
    const checked = same ? this.sessions : validateSessions(sessions, this.sessionType).sessions;
    const { commands, params, values } = trained.counts;
    const encoded = same
      ? (this.#encoded as EncodedSessions)
      : encodeSessions(
          checked,
          this.sessionType,
          lookupResolver(commands, params, values, trained.logs.modellable),
        );
    const logs = trained.logs;
    const scratch = new SessionScratch();
    const window: WindowResult = { start: -1, logLikelihood: Number.NaN };
    const scores: SessionScore[] = new Array(encoded.count);
    for (let s = 0; s < encoded.count; s++) {
      fillEmissions(logs, encoded, s, scratch);
      const logLikelihood = sessionLogLikelihood(logs, encoded, s, scratch, tokens);
      rarestWindow(logs, encoded, s, scratch, k, tokens, geo, window);
      const found = window.start >= 0;
      scores[s] = {
        likelihood: Math.exp(logLikelihood),
        logLikelihood,
        rarestWindow: windowOf(checked[s] as Session, window.start, k),
        rarestWindowStart: found ? window.start : null,
        rarestWindowLikelihood: Math.exp(window.logLikelihood),
        rarestWindowLogLikelihood: window.logLikelihood,
      };
    }
    const sessionType = this.sessionType;
    const explain = (s: number, explainOptions: { windowOnly?: boolean } = {}): Explanation => {
      const session = checked[s];
      const score = scores[s];
      if (session === undefined || score === undefined) throw new RangeError(`no session ${s} to explain`);
      fillEmissions(logs, encoded, s, scratch);
      // The explanation locates the plain (not geo-mean) rarest window.
      const found = geo
        ? rarestWindow(logs, encoded, s, scratch, k, tokens, false)
        : { start: score.rarestWindowStart ?? -1, logLikelihood: score.rarestWindowLogLikelihood };
      const where =
        found.start < 0
          ? null
          : {
              start: found.start,
              length: Math.min(k, session.length - found.start),
              logLikelihood: found.logLikelihood,
            };
      const last = encoded.commands[(encoded.sessionStart[s + 1] as number) - 1] as number;
      const endLog = tokens ? logs.logTrans(last, END_ID) : null;
      return explainSession(
        logs,
        encoded,
        s,
        session,
        sessionType,
        scratch.emission,
        tokens,
        where,
        score.logLikelihood,
        endLog,
        explainOptions.windowOnly ?? false,
      );
    };
    return { scores, explain };
  }

  /** Counts commands (and parameters, and values) and computes every probability table. */
  train(): void {
    const counts = new RawCounts();
    // Values of parameters that cannot be modellable are counted only when a table asks for them.
    const defer =
      this.sessionType === SessionType.cmdsParamsValues && this.#givenModellable === null
        ? (p: number, v: string) => counts.defer(p, v)
        : undefined;
    const encoded = encodeSessions(
      this.sessions,
      this.sessionType,
      internResolver(counts.commands, counts.params, counts.values, defer),
    );
    counts.add(encoded);
    this.#encoded = encoded;
    this.#setTrained(new Trained(counts, this.sessionType, this.#givenModellable));
  }

  #setTrained(trained: Trained): void {
    trainedModels.set(this, trained);
    this.modellableParams = trained.modellableNames;
  }

  #require(): Trained {
    if (this.#trained === null) throw new SeqhuntError(NOT_TRAINED);
    return this.#trained;
  }

  /** The training sessions as ids of the trained vocabularies. */
  #trainingEncoded(trained: Trained): EncodedSessions {
    if (this.#encoded === null) {
      const { commands, params, values } = trained.counts;
      this.#encoded = encodeSessions(
        this.sessions,
        this.sessionType,
        lookupResolver(commands, params, values),
      );
    }
    return this.#encoded;
  }

  /** Smoothed command counts (null before training). */
  get seq1Counts(): StateMatrix<number> | null {
    return this.#trained?.tables.seq1Counts ?? null;
  }
  /** Smoothed transition counts. */
  get seq2Counts(): StateMatrix<StateMatrix<number>> | null {
    return this.#trained?.tables.seq2Counts ?? null;
  }
  /** Smoothed parameter counts (null for plain commands). */
  get paramCounts(): StateMatrix<number> | null {
    return this.#trained?.tables.paramCounts ?? null;
  }
  /** Smoothed parameter counts per command. */
  get cmdParamCounts(): StateMatrix<StateMatrix<number>> | null {
    return this.#trained?.tables.cmdParamCounts ?? null;
  }
  /** Smoothed value counts (sessions with values only). */
  get valueCounts(): StateMatrix<number> | null {
    return this.#trained?.tables.valueCounts ?? null;
  }
  /** Smoothed value counts per parameter. */
  get paramValueCounts(): StateMatrix<StateMatrix<number>> | null {
    return this.#trained?.tables.paramValueCounts ?? null;
  }
  /** Prior probability of each command. */
  get priorProbs(): StateMatrix<number> | null {
    return this.#trained?.tables.priorProbs ?? null;
  }
  /** Transition probabilities: `transProbs.get(a).get(b)` = P(b follows a). */
  get transProbs(): StateMatrix<StateMatrix<number>> | null {
    return this.#trained?.tables.transProbs ?? null;
  }
  /** Probability of each parameter. */
  get paramProbs(): StateMatrix<number> | null {
    return this.#trained?.tables.paramProbs ?? null;
  }
  /** Probability that each parameter is present, given the command (Bernoulli; rows do not sum to 1). */
  get paramCondCmdProbs(): StateMatrix<StateMatrix<number>> | null {
    return this.#trained?.tables.paramCondCmdProbs ?? null;
  }
  /** Probability of each value. */
  get valueProbs(): StateMatrix<number> | null {
    return this.#trained?.tables.valueProbs ?? null;
  }
  /** Probability of each value given the parameter. */
  get valueCondParamProbs(): StateMatrix<StateMatrix<number>> | null {
    return this.#trained?.tables.valueCondParamProbs ?? null;
  }

  /** Computes likelihoods, geometric-mean likelihoods and rarest windows of length 2 and 3 (not geo). */
  computeScores(options: TokenOptions = {}): void {
    this.#require();
    const useStartEndTokens = options.useStartEndTokens ?? true;
    this.computeLikelihoodsOfSessions({ useStartEndTokens });
    this.computeGeomeanLikOfSessions();
    this.computeRarestWindows(2, { useStartEndTokens, useGeoMean: false });
    this.computeRarestWindows(3, { useStartEndTokens, useGeoMean: false });
  }

  /** Likelihood of each training session (with `##START##`/`##END##` unless told otherwise). */
  computeLikelihoodsOfSessions(options: TokenOptions = {}): void {
    const trained = this.#require();
    const tokens = options.useStartEndTokens ?? true;
    const encoded = this.#trainingEncoded(trained);
    const scratch = new SessionScratch();
    const logs: number[] = new Array(encoded.count);
    for (let s = 0; s < encoded.count; s++) {
      fillEmissions(trained.logs, encoded, s, scratch);
      logs[s] = sessionLogLikelihood(trained.logs, encoded, s, scratch, tokens);
    }
    this.sessionLogLikelihoods = logs;
    this.sessionLikelihoods = logs.map(Math.exp);
  }

  /** Each session likelihood to the power 1/length (computing likelihoods with tokens first if needed). */
  computeGeomeanLikOfSessions(): void {
    this.#require();
    if (this.sessionLikelihoods === null) this.computeLikelihoodsOfSessions({ useStartEndTokens: true });
    const likelihoods = this.sessionLikelihoods as number[];
    this.sessionGeomeanLikelihoods = likelihoods.map(
      (lik, s) => lik ** (1 / (this.sessions[s] as Session).length),
    );
  }

  /**
   * The rarest window of `windowLength` commands in each training session, and its likelihood.
   * A session too short for any window gets NaN and `[]`.
   */
  computeRarestWindows(windowLength: number, options: RarestWindowOptions = {}): void {
    const trained = this.#require();
    const k = checkWindowLength(windowLength);
    const tokens = options.useStartEndTokens ?? true;
    const geo = options.useGeoMean ?? false;
    const encoded = this.#trainingEncoded(trained);
    const scratch = new SessionScratch();
    const result: WindowResult = { start: -1, logLikelihood: Number.NaN };
    const windows: Command[][] = new Array(encoded.count);
    const logs: number[] = new Array(encoded.count);
    const likelihoods: number[] = new Array(encoded.count);
    for (let s = 0; s < encoded.count; s++) {
      fillEmissions(trained.logs, encoded, s, scratch);
      rarestWindow(trained.logs, encoded, s, scratch, k, tokens, geo, result);
      windows[s] = windowOf(this.sessions[s] as Session, result.start, k);
      logs[s] = result.logLikelihood;
      likelihoods[s] = Math.exp(result.logLikelihood);
    }
    (geo ? this.rareWindowsGeo : this.rareWindows).set(k, windows);
    (geo ? this.rareWindowLogLikelihoodsGeo : this.rareWindowLogLikelihoods).set(k, logs);
    (geo ? this.rareWindowLikelihoodsGeo : this.rareWindowLikelihoods).set(k, likelihoods);
  }

  /**
   * For every command of the training sessions, the probability of its parameter set given the command,
   * one entry per distinct set. Not available for sessions of plain command names.
   */
  computeSetofParamsCondCmd(options: GeoMeanOptions): void {
    const trained = this.#require();
    if (this.sessionType === SessionType.cmdsOnly) {
      throw new SeqhuntError(
        "computeSetofParamsCondCmd needs sessions of Cmd(name, params), not plain command names",
      );
    }
    const geo = options.useGeoMean;
    const encoded = this.#trainingEncoded(trained);
    const modellable =
      this.sessionType === SessionType.cmdsParamsValues ? (this.modellableParams ?? new Set()) : null;
    const byCommand = new Map<string, Map<string, ParamSetProbability>>();
    let i = 0;
    for (const session of this.sessions) {
      for (const command of session) {
        const cmd = command as Cmd;
        const names: string[] = [];
        if (cmd.params instanceof Set) {
          for (const p of cmd.params) names.push(modellable?.has(p) ? `${p} --- None` : p);
        } else {
          const record = cmd.params as Readonly<Record<string, string | null>>;
          for (const p of Object.keys(record))
            names.push(modellable?.has(p) ? `${p} --- ${valueText(record[p])}` : p);
        }
        names.sort();
        const key = JSON.stringify(names);
        let sets = byCommand.get(cmd.name);
        if (sets === undefined) {
          sets = new Map();
          byCommand.set(cmd.name, sets);
        }
        if (!sets.has(key)) {
          sets.set(key, { params: names, probability: Math.exp(trained.logs.logParamTerm(encoded, i, geo)) });
        }
        i++;
      }
    }
    this.setParamsCondCmdProbs = new Map([...byCommand].map(([name, sets]) => [name, [...sets.values()]]));
  }
}

/** Sessions a ModelBuilder holds before it counts them (bounds its memory). */
const BUILDER_BATCH = 4096;

/**
 * Trains a model from sessions given one at a time, keeping only the counts: memory is bounded by the
 * model, not by the number of sessions. `build()` gives the same model as training on all of them
 * (it holds no training sessions, like a loaded one).
 */
export class ModelBuilder {
  /** The counts so far; null once {@link ModelBuilder.finish} handed them over. */
  #counts: RawCounts | null = new RawCounts();
  readonly #given: ReadonlySet<string> | null;
  #sessionType: SessionTypeName | undefined;
  #pending: Session[] = [];
  #weights: number[] = [];
  #seen = 0;
  #counted = 0;

  constructor(options: ModelOptions = {}) {
    const given = options.modellableParams;
    this.#given = given == null ? null : new Set(given);
  }

  /** Number of sessions added (weighted). */
  get sessions(): number {
    return this.#seen;
  }

  /** Adds one session, `weight` times; its type must match the first session's. */
  add(session: Session, weight = 1): void {
    if (this.#counts === null)
      throw new SeqhuntError("this model builder is finished: it takes no more sessions");
    if (!(weight > 0) || !Number.isFinite(weight))
      throw new SeqhuntError(`session weight must be a number > 0, got ${weight}`);
    let checked: Session;
    try {
      const result = validateSessions([session], this.#sessionType);
      checked = result.sessions[0] as Session;
      this.#sessionType = result.sessionType;
    } catch (err) {
      const message = (err as Error).message.replace(
        /^session 0/,
        `session ${this.#pending.length + this.#counted}`,
      );
      throw new SeqhuntError(message, { session: this.#pending.length + this.#counted });
    }
    this.#pending.push(checked);
    this.#weights.push(weight);
    this.#seen += weight;
    if (this.#pending.length >= BUILDER_BATCH) this.#flush();
  }

  #flush(): RawCounts {
    const counts = this.#counts;
    if (counts === null)
      throw new SeqhuntError("this model builder is finished: build no more models from it");
    if (this.#pending.length === 0 || this.#sessionType === undefined) return counts;
    const { commands, params, values } = counts;
    const encoded = encodeSessions(
      this.#pending,
      this.#sessionType,
      internResolver(commands, params, values),
    );
    counts.add(encoded, this.#weights);
    this.#counted += this.#pending.length;
    this.#pending = [];
    this.#weights = [];
    return counts;
  }

  /** The trained model of every session added so far. */
  build(): Model {
    const counts = this.#flush();
    if (this.#sessionType === undefined) throw new SeqhuntError("no sessions were added");
    return new Model([], new FromCounts(counts.clone(), this.#sessionType, this.#given));
  }

  /**
   * {@link ModelBuilder.build} for the last time: the builder then lets go of its counts (the model holds
   * its own copy), so that a large model is not held twice while its builder is still referenced.
   */
  finish(): Model {
    const model = this.build();
    this.#counts = null;
    return model;
  }
}
