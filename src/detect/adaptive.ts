import { SeqhuntError } from "../errors.js";
import { Cmd } from "../model/cmd.js";
import { END_TOKEN, START_TOKEN } from "../model/tokens.js";
import { Vocabulary } from "../model/vocabulary.js";
import type { CmdJson, Command } from "../types.js";

export { ChainCounts, type ChainCountsJson } from "./chain-counts.js";

import { categoricalParams, meanAndSpread, nameOf, tokenWords } from "./base.js";
import { Calibration } from "./calibration.js";
import { ChainCounts, TOKEN_SPACE } from "./chain-counts.js";
import { ENTITY_PRIOR, rememberedLogProbability, shrunkRate } from "./presence.js";
import type { Detector, DetectorExplanation, DetectorFactory, WeightedSession } from "./types.js";

/** A session to learn from or to score (the detectors' {@link WeightedSession}). */
export type AdaptiveSession = WeightedSession;

/** Longest context the chain may choose (in commands); the order actually used is chosen from the training data. */
export const MAX_ORDER = 8;
/** Order of each entity's own chain, which backs off to the global chain of the chosen order. */
export const ENTITY_ORDER = 1;

/**
 * The views added by default: the session's total surprise standardised for its length (a CLT z-score of
 * the sum of per-step surprises), and which commands it holds.
 */
export const DEFAULT_VIEWS = ["total", "set"] as const;

const START = 0;
const END = 1;
/** Occurrence ids of parameter features start here, after every command id. */
const FEATURE_BASE = TOKEN_SPACE;
/** Id of a token never seen in training. */
const UNSEEN = -1;

/** Views a detector can add: mean surprise per step, rarest step less ln steps (or raw), length-standardised total, occurrence (or weighted down beyond the typical length). */
export type ViewName = "mean" | "max" | "rawmax" | "total" | "set" | "setw";

/** Tunable constants of {@link AdaptiveDetector}, for sensitivity studies; defaults are the shipped ones. */
export interface AdaptiveOptions {
  /** Longest context considered (default {@link MAX_ORDER}). */
  readonly maxOrder?: number;
  /** Fixed order instead of choosing it by held-out likelihood. */
  readonly order?: number;
  /** What the order maximises: with entities, held-out entity-vs-everyone contrast (default), or held-out likelihood; without entities both are the likelihood. */
  readonly orderBy?: "likelihood" | "contrast";
  /** Entity chain order (default {@link ENTITY_ORDER}). */
  readonly entityOrder?: number;
  /** Which views are added: "mean" (mean surprise per step), "max" (rarest step less ln steps), "set" (occurrence). */
  readonly views?: readonly ViewName[];
}

/** One session's views, higher = more anomalous. */
type Views = Float64Array;

/**
 * The adaptive detector: an interpolated Witten-Bell chain whose context length is chosen by the held-out
 * likelihood of the training sessions, entity chains backed off to it, and the set of commands a session holds;
 * views are made comparable across session lengths and standardised by held-out training scores.
 */
export class AdaptiveDetector {
  readonly vocabulary = new Vocabulary([START_TOKEN, END_TOKEN]);
  private global: ChainCounts;
  private readonly entities = new Map<string, ChainCounts>();
  private readonly train: {
    ids: Int32Array;
    present: number[];
    entity: string | undefined;
    weight: number;
  }[] = [];
  /** Parameter features (command and parameter name, and a categorical parameter's value) by id. */
  private readonly features = new Vocabulary();
  private readonly categorical: ReadonlySet<string>;
  private readonly input: readonly AdaptiveSession[];
  /** Chosen context order. */
  order = 0;
  private readonly maxOrder: number;
  private readonly entityOrder: number;
  private readonly viewNames: readonly string[];
  private scale: { mean: number; spread: number }[] = [];
  private heldOut: number[] = [];
  private presence = new Map<number, number>();
  private entityPresence = new Map<string, { seen: Map<number, number>; sessions: number }>();
  private sets = new Map<string, number>();
  private entitySets = new Map<string, Map<string, number>>();
  private sessions = 0;
  /** Sum over known tokens of ln(1 - presence rate of an absent token), by entity and left-out weight. */
  private readonly absentBase = new Map<string, number>();
  private stepMean = 0;
  private stepSpread = 1;
  private typicalLength = 1;

  constructor(
    sessions: readonly AdaptiveSession[],
    private readonly options: AdaptiveOptions = {},
  ) {
    if (sessions.length === 0) throw new SeqhuntError("no training sessions");
    this.maxOrder = options.maxOrder ?? MAX_ORDER;
    this.entityOrder = options.entityOrder ?? ENTITY_ORDER;
    this.viewNames = options.views ?? DEFAULT_VIEWS;
    this.global = new ChainCounts(this.maxOrder);
    this.input = sessions;
    this.categorical = categoricalParams(sessions);
    for (const s of sessions) {
      const ids = this.ids(s.session, true);
      const present = this.present(s.session, ids, true);
      const weight = s.weight ?? 1;
      this.train.push({ ids, present, entity: s.entity, weight });
      this.global.add(ids, weight);
      if (s.entity !== undefined) {
        let e = this.entities.get(s.entity);
        if (e === undefined) {
          e = new ChainCounts(this.entityOrder);
          this.entities.set(s.entity, e);
        }
        e.add(ids, weight);
      }
      this.addPresence(present, s.entity, weight);
    }
    this.order = options.order ?? this.chooseOrder();
    this.calibrate();
  }

  private ids(session: readonly Command[], learn: boolean): Int32Array {
    const ids = new Int32Array(session.length + 2);
    ids[0] = START;
    session.forEach((c, i) => {
      ids[i + 1] = learn ? this.vocabulary.intern(nameOf(c)) : this.vocabulary.lookup(nameOf(c), UNSEEN);
    });
    ids[session.length + 1] = END;
    return ids;
  }

  /** What a session holds, sorted: its commands' ids, and its parameter features' ids after FEATURE_BASE. */
  private present(session: readonly Command[], ids: Int32Array, learn: boolean): number[] {
    const out = new Set<number>(ids.subarray(1, ids.length - 1));
    const feature = (f: string) => {
      const id = learn ? this.features.intern(f) : this.features.lookup(f, UNSEEN);
      out.add(id === UNSEEN ? UNSEEN : FEATURE_BASE + id);
    };
    for (const c of session) {
      if (typeof c === "string") continue;
      if (c.params instanceof Set) for (const p of c.params) feature(`${c.name}\u0000${p}`);
      else {
        for (const [p, v] of Object.entries(c.params as Record<string, string | null>)) {
          feature(`${c.name}\u0000${p}`);
          if (this.categorical.has(p)) feature(`${c.name}\u0000${p}\u0000${v ?? ""}`);
        }
      }
    }
    return [...out].sort((a, b) => a - b);
  }

  private addPresence(present: readonly number[], entity: string | undefined, weight: number): void {
    const key = present.join(",");
    this.sessions += weight;
    this.sets.set(key, (this.sets.get(key) ?? 0) + weight);
    for (const t of present) this.presence.set(t, (this.presence.get(t) ?? 0) + weight);
    if (entity !== undefined) {
      let e = this.entityPresence.get(entity);
      if (e === undefined) {
        e = { seen: new Map(), sessions: 0 };
        this.entityPresence.set(entity, e);
      }
      e.sessions += weight;
      for (const t of present) e.seen.set(t, (e.seen.get(t) ?? 0) + weight);
      let sets = this.entitySets.get(entity);
      if (sets === undefined) {
        sets = new Map();
        this.entitySets.set(entity, sets);
      }
      sets.set(key, (sets.get(key) ?? 0) + weight);
    }
  }

  /** Leaves one occurrence of a training session out of (or back into) every count. */
  private leave(t: { ids: Int32Array; entity: string | undefined }, weight: number): void {
    this.global.add(t.ids, weight);
    if (t.entity !== undefined) this.entities.get(t.entity)?.add(t.ids, weight);
  }

  /** The order 0..maxOrder with the highest held-out (leave-one-out) log-likelihood of the training steps. */
  private chooseOrder(): number {
    const ll = new Float64Array(this.maxOrder + 1);
    const out = new Float64Array(this.maxOrder + 1);
    const eOut = new Float64Array(this.entityOrder + 1);
    const base = 1 / (this.vocabulary.size + 1);
    for (const t of this.train) {
      this.leave(t, -1);
      const own = t.entity === undefined ? undefined : this.entities.get(t.entity);
      for (let i = 1; i < t.ids.length; i++) {
        this.global.probabilities(t.ids, i, base, out);
        for (let k = 0; k <= this.maxOrder; k++) {
          // With an entity, the entity's chain (backed off to the global chain of order k) is what predicts.
          if (own !== undefined) own.probabilities(t.ids, i, out[k] as number, eOut);
          const p = own === undefined ? (out[k] as number) : (eOut[this.entityOrder] as number);
          // contrast: how much better an entity's chain predicts its own held-out session than everyone's does
          const gain =
            own !== undefined && (this.options.orderBy ?? "contrast") === "contrast"
              ? Math.log(out[k] as number)
              : 0;
          ll[k] = (ll[k] as number) + t.weight * (Math.log(p) - gain);
        }
      }
      this.leave(t, 1);
    }
    let best = 0;
    for (let k = 1; k <= this.maxOrder; k++) if ((ll[k] as number) > (ll[best] as number)) best = k;
    return best;
  }

  /** Per-step surprise (nats) of a padded session: global, or relative to the entity's own chain. */
  private steps(ids: Int32Array, entity: string | undefined): Float64Array {
    const out = new Float64Array(this.maxOrder + 1);
    const eOut = new Float64Array(this.entityOrder + 1);
    const base = 1 / (this.vocabulary.size + 1);
    const own = entity === undefined ? undefined : this.entities.get(entity);
    const steps = new Float64Array(ids.length - 1);
    for (let i = 1; i < ids.length; i++) {
      this.global.probabilities(ids, i, base, out);
      const pg = out[this.order] as number;
      if (own === undefined) steps[i - 1] = -Math.log(pg);
      else {
        own.probabilities(ids, i, pg, eOut);
        steps[i - 1] = Math.log(pg) - Math.log(eOut[this.entityOrder] as number);
      }
    }
    return steps;
  }

  private setView(presentIds: readonly number[], entity: string | undefined, leaveOut: number): number {
    const unseen = presentIds.includes(UNSEEN);
    const key = unseen ? "" : presentIds.join(",");
    const sessions = this.sessions - leaveOut;
    // A present token's count drops by the left-out session; an absent one's does not.
    // (capped: a token in every session cannot be absent from a left-out one, and its ln(1 - p) must stay finite)
    const absentRate = (t: number) => (Math.min(this.presence.get(t) ?? 0, sessions) + 1) / (sessions + 2);
    const rate = (t: number) =>
      ((t === UNSEEN ? 0 : (this.presence.get(t) ?? 0) - leaveOut) + 1) / (sessions + 2);
    // ln P(set) = sum over known tokens of ln(1 - p) (cached), corrected for each present one.
    const independent = (r: (t: number) => number, absent: (t: number) => number, cacheKey: string) => {
      let ll = this.absentBase.get(cacheKey);
      if (ll === undefined) {
        ll = 0;
        for (const t of this.presence.keys()) ll += Math.log1p(-absent(t));
        this.absentBase.set(cacheKey, ll);
      }
      for (const t of presentIds) {
        if (t !== UNSEEN) ll -= Math.log1p(-absent(t));
        ll += Math.log(r(t));
      }
      return ll;
    };
    const remember = (sets: Map<string, number>, total: number, ind: number, lo: number) => {
      const counted = unseen ? 0 : (sets.get(key) ?? 0);
      const count = counted - (counted > 0 ? lo : 0);
      const distinct = sets.size - (lo > 0 && counted === 1 ? 1 : 0);
      return rememberedLogProbability(count, total, distinct, ind);
    };
    const everyone = remember(
      this.sets,
      sessions,
      independent(rate, absentRate, `g\u0000${leaveOut}`),
      leaveOut,
    );
    const e = entity === undefined ? undefined : this.entityPresence.get(entity);
    if (e === undefined) return -everyone;
    const eSessions = e.sessions - leaveOut;
    const eRate = (t: number) =>
      shrunkRate(t === UNSEEN ? 0 : (e.seen.get(t) ?? 0) - leaveOut, eSessions, rate(t), ENTITY_PRIOR);
    const eAbsent = (t: number) =>
      shrunkRate(Math.min(e.seen.get(t) ?? 0, eSessions), eSessions, absentRate(t), ENTITY_PRIOR);
    const mine = remember(
      this.entitySets.get(entity as string) ?? new Map(),
      eSessions,
      independent(eRate, eAbsent, `e${entity}\u0000${leaveOut}`),
      leaveOut,
    );
    return everyone - mine;
  }

  /** A session's raw statistics: per-step surprise sum, maximum and count, and the occurrence view. */
  private raw(
    ids: Int32Array,
    present: readonly number[],
    entity: string | undefined,
    leaveOut: number,
  ): Float64Array {
    const steps = this.steps(ids, entity);
    let sum = 0;
    let squares = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (const x of steps) {
      sum += x;
      squares += x * x;
      if (x > max) max = x;
    }
    const set = this.viewNames.some((n) => n.startsWith("set")) ? this.setView(present, entity, leaveOut) : 0;
    return Float64Array.of(sum, max, steps.length, set, squares);
  }

  private views(r: Float64Array): Views {
    const [sum, max, n, set] = r as unknown as [number, number, number, number];
    const v = new Float64Array(this.viewNames.length);
    this.viewNames.forEach((name, i) => {
      v[i] =
        name === "mean"
          ? sum / n
          : name === "max"
            ? max - Math.log(n)
            : name === "rawmax"
              ? max
              : name === "total"
                ? (sum - n * this.stepMean) / (this.stepSpread * Math.sqrt(n))
                : name === "setw"
                  ? set * Math.min(1, Math.sqrt(this.typicalLength / n))
                  : set;
    });
    return v;
  }

  private calibrate(): void {
    const raws = this.train.map((t) => {
      this.leave(t, -1);
      const r = this.raw(t.ids, t.present, t.entity, 1);
      this.leave(t, 1);
      return r;
    });
    let n = 0;
    let sum = 0;
    let squares = 0;
    this.train.forEach((t, i) => {
      const r = raws[i] as Float64Array;
      n += t.weight * (r[2] as number);
      sum += t.weight * (r[0] as number);
      squares += t.weight * (r[4] as number);
    });
    this.stepMean = sum / n;
    this.stepSpread = Math.sqrt(Math.max(squares / n - this.stepMean ** 2, 0)) || 1;
    const lengths = this.train.map((t) => t.ids.length - 1).sort((a, b) => a - b);
    this.typicalLength = lengths[lengths.length >> 1] as number;
    const held = raws.map((r) => this.views(r));
    const weights = this.train.map((t) => t.weight);
    this.scale = this.viewNames.map((_, j) =>
      meanAndSpread(
        held.map((v) => v[j] as number),
        weights,
      ),
    );
    this.heldOut = held.map((v) => this.combine(v));
  }

  private combine(v: Views): number {
    let total = 0;
    this.scale.forEach((s, j) => {
      total += ((v[j] as number) - s.mean) / s.spread;
    });
    return total;
  }

  /** One score per session, higher = more anomalous. */
  score(sessions: readonly AdaptiveSession[]): number[] {
    return sessions.map((s) => {
      const ids = this.ids(s.session, false);
      return this.combine(this.views(this.raw(ids, this.present(s.session, ids, false), s.entity, 0)));
    });
  }

  /** The training sessions' own scores, each scored with one occurrence of it left out of every count. */
  trainingScores(): number[] {
    return [...this.heldOut];
  }

  /** Weights of the training sessions, in the order of {@link AdaptiveDetector.trainingScores}. */
  trainingWeights(): number[] {
    return this.train.map((t) => t.weight);
  }

  /** Each step's surprise (per-step, against the entity when it has one) and the rarest step as the reason. */
  explain(s: WeightedSession): DetectorExplanation {
    const ids = this.ids(s.session, false);
    const surprises = this.steps(ids, s.entity);
    const steps = Array.from(surprises, (surprise, i) => ({
      step: i < s.session.length ? tokenWords(nameOf(s.session[i] as Command)) : tokenWords(END_TOKEN),
      surprise,
    }));
    let top = 0;
    surprises.forEach((x, i) => {
      if (x > (surprises[top] as number)) top = i;
    });
    const rarest = steps[top];
    const unseen = top < s.session.length && ids[top + 1] === UNSEEN;
    return {
      steps,
      reason:
        rarest === undefined
          ? "empty session"
          : `rarest step: ${unseen ? `${rarest.step} (never seen in training)` : rarest.step}`,
    };
  }

  /** The model as plain JSON: the training sessions and options; counts and scores are rebuilt from them. */
  toJSON(): AdaptiveJson {
    return {
      format: "seqhunt-adaptive",
      version: 1,
      options: { ...this.options },
      sessions: this.input.map((t) => ({
        session: t.session.map((c) => (typeof c === "string" ? c : c.toJSON())),
        ...(t.entity === undefined ? {} : { entity: t.entity }),
        weight: t.weight ?? 1,
      })),
    };
  }

  /** Rebuilds a detector from {@link AdaptiveDetector.toJSON}: the same training, hence the same scores. */
  static fromJSON(json: AdaptiveJson): AdaptiveDetector {
    if (json?.format !== "seqhunt-adaptive" || json.version !== 1)
      throw new SeqhuntError("not a seqhunt adaptive model (format seqhunt-adaptive, version 1)");
    const sessions = json.sessions.map((s) => ({
      session: s.session.map((c) =>
        typeof c === "string" ? c : new Cmd(c.name, Array.isArray(c.params) ? new Set(c.params) : c.params),
      ),
      entity: s.entity,
      weight: s.weight,
    }));
    return new AdaptiveDetector(sessions, json.options);
  }

  /**
   * A detector trained on both detectors' sessions: counts add exactly; the order, the categorical parameters
   * and the standardisation are chosen again from the union (they depend on all training sessions).
   */
  merge(other: AdaptiveDetector): AdaptiveDetector {
    return new AdaptiveDetector([...this.input, ...other.input], this.options);
  }
}

/** The JSON form of an {@link AdaptiveDetector}. */
export interface AdaptiveJson {
  /** Always "seqhunt-adaptive". */
  readonly format: "seqhunt-adaptive";
  /** Format version. */
  readonly version: 1;
  /** The constants it was trained with. */
  readonly options: AdaptiveOptions;
  /** The training sessions. */
  readonly sessions: readonly { session: readonly (string | CmdJson)[]; entity?: string; weight: number }[];
}

/** The adaptive detector behind each registry detector, for merge. */
const adaptiveOf = new WeakMap<Detector, AdaptiveDetector>();

function registryDetector(detector: AdaptiveDetector): Detector {
  const heldOut = detector.trainingScores();
  const calibration = Calibration.of(heldOut, detector.trainingWeights());
  const d: Detector = {
    method: "adaptive",
    score: (sessions) => detector.score(sessions),
    trainingScores: () => [...heldOut],
    // Called on the very sessions it was trained on (same fingerprint, same order): their held-out scores.
    scoreHeldOut: (sessions) => {
      if (sessions.length !== heldOut.length)
        throw new SeqhuntError(
          `an adaptive detector scores held out only the ${heldOut.length} sessions it was trained on, not ${sessions.length}`,
        );
      return [...heldOut];
    },
    percentile: (score) => calibration.percentile(score),
    explain: (session) => detector.explain(session),
    toJSON: () => ({ method: "adaptive", state: detector.toJSON() }),
  };
  adaptiveOf.set(d, detector);
  return d;
}

/**
 * The `adaptive` detector for the registry. Its file holds the training sessions, so loading retrains (the
 * same scores) and merging is exact: the union's counts, order and standardisation.
 */
export function adaptiveDetector(options: AdaptiveOptions = {}): DetectorFactory {
  const of = (d: Detector) => {
    const a = adaptiveOf.get(d);
    if (a === undefined) throw new SeqhuntError(`cannot merge a ${d.method} detector into an adaptive one`);
    return a;
  };
  return {
    train: (sessions) => registryDetector(new AdaptiveDetector(sessions, options)),
    load: (state) => registryDetector(AdaptiveDetector.fromJSON(state as AdaptiveJson)),
    merge: (a, b) => registryDetector(of(a).merge(of(b))),
  };
}
