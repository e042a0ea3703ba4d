export { DEFAULT_METHOD, loadDetector, METHODS, mergeDetectors, trainDetector } from "./detect/detector.js";
export { DETECTORS } from "./detect/registry.js";
export type {
  Detector,
  DetectorEntry,
  DetectorExplanation,
  DetectorFactory,
  DetectorOptions,
  SavedDetector,
  SessionPasses,
  StepContribution,
  ThreadedTraining,
  ThreadsAtHand,
  TrainedInThreads,
  WeightedSession,
} from "./detect/types.js";
export type { SeqhuntErrorLocation } from "./errors.js";
export { SeqhuntError } from "./errors.js";
export type { HitRates, Metrics } from "./eval/metrics.js";
export { evaluate } from "./eval/metrics.js";
export { Cmd } from "./model/cmd.js";
export { Model, ModelBuilder } from "./model/model.js";
export { SessionType } from "./model/session-type.js";
export type { StateMatrixSource } from "./model/state-matrix.js";
export { StateMatrix } from "./model/state-matrix.js";
export { END_TOKEN, START_TOKEN, UNK_TOKEN } from "./model/tokens.js";
export { shapeValue } from "./parse/shapes.js";
export type { ShellCommand, ShellCommandOptions, ShellSegment, ShellWord } from "./parse/shell.js";
export { NO_COMMAND, SUBCOMMAND_PROGRAMS, shellCommand, splitShellLine } from "./parse/shell.js";
export type { EpochUnit, TimeParserOptions } from "./parse/time.js";
export {
  EPOCH_UNITS,
  epochMicros,
  epochUnitOf,
  parseIsoMicros,
  parseTimeText,
  parseUsMicros,
  timeFormatParser,
  timeParser,
} from "./parse/time.js";
export type { FoundRoute, Route, RouteStep } from "./presets/field-names.js";
export { fieldValue, findRoute, recordsOf, valueAt } from "./presets/field-names.js";
export type { ParamMode, ParamsFormat } from "./presets/params.js";
export type {
  PresetParamsFormat,
  RecordFold,
  RecordOrder,
  SessionLimits,
  SourceName,
  SourcePreset,
} from "./presets/presets.js";
export { SOURCE_PRESETS, sourcePreset } from "./presets/presets.js";
export type { EventFieldNames, RecordEvent, RecordEvents, RecordProblem } from "./presets/records.js";
export { DEFAULT_EVENT_JOINER, eventsFromRecords, joinedEvent } from "./presets/records.js";
export { scoreSessions } from "./score-sessions.js";
export { sessionize } from "./sessionize/sessionize.js";
export type * from "./types.js";
