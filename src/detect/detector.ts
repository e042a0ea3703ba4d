import { SeqhuntError } from "../errors.js";
import { Model } from "../model/model.js";
import type { Command } from "../types.js";
import { AdaptiveDetector } from "./adaptive.js";
import { NGramCounts, WittenBell } from "./ngram.js";

/** A session to learn from or to score, with its entity (user, host) and weight when known. */
export interface LabelledSession {
  /** The commands. */
  readonly session: readonly Command[];
  /** Who ran it (user, host), for per-entity models. */
  readonly entity?: string | undefined;
  /** How many times the session occurred (default 1). */
  readonly count?: number | undefined;
}

/** A trained detector: higher scores are more anomalous. */
export interface Detector {
  /** Which detector this is. */
  readonly method: MethodName;
  /** One score per session (higher = more anomalous). */
  score(sessions: readonly LabelledSession[]): number[];
  /**
   * The training sessions' own scores, each scored as if it had been left out of training (where the method
   * remembers whole sessions), so that a session cannot vouch for itself: what a hunt that learns from the
   * data it scores should rank.
   */
  trainingScores(): number[];
  /** The share of training sessions (weighted, each scored held out) that scored below `score`: a calibrated 0..1 rarity. */
  percentile(score: number): number;
}

/** The detectors, by name. */
export const METHODS = {
  /** The `adaptive` detector. */
  adaptive:
    "a Witten-Bell chain whose context length is chosen by the held-out likelihood of the training sessions (entity chains backed off to it), the session's total surprise standardised for its length, plus which commands it holds; each view standardised by held-out training scores",
  /** The `markov-set` detector. */
  "markov-set":
    "default: two views of a session, each scored against its entity (backed off to everyone) when sessions carry one: the order of commands (entity-markov) and which commands occur (whole sets seen in training remembered, backed off to a Bernoulli per command); each view is standardised by its scores on the training sessions held out, and the two are added",
  /** The `markov-max` detector. */
  "markov-max":
    "as markov-set, but the occurrence view scores a session by its single most surprising command (present when it is rare, absent when it is usual), not by all of them together: a bundle of rare commands that always come together counts once",
  /** The `entity-markov` detector. */
  "entity-markov":
    "first-order Witten-Bell chain per entity, backed off to the global chain and scored against it (mean + max/2 of per-step log-likelihood ratios); the global chain alone when sessions carry no entity",
  /** The `markov` detector. */
  markov: "first-order Witten-Bell chain over all sessions; mean + max/2 of per-step surprise",
  /** The `markov-order3` detector. */
  "markov-order3":
    "Witten-Bell chain with up to three commands of context; mean + max/2 of per-step surprise",
  /** The `markov-order5` detector. */
  "markov-order5": "Witten-Bell chain with up to five commands of context; mean + max/2 of per-step surprise",
  /** The `reference` detector. */
  reference: "the reference model's rarest window of 3 (whole-session likelihood for sessions too short)",
  /** The `reference-geomean` detector. */
  "reference-geomean": "the reference model's per-step geometric mean of the session likelihood",
  /** The `reference-total` detector. */
  "reference-total": "the reference model's whole-session likelihood",
} as const;

/** Names of the detectors. */
export type MethodName = keyof typeof METHODS;

/** The method `eval` uses unless told otherwise, chosen once for all data. */
export const DEFAULT_METHOD: MethodName = "markov-set";

const nameOf = (c: Command) => (typeof c === "string" ? c : c.name);
const tokensOf = (s: readonly Command[]) => s.map(nameOf);

/** Weight of a session's most surprising step next to the mean of all of its steps. */
const MAX_STEP_WEIGHT = 1 / 2;

/** Mean plus half the maximum: a session-wide deviation that a single very unlikely step still lifts. */
function aggregate(steps: readonly number[]): number {
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of steps) {
    sum += x;
    if (x > max) max = x;
  }
  return sum / steps.length + max * MAX_STEP_WEIGHT;
}

function percentileOf(
  trainingScores: readonly number[],
  weights: readonly number[],
): (score: number) => number {
  const order = trainingScores
    .map((_, i) => i)
    .sort((a, b) => (trainingScores[a] as number) - (trainingScores[b] as number));
  const sorted = order.map((i) => trainingScores[i] as number);
  const cumulative: number[] = [];
  let total = 0;
  for (const i of order) {
    total += weights[i] as number;
    cumulative.push(total);
  }
  return (score) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) < score) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : (cumulative[lo - 1] as number) / total;
  };
}

function markovScorer(
  train: readonly LabelledSession[],
  order: number,
  perEntity: boolean,
): (s: LabelledSession) => number {
  const global = new NGramCounts(order);
  const byEntity = new Map<string, NGramCounts>();
  for (const t of train) {
    const tokens = tokensOf(t.session);
    global.add(tokens, t.count ?? 1);
    if (perEntity && t.entity !== undefined) {
      let counts = byEntity.get(t.entity);
      if (counts === undefined) {
        counts = new NGramCounts(order);
        byEntity.set(t.entity, counts);
      }
      counts.add(tokens, t.count ?? 1);
    }
  }
  const globalModel = new WittenBell(global);
  const entityModels = new Map(
    [...byEntity].map(([entity, counts]) => [
      entity,
      new WittenBell(counts, (token, history) => globalModel.probability(token, history.slice(-order))),
    ]),
  );
  return (s) => {
    const tokens = tokensOf(s.session);
    const background = globalModel.surprises(tokens);
    const own = s.entity === undefined ? undefined : entityModels.get(s.entity);
    // With an entity: how much less likely the session is for this entity than for the population.
    if (perEntity && own !== undefined) {
      const mine = own.surprises(tokens);
      return aggregate(mine.map((x, i) => x - (background[i] as number)));
    }
    return aggregate(background);
  };
}

/** Prior weight (in sessions) of the global presence rates in an entity's presence rates. */
const ENTITY_PRIOR = 2;

/** An entity's presence rate of a token, leaning on the global rate with a prior of ENTITY_PRIOR sessions. */
function entityRate(
  e: { readonly seen: ReadonlyMap<string, number>; readonly sessions: number },
  globalRate: (c: string) => number,
): (c: string) => number {
  return (c) => ((e.seen.get(c) ?? 0) + ENTITY_PRIOR * globalRate(c)) / (e.sessions + ENTITY_PRIOR);
}

/**
 * Which commands occur in a session, as independent Bernoulli presences: -ln P(the session's set of commands),
 * or with an entity, ln P_global(set) - ln P_entity(set) where an entity's rates lean on the global ones.
 */
/** A parameter is categorical (its values worth telling apart) when it has at most 20 distinct values in training. */
const CATEGORICAL = 20;

/**
 * What occurs in a session: its commands, each command's parameters (so a parameter never seen with a
 * command is penalised, not ignored), and the values of categorical parameters (an unseen value likewise).
 */
function presenceTokens(train: readonly LabelledSession[]): (session: readonly Command[]) => Set<string> {
  const values = new Map<string, Set<string | null>>();
  for (const t of train) {
    for (const c of t.session) {
      if (typeof c === "string" || c.params instanceof Set) continue;
      for (const [p, v] of Object.entries(c.params as Record<string, string | null>)) {
        let seen = values.get(p);
        if (seen === undefined) {
          seen = new Set();
          values.set(p, seen);
        }
        if (seen.size <= CATEGORICAL) seen.add(v);
      }
    }
  }
  const categorical = new Set([...values].filter(([, seen]) => seen.size <= CATEGORICAL).map(([p]) => p));
  return (session) => {
    const out = new Set<string>();
    for (const c of session) {
      if (typeof c === "string") {
        out.add(c);
        continue;
      }
      out.add(c.name);
      if (c.params instanceof Set) for (const p of c.params) out.add(`${c.name}\u0000${p}`);
      else {
        for (const [p, v] of Object.entries(c.params as Record<string, string | null>)) {
          out.add(`${c.name}\u0000${p}`);
          if (categorical.has(p)) out.add(`${c.name}\u0000${p}\u0000${v ?? ""}`);
        }
      }
    }
    return out;
  };
}

/**
 * Whole sets remembered: a set of tokens seen in training keeps its share of the sessions, backed off to the
 * independent presences as in Witten-Bell (weight sessions / (sessions + distinct sets)). Where normal
 * sessions repeat (log keys of a service), a normal set is likely even when its tokens are each rare;
 * where every session is new (commands typed by people), it only shifts every score by the same amount.
 */
class SetMemory {
  private readonly counts = new Map<string, number>();
  private sessions = 0;

  add(key: string, weight: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + weight);
    this.sessions += weight;
  }

  /**
   * ln P(set) given ln P of the set under independent presences; `leaveOut` scores a training session as if
   * one occurrence of it had not been counted.
   */
  logProbability(key: string, independent: number, leaveOut: boolean): number {
    const counted = this.counts.get(key) ?? 0;
    const own = leaveOut && counted > 0 ? 1 : 0;
    const count = counted - own;
    const sessions = this.sessions - own;
    const distinct = this.counts.size - (own === 1 && counted === 1 ? 1 : 0);
    if (sessions <= 0) return independent;
    const remembered = sessions / (sessions + distinct);
    const backedOff = Math.log1p(-remembered) + independent;
    if (count === 0) return backedOff;
    const seen = Math.log((remembered * count) / sessions);
    const top = Math.max(seen, backedOff);
    return top + Math.log(Math.exp(seen - top) + Math.exp(backedOff - top));
  }
}

/** A view of a session: higher is more anomalous; `leaveOut` scores a training session as held out. */
type View = (s: LabelledSession, leaveOut?: boolean) => number;

function presenceScorer(
  train: readonly LabelledSession[],
  perEntity: boolean,
  combine: "sum" | "max" = "sum",
): View {
  const tokensOfSession = presenceTokens(train);
  // A session's tokens and the key of their set, found once per session object (training sessions are
  // scored again, held out). The key is the sorted ids of the tokens: sorting numbers, not strings.
  const tokenIds = new Map<string, number>();
  const described = new WeakMap<LabelledSession, { present: Set<string>; key: string }>();
  const describe = (s: LabelledSession, learning: boolean) => {
    let d = described.get(s);
    if (d === undefined) {
      const present = tokensOfSession(s.session);
      const ids = new Int32Array(present.size);
      let i = 0;
      for (const c of present) {
        let id = tokenIds.get(c);
        if (id === undefined && learning) {
          id = tokenIds.size;
          tokenIds.set(c, id);
        }
        // A token never seen in training: no remembered set holds it.
        ids[i++] = id ?? -1;
      }
      d = { present, key: ids.includes(-1) ? "unseen" : ids.sort().join(",") };
      described.set(s, d);
    }
    return d;
  };
  const global = new Map<string, number>();
  const globalSets = new SetMemory();
  let sessions = 0;
  const byEntity = new Map<string, { seen: Map<string, number>; sessions: number; sets: SetMemory }>();
  for (const t of train) {
    const w = t.count ?? 1;
    sessions += w;
    const { present, key } = describe(t, true);
    globalSets.add(key, w);
    for (const c of present) global.set(c, (global.get(c) ?? 0) + w);
    if (perEntity && t.entity !== undefined) {
      let e = byEntity.get(t.entity);
      if (e === undefined) {
        e = { seen: new Map(), sessions: 0, sets: new SetMemory() };
        byEntity.set(t.entity, e);
      }
      e.sessions += w;
      e.sets.add(key, w);
      for (const c of present) e.seen.set(c, (e.seen.get(c) ?? 0) + w);
    }
  }
  const globalRate = (c: string) => ((global.get(c) ?? 0) + 1) / (sessions + 2);
  /** ln P(set) = sum over known commands of ln(1 - p), corrected by ln p - ln(1 - p) for each present one. */
  const model = (rate: (c: string) => number) => {
    let base = 0;
    for (const c of global.keys()) base += Math.log1p(-rate(c));
    return (present: ReadonlySet<string>) => {
      let ll = base;
      for (const c of present) {
        const p = rate(c);
        ll += global.has(c) ? Math.log(p) - Math.log1p(-p) : Math.log(p);
      }
      return ll;
    };
  };
  if (combine === "max") return mostSurprising(global, globalRate, byEntity, tokensOfSession);
  const globalModel = model(globalRate);
  const entityModels = new Map<string, (present: ReadonlySet<string>) => number>();
  const entityModel = (entity: string) => {
    let m = entityModels.get(entity);
    const e = byEntity.get(entity);
    if (m === undefined && e !== undefined) {
      m = model(entityRate(e, globalRate));
      entityModels.set(entity, m);
    }
    return m;
  };
  return (s, leaveOut = false) => {
    const { present, key } = describe(s, false);
    const everyone = globalSets.logProbability(key, globalModel(present), leaveOut);
    const e = perEntity && s.entity !== undefined ? byEntity.get(s.entity) : undefined;
    const own = e === undefined ? undefined : entityModel(s.entity as string);
    if (e === undefined || own === undefined) return -everyone;
    return everyone - e.sets.logProbability(key, own(present), leaveOut);
  };
}

/**
 * The occurrence view by its single most surprising token, in nats: a present token's -ln p or an absent
 * token's -ln(1 - p); with an entity, minus the same under everyone's rates. Absent tokens are kept sorted
 * by their score, so a session costs its present tokens plus the first absent one found.
 */
function mostSurprising(
  global: ReadonlyMap<string, number>,
  globalRate: (c: string) => number,
  byEntity: ReadonlyMap<string, { seen: Map<string, number>; sessions: number }>,
  tokensIn: (session: readonly Command[]) => Set<string>,
): (s: LabelledSession) => number {
  const surprise = (p: number, present: boolean) => (present ? -Math.log(p) : -Math.log1p(-p));
  const views = new Map<string | undefined, { rate: (c: string) => number; absent: [string, number][] }>();
  const view = (entity: string | undefined) => {
    const e = entity === undefined ? undefined : byEntity.get(entity);
    const key = e === undefined ? undefined : entity;
    let v = views.get(key);
    if (v === undefined) {
      const rate = e === undefined ? globalRate : entityRate(e, globalRate);
      const relative = (c: string, present: boolean) =>
        surprise(rate(c), present) - (e === undefined ? 0 : surprise(globalRate(c), present));
      const absent = [...global.keys()].map((c): [string, number] => [c, relative(c, false)]);
      absent.sort((a, b) => b[1] - a[1]);
      v = { rate: (c) => relative(c, true), absent };
      views.set(key, v);
    }
    return v;
  };
  return (s) => {
    const present = tokensIn(s.session);
    const { rate, absent } = view(s.entity);
    let worst = Number.NEGATIVE_INFINITY;
    for (const c of present) worst = Math.max(worst, rate(c));
    for (const [c, score] of absent) {
      if (present.has(c)) continue;
      worst = Math.max(worst, score);
      break;
    }
    return worst;
  };
}

/** Adds views after standardising each by the (weighted) mean and spread of its held-out training-session scores. */
function standardisedSum(train: readonly LabelledSession[], views: View[]): View {
  // Each view's held-out score of each training session, found once: the scales and the held-out sums use them.
  const heldOut = views.map((view) => train.map((t) => view(t, true)));
  const scale = heldOut.map((xs) => {
    let n = 0;
    let sum = 0;
    let squares = 0;
    train.forEach((t, i) => {
      const w = t.count ?? 1;
      const x = xs[i] as number;
      n += w;
      sum += w * x;
      squares += w * x * x;
    });
    const mean = sum / n;
    const spread = Math.sqrt(Math.max(squares / n - mean * mean, 0)) || 1;
    return { mean, spread };
  });
  const combine = (x: number, i: number) =>
    (x - (scale[i] as { mean: number }).mean) / (scale[i] as { spread: number }).spread;
  const trainingSums = new WeakMap<LabelledSession, number>();
  train.forEach((t, ti) => {
    trainingSums.set(
      t,
      heldOut.reduce((total, xs, i) => total + combine(xs[ti] as number, i), 0),
    );
  });
  return (s, leaveOut = false) =>
    (leaveOut ? trainingSums.get(s) : undefined) ??
    views.reduce((total, view, i) => total + combine(view(s, leaveOut), i), 0);
}

function referenceScorer(
  train: readonly LabelledSession[],
  method: MethodName,
): (s: LabelledSession) => number {
  // Weighted training: the reference model counts each session once, so weights repeat sessions.
  const sessions: (readonly Command[])[] = [];
  for (const t of train) for (let i = 0; i < (t.count ?? 1); i++) sessions.push(t.session);
  const model = new Model(sessions);
  model.train();
  return (s) => {
    const [score] = model.score([s.session], { windowLength: 3 });
    if (score === undefined) return Number.NaN;
    if (method === "reference-geomean") return -score.logLikelihood / s.session.length;
    if (method === "reference-total" || score.rarestWindowStart === null) return -score.logLikelihood;
    return -score.rarestWindowLogLikelihood;
  };
}

/** Trains a detector on (normal) sessions. */
export function trainDetector(method: MethodName, train: readonly LabelledSession[]): Detector {
  if (!(method in METHODS)) {
    throw new SeqhuntError(
      `unknown method ${JSON.stringify(method)}; the methods are: ${Object.keys(METHODS).join(", ")}`,
    );
  }
  if (train.length === 0) throw new SeqhuntError("no training sessions");
  if (method === "adaptive") return adaptiveDetector(train);
  const scoreOne: View =
    method === "markov-set"
      ? standardisedSum(train, [markovScorer(train, 1, true), presenceScorer(train, true)])
      : method === "markov-max"
        ? standardisedSum(train, [markovScorer(train, 1, true), presenceScorer(train, true, "max")])
        : method === "entity-markov"
          ? markovScorer(train, 1, true)
          : method === "markov"
            ? markovScorer(train, 1, false)
            : method === "markov-order3" || method === "markov-order5"
              ? markovScorer(train, method === "markov-order3" ? 3 : 5, false)
              : referenceScorer(train, method);
  const heldOut = train.map((t) => scoreOne(t, true));
  const percentile = percentileOf(
    heldOut,
    train.map((t) => t.count ?? 1),
  );
  return {
    method,
    score: (sessions) => sessions.map((s) => scoreOne(s)),
    trainingScores: () => [...heldOut],
    percentile,
  };
}

function adaptiveDetector(train: readonly LabelledSession[]): Detector {
  const detector = new AdaptiveDetector(train);
  const heldOut = detector.trainingScores();
  return {
    method: "adaptive",
    score: (sessions) => detector.score(sessions),
    trainingScores: () => [...heldOut],
    percentile: percentileOf(heldOut, detector.trainingWeights()),
  };
}
