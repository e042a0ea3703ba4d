/** A session as the report embeds it (ranked order; steps compact). */
export interface ReportSession {
  /** 1 = rarest. */
  readonly rank: number;
  /** Identity values, in the order of the report's identity columns. */
  readonly identity: readonly (string | null)[];
  /** First and last event (epoch milliseconds), null when sessions were given directly. */
  readonly start: number | null;
  readonly end: number | null;
  readonly length: number;
  /**
   * The ranking method's score (higher = more anomalous): the detector's score, or for a report of the
   * reference alone -log10 of the rarest-window likelihood; null when there is none (no window fits).
   */
  readonly rarity: number | null;
  /** The share of training sessions that scored lower (null without a ranking detector's calibration). */
  readonly percentile: number | null;
  /** Rarest-window likelihood, null when no window fits. */
  readonly likelihood: number | null;
  /** Where the rarest window is: [start, length], or null. */
  readonly window: readonly [number, number] | null;
  /** One line saying why. */
  readonly reason: string;
  /** Per step: [command id, surprise as -log10 p, findings, params (for the top sessions only)]. */
  readonly steps: readonly ReportStep[];
}

/** One step: command id into `commands`, surprise (-log10 of its probability), unusual parameters, its parameters. */
export type ReportStep = readonly [
  command: number,
  surprise: number,
  findings: readonly (readonly [kind: string, param: string, value: string | null])[],
  params: readonly (readonly [name: string, value: string | null])[] | null,
];

/** Everything the report shows. */
export interface ReportData {
  readonly title: string;
  readonly version: string;
  readonly generated: string;
  readonly files: readonly string[];
  readonly rows: {
    readonly read: number;
    readonly used: number;
    readonly skipped: readonly (readonly [string, number])[];
    /** Records folded into another of the same request (a Kubernetes audit log's stages, copies of one record), when any. */
    readonly folded?: number;
  };
  readonly sessionType: string;
  readonly window: number;
  readonly tokens: boolean;
  readonly geoMean: boolean;
  readonly modelSource: string;
  /** The detector sessions are ranked by, or null for the reference's rarest window alone. */
  readonly method: string | null;
  readonly identityColumns: readonly string[];
  /** What looks wrong in the input (sanity warnings), one line each; shown in the header. */
  readonly warnings?: readonly string[];
  /** Command names by id. */
  readonly commands: readonly string[];
  readonly sessions: readonly ReportSession[];
}
