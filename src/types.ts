import type { Cmd } from "./model/cmd.js";

/** Parameters of a {@link Cmd}: names only, or names mapped to values (`null` for none). */
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
  /** Column with the event time: a `Date`, epoch milliseconds, or ISO 8601 text (UTC when no zone). */
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
