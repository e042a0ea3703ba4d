import { SeqhuntError } from "../errors.js";
import { Model, ModelBuilder } from "../model/model.js";
import type { Explanation, SessionScore } from "../types.js";
import { assembleDetector, calibrationOf, splitState, tokenWords, weightOf } from "./base.js";
import { Calibration } from "./calibration.js";
import type {
  Detector,
  DetectorFactory,
  DetectorOptions,
  StepContribution,
  WeightedSession,
} from "./types.js";

/** Which of the reference model's numbers ranks a session. */
export type ReferenceAggregate = "rarest-window" | "geomean" | "total";

/** Options of {@link referenceDetector}. */
export interface ReferenceOptions {
  /** The registry name. */
  readonly method: string;
  /** The rarest window (whole session when too short), the per-step geometric mean, or the whole session. */
  readonly aggregate: ReferenceAggregate;
  /** The window settings (see {@link DetectorOptions}). */
  readonly window?: DetectorOptions | undefined;
}

/**
 * One line of reason from the reference's explanation: the most surprising step of its rarest window (of the
 * whole session when none fits), and what about its parameters; padding tokens in words.
 */
export function referenceReason(explanation: Explanation): string {
  const window = explanation.steps.filter((s) => s.inRarestWindow);
  const steps = window.length > 0 ? window : explanation.steps;
  const worst = [...steps].sort((a, b) => b.surprise - a.surprise)[0];
  if (worst === undefined) return "";
  const parts: string[] = [];
  if (!worst.known) parts.push(`${worst.command}: a command never seen in training`);
  else if (worst.previous !== null)
    parts.push(
      `${tokenWords(worst.previous)} -> ${worst.command} (p=${worst.transitionProbability.toPrecision(2)})`,
    );
  else parts.push(`${worst.command} rare (p=${worst.transitionProbability.toPrecision(2)})`);
  const finding = worst.params[0];
  if (finding) {
    const what = {
      "rare-present": `rarely has ${finding.param}`,
      "usual-absent": `lacks its usual ${finding.param}`,
      "unseen-value": `${finding.param}=${JSON.stringify(finding.value)} never seen`,
      "rare-value": `${finding.param}=${JSON.stringify(finding.value)} rare`,
      "unseen-param": `${finding.param} never seen with it`,
    }[finding.kind];
    parts.push(what);
  }
  return parts.join("; ");
}

/** A higher-is-rarer score from the reference's numbers of one session of `length` commands. */
export function referenceRarity(score: SessionScore, length: number, aggregate: ReferenceAggregate): number {
  if (aggregate === "geomean") return -score.logLikelihood / length;
  if (aggregate === "total" || score.rarestWindowStart === null) return -score.logLikelihood;
  return -score.rarestWindowLogLikelihood;
}

/** Window settings with their defaults filled in. */
function settingsOf(window: DetectorOptions | undefined) {
  return {
    windowLength: window?.windowLength ?? 3,
    useStartEndTokens: window?.useStartEndTokens ?? true,
    useGeoMean: window?.useGeoMean ?? false,
  };
}

/** A reference detector's state as JSON: the model and its window settings. */
interface ReferenceJson {
  readonly model: unknown;
  readonly window: DetectorOptions;
}

/** The reference model behind each reference detector, whichever factory made it. */
const models = new WeakMap<Detector, Model>();
/** The window settings of each reference detector. */
const windows = new WeakMap<Detector, ReturnType<typeof settingsOf>>();

/**
 * The reference model (msticpy's numbers, trained with session weights through {@link ModelBuilder}) as a
 * detector. Its raw counts add, so two merge exactly ({@link Model.merge}).
 */
export function referenceDetector(
  options: ReferenceOptions,
): DetectorFactory & { fromModel(model: Model, calibration?: Calibration): Detector } {
  // Long because train, load and fromModel share the closure `make` over one model and its scoring settings.
  const make = (
    model: Model,
    source: Parameters<typeof assembleDetector>[1],
    scoring = settingsOf(options.window),
  ) => {
    const scoreAll = (sessions: readonly WeightedSession[]) =>
      model.score(
        sessions.map((s) => s.session),
        scoring,
      );
    const view = (s: WeightedSession) => {
      const [score] = scoreAll([s]);
      return score === undefined ? Number.NaN : referenceRarity(score, s.session.length, options.aggregate);
    };
    const detector = assembleDetector(
      {
        method: options.method,
        view,
        explain: (s) => {
          const e = model.explain(s.session, scoring);
          const steps: StepContribution[] = e.steps.map((step) => ({
            step: step.known ? step.command : `${step.command} (never seen in training)`,
            surprise: step.surprise,
          }));
          return { steps, reason: referenceReason(e) };
        },
        state: (): ReferenceJson => ({ model: model.toJSON(), window: scoring }),
      },
      source,
    );
    // Scoring many sessions at once shares the model's encoding work.
    const batched = {
      ...detector,
      score: (sessions: readonly WeightedSession[]) =>
        scoreAll(sessions).map((s, i) =>
          referenceRarity(s, (sessions[i] as WeightedSession).session.length, options.aggregate),
        ),
    };
    models.set(batched, model);
    windows.set(batched, scoring);
    return batched;
  };
  const modelOf = (d: Detector) => {
    const model = models.get(d);
    if (model === undefined) throw new SeqhuntError(`the ${d.method} detector holds no reference model`);
    return model;
  };
  return {
    train: (train) => {
      const builder = new ModelBuilder();
      for (const t of train) builder.add(t.session as Parameters<ModelBuilder["add"]>[0], weightOf(t));
      return make(builder.build(), { train });
    },
    load: (state) => {
      const { model, calibration } = splitState(options.method, state);
      const saved = (model ?? {}) as Partial<ReferenceJson>;
      return make(Model.fromJSON(saved.model), { calibration }, settingsOf(saved.window));
    },
    fromModel: (model: Model, calibration = Calibration.none) => make(model, { calibration }),
    merge: (a, b) => {
      if (JSON.stringify(windows.get(a)) !== JSON.stringify(windows.get(b)))
        throw new SeqhuntError(`cannot merge ${options.method} detectors with different window settings`);
      return make(
        Model.merge(modelOf(a), modelOf(b)),
        { calibration: Calibration.merge(calibrationOf(a), calibrationOf(b)) },
        windows.get(a),
      );
    },
  };
}

/** The aggregate each reference method ranks by. */
const AGGREGATES: ReadonlyMap<string, ReferenceAggregate> = new Map([
  ["reference", "rarest-window"],
  ["reference-geomean", "geomean"],
  ["reference-total", "total"],
]);

/**
 * A reference detector scoring with other window settings: the same model; its calibration kept when the
 * settings are the ones it was calibrated with, else none (its percentiles would measure another window).
 */
export function withWindow(detector: Detector, window: DetectorOptions): Detector {
  const model = models.get(detector);
  const aggregate = AGGREGATES.get(detector.method);
  if (model === undefined || aggregate === undefined)
    throw new SeqhuntError(`the ${detector.method} detector is not one of the reference's`);
  const same = JSON.stringify(settingsOf(window)) === JSON.stringify(windows.get(detector));
  return referenceDetector({ method: detector.method, aggregate, window }).fromModel(
    model,
    same ? calibrationOf(detector) : Calibration.none,
  );
}
