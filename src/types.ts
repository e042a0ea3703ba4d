import type { Cmd } from "./model/cmd.js";

/**
 * Parameters of a {@link Cmd}: names only, or names mapped to values (`null` for none). Values are text;
 * JSON numbers and booleans are accepted too and read as Python prints them (`1`, `True`).
 */
export type CmdParams = ReadonlySet<string> | Readonly<Record<string, string | null>>;

/** One step of a session: a plain command name, or a {@link Cmd} with parameters. */
export type Command = string | Cmd;

/** A session: the ordered commands one identity ran. */
export type Session = readonly Command[];

/** The three kinds of sessions the model handles. */
export type SessionTypeName = "cmds_only" | "cmds_params_only" | "cmds_params_values";

/** Options of the {@link Model} constructor. */
export interface ModelOptions {
  /**
   * Parameters whose values are categorical enough to model (sessions with values only).
   * When absent, the reference's heuristic picks them from the training data.
   */
  readonly modellableParams?: Iterable<string> | null;
}

/** Whether sessions are padded with the start and end tokens. */
export interface TokenOptions {
  /** Prepend `##START##` and append `##END##` before computing (default `true`). */
  readonly useStartEndTokens?: boolean;
}

/** Options of {@link Model.computeRarestWindows}. */
export interface RarestWindowOptions extends TokenOptions {
  /** Raise each window's likelihood to the power 1/windowLength (default `false`). */
  readonly useGeoMean?: boolean;
}

/** Options of {@link Model.computeSetofParamsCondCmd}. */
export interface GeoMeanOptions {
  /** Raise each probability to the power 1/K (see the reference). */
  readonly useGeoMean: boolean;
}

/** One distinct parameter set of a command, with its probability given the command. */
export interface ParamSetProbability {
  /** Parameter names; a modellable parameter with value v is written `"name --- v"`. */
  readonly params: string[];
  /** Probability of exactly this parameter set given the command. */
  readonly probability: number;
}

/** Options of {@link sessionize}. */
export interface SessionizeOptions {
  /** Columns that identify who ran the events (user, IP, host...). */
  readonly userIdentifierCols: readonly string[];
  /**
   * Column with the event time: a `Date`, epoch milliseconds, or text: ISO 8601 (UTC when no zone), the Azure
   * portal's US format, or epoch seconds/ms/us/ns told by magnitude.
   */
  readonly timeCol: string;
  /** A session never lasts longer than this many minutes from its first event. */
  readonly maxSessionTimeMins: number;
  /** A gap longer than this many minutes between two events starts a new session. */
  readonly maxEventSeparationMins: number;
  /** Column holding the event (command) itself. */
  readonly eventCol: string;
}

/** A session made by {@link sessionize}: identity columns plus the fields below. */
export type SessionRow = Record<string, unknown>;

/** Options of {@link scoreSessions}. */
export interface ScoreSessionsOptions {
  /** Column of each row that holds the session (a list of commands). */
  readonly sessionColumn: string;
  /** Length of the sliding window. */
  readonly windowLength: number;
}

/**
 * A saved model (`model.toJSON()`), version 1: the raw counts keyed by ids into the three name lists.
 * Ids 0, 1, 2 of `commands` are `##START##`, `##END##`, `##UNK##`; id 0 of `params` and `values` is `##UNK##`.
 * Two-level counts are flat `(from id, to id, count)` triples.
 */
export interface ModelFile {
  /** Always `"seqhunt-model"`. */
  readonly format: "seqhunt-model";
  /** Format version; this build reads and writes 1. */
  readonly version: 1;
  /** The session type the model was trained on. */
  readonly sessionType: SessionTypeName;
  /** Caller-given modellable parameters, or null when the heuristic picks them. */
  readonly modellableParams: string[] | null;
  /** Number of training sessions. */
  readonly sessionCount: number;
  /** Command names by id. */
  readonly commands: string[];
  /** Parameter names by id. */
  readonly params: string[];
  /** Parameter values by id. */
  readonly values: string[];
  /** Raw count per command id (tokens included). */
  readonly seq1: number[];
  /** Transitions: (previous command, command, count) triples. */
  readonly seq2: number[];
  /** Raw count per parameter id. */
  readonly param: number[];
  /** (command, parameter, count) triples. */
  readonly cmdParam: number[];
  /** Raw count per value id. */
  readonly value: number[];
  /** (parameter, value, count) triples. */
  readonly paramValue: number[];
}

/** Options of {@link Model.score}. */
export interface ScoreOptions extends RarestWindowOptions {
  /** Length of the sliding window. */
  readonly windowLength: number;
}

/** The score of one session from {@link Model.score}. */
export interface SessionScore {
  /** Likelihood of the whole session (0 when it underflows: use `logLikelihood`). */
  readonly likelihood: number;
  /** Natural log of the session likelihood; finite for any length. */
  readonly logLikelihood: number;
  /** The rarest window's commands (`[]` when no window fits). */
  readonly rarestWindow: Command[];
  /** Where the rarest window starts in the session (null when no window fits). */
  readonly rarestWindowStart: number | null;
  /** Likelihood of the rarest window (NaN when no window fits). */
  readonly rarestWindowLikelihood: number;
  /** Natural log of the rarest window's likelihood (NaN when no window fits). */
  readonly rarestWindowLogLikelihood: number;
}

/** Options of {@link Model.explain}. */
export interface ExplainOptions extends TokenOptions {
  /** Length of the sliding window used to find the rarest window (default 3). */
  readonly windowLength?: number;
}

/** Why a parameter made a step unlikely. */
export type ParamFindingKind =
  /** Present, though the command rarely has it (presence probability below one half). */
  | "rare-present"
  /** Absent, though the command usually has it (presence probability at least one half). */
  | "usual-absent"
  /** A modelled parameter whose value was never seen with it. */
  | "unseen-value"
  /** A modelled parameter whose value is rare for it (probability below 0.1). */
  | "rare-value"
  /** A parameter never seen with this command in training (the reference model ignores it). */
  | "unseen-param";

/** One parameter that made a step unlikely. */
export interface ParamFinding {
  /** What about the parameter was unlikely. */
  readonly kind: ParamFindingKind;
  /** Parameter name. */
  readonly param: string;
  /** The value, for value findings. */
  readonly value?: string | null;
  /** The probability that the model gave what happened (presence, absence or value); NaN when ignored. */
  readonly probability: number;
}

/** One step of an explained session. */
export interface ExplainedStep {
  /** Position in the session. */
  readonly index: number;
  /** The command's name. */
  readonly command: string;
  /** False when the model never saw this command (it scores as `##UNK##`). */
  readonly known: boolean;
  /** The previous command, `##START##` for the first step with tokens, or null for the first step without. */
  readonly previous: string | null;
  /** P(command | previous) with tokens; the prior of the command for the first step without tokens. */
  readonly transitionProbability: number;
  /** The parameter term (geometric mean of the parameter probabilities; 1 for plain commands). */
  readonly paramProbability: number;
  /** -ln(transitionProbability x paramProbability): how surprising this step is, in nats. */
  readonly surprise: number;
  /** Whether the step is inside the rarest window. */
  readonly inRarestWindow: boolean;
  /** Parameters that lowered the parameter term, most damning first. */
  readonly params: ParamFinding[];
}

/** Where the rarest window of an explained session is. */
export interface ExplainedWindow {
  /** Index of its first command. */
  readonly start: number;
  /** Number of session commands in it (one less than the window length when it reaches the appended END). */
  readonly length: number;
  /** Natural log of its likelihood. */
  readonly logLikelihood: number;
}

/** A session's score broken down step by step, from {@link Model.explain}. */
export interface Explanation {
  /** Likelihood of the whole session (0 when it underflows). */
  readonly likelihood: number;
  /** Natural log of the session likelihood. */
  readonly logLikelihood: number;
  /** P(`##END##` | last command) with tokens, else null. */
  readonly endProbability: number | null;
  /** The rarest window, or null when none fits. */
  readonly rarestWindow: ExplainedWindow | null;
  /** One entry per command of the session. */
  readonly steps: ExplainedStep[];
}

/** Scores of sessions, and a way to explain any of them, from {@link Model.analyze}. */
export interface Analysis {
  /** One score per session, as {@link Model.score} gives. */
  readonly scores: SessionScore[];
  /**
   * The explanation of session `index`, as {@link Model.explain} gives; with `windowOnly`, `steps` holds only
   * the steps of the rarest window (cheaper, enough for a one-line reason).
   */
  explain(index: number, options?: { readonly windowOnly?: boolean }): Explanation;
}

/** A command as JSON: its name, and its parameters as a list of names or an object of values. */
export interface CmdJson {
  /** The command's name. */
  readonly name: string;
  /** Parameter names, or parameter names mapped to values. */
  readonly params: string[] | Readonly<Record<string, string | null>>;
}
