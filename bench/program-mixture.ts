import { rng } from "../src/demo/generate.js";
import { namesOf, weightOf } from "../src/detect/base.js";
import type { WeightedSession } from "../src/detect/types.js";
import { SeqhuntError } from "../src/errors.js";

/** Most kinds of session the mixture may choose: beyond it, held-out likelihood is read on too few sessions per kind. */
export const MAX_KINDS = 8;

/** EM rounds per fit: enough for the assignments to settle on every set measured (sensitivity in the README). */
const ROUNDS = 30;

/** Beta prior (pseudo-sessions with and without a command) of each kind's presence rate: Jeffreys', never 0 or 1. */
const PRIOR = 0.5;

/** A mixture as JSON: its command names and, per kind, its weight and one presence rate per command. */
export interface ProgramMixtureJson {
  readonly commands: readonly string[];
  readonly shares: readonly number[];
  readonly rates: readonly (readonly number[])[];
}

/** A training session's distinct commands (ids) with its weight; repeats of a set are one entry. */
interface SetEntry {
  readonly ids: Int32Array;
  weight: number;
}

/** One fitted mixture of independent presences: per kind a log share, per command log(p/(1-p)), and sum of log(1-p). */
class Fit {
  constructor(
    readonly logShares: Float64Array,
    /** kinds x commands, row-major. */
    readonly logits: Float64Array,
    readonly absent: Float64Array,
    readonly commands: number,
  ) {}

  /** Each kind's joint log-likelihood of a set (ids; -1 = a command the fit never saw, which no kind explains better). */
  joint(ids: Int32Array, out: Float64Array): void {
    const k = this.logShares.length;
    for (let j = 0; j < k; j++) {
      let x = (this.logShares[j] as number) + (this.absent[j] as number);
      const row = j * this.commands;
      for (let i = 0; i < ids.length; i++) {
        const c = ids[i] as number;
        if (c >= 0) x += this.logits[row + c] as number;
      }
      out[j] = x;
    }
  }
}

const logSumExp = (xs: Float64Array): number => {
  let m = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > m) m = x;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
};

/** Fits `k` kinds to the sets by EM from a seeded random start; returns the fit. */
function fitKinds(sets: readonly SetEntry[], commands: number, k: number, seed: number): Fit {
  const random = rng(seed);
  // Responsibilities start random, so kinds start apart.
  let resp = sets.map(() => {
    const r = new Float64Array(k);
    let t = 0;
    for (let j = 0; j < k; j++) {
      r[j] = 0.1 + random();
      t += r[j] as number;
    }
    for (let j = 0; j < k; j++) r[j] = (r[j] as number) / t;
    return r;
  });
  let model = mStep(sets, resp, commands, k);
  const joint = new Float64Array(k);
  for (let round = 0; round < ROUNDS; round++) {
    resp = sets.map((s) => {
      model.joint(s.ids, joint);
      const z = logSumExp(joint);
      const r = new Float64Array(k);
      for (let j = 0; j < k; j++) r[j] = Math.exp((joint[j] as number) - z);
      return r;
    });
    model = mStep(sets, resp, commands, k);
  }
  return model;
}

/** The kinds' shares and presence rates given each set's responsibilities. */
function mStep(sets: readonly SetEntry[], resp: readonly Float64Array[], commands: number, k: number): Fit {
  const mass = new Float64Array(k);
  const present = new Float64Array(k * commands);
  sets.forEach((s, n) => {
    const r = resp[n] as Float64Array;
    for (let j = 0; j < k; j++) {
      const w = s.weight * (r[j] as number);
      mass[j] = (mass[j] as number) + w;
      const row = j * commands;
      for (const c of s.ids) present[row + c] = (present[row + c] as number) + w;
    }
  });
  const total = mass.reduce((a, b) => a + b, 0);
  const logShares = new Float64Array(k);
  const logits = new Float64Array(k * commands);
  const absent = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    logShares[j] = Math.log(((mass[j] as number) + PRIOR) / (total + k * PRIOR));
    let a = 0;
    for (let c = 0; c < commands; c++) {
      const p = ((present[j * commands + c] as number) + PRIOR) / ((mass[j] as number) + 2 * PRIOR);
      logits[j * commands + c] = Math.log(p / (1 - p));
      a += Math.log(1 - p);
    }
    absent[j] = a;
  }
  return new Fit(logShares, logits, absent, commands);
}

/**
 * Kinds of session by which commands occur in them (a mixture of independent presences, fitted by EM), the
 * number of kinds chosen from the training data alone by held-out likelihood: fitted on every other distinct
 * set, scored on the rest, for 1 to {@link MAX_KINDS} kinds. A host that runs several programs gives a kind
 * per program; data of one kind gives one.
 */
export class ProgramMixture {
  readonly #ids: Map<string, number>;

  private constructor(
    readonly commands: readonly string[],
    readonly fitted: Fit,
  ) {
    this.#ids = new Map(commands.map((c, i) => [c, i]));
  }

  /** How many kinds. */
  get kinds(): number {
    return this.fitted.logShares.length;
  }

  /** Fits the mixture to weighted training sessions, choosing the number of kinds up to `maxKinds`. */
  static train(train: readonly WeightedSession[], maxKinds = MAX_KINDS): ProgramMixture {
    const ids = new Map<string, number>();
    const bySet = new Map<string, SetEntry>();
    for (const t of train) {
      const names = [...new Set(namesOf(t.session))].sort();
      const key = names.join("\u0000");
      const seen = bySet.get(key);
      if (seen !== undefined) {
        seen.weight += weightOf(t);
        continue;
      }
      const set = new Int32Array(names.length);
      names.forEach((n, i) => {
        let id = ids.get(n);
        if (id === undefined) {
          id = ids.size;
          ids.set(n, id);
        }
        set[i] = id;
      });
      bySet.set(key, { ids: set, weight: weightOf(t) });
    }
    const sets = [...bySet.values()];
    const commands = ids.size;
    const kinds = chooseKinds(sets, commands, maxKinds);
    return new ProgramMixture([...ids.keys()], fitKinds(sets, commands, kinds, kinds));
  }

  /** The kind a session most likely belongs to. */
  kindOf(s: WeightedSession): number {
    const names = new Set(namesOf(s.session));
    const set = new Int32Array(names.size);
    let i = 0;
    for (const n of names) set[i++] = this.#ids.get(n) ?? -1;
    const joint = new Float64Array(this.kinds);
    this.fitted.joint(set, joint);
    let best = 0;
    for (let j = 1; j < joint.length; j++) if ((joint[j] as number) > (joint[best] as number)) best = j;
    return best;
  }

  /** The mixture as JSON. */
  toJSON(): ProgramMixtureJson {
    const { logShares, logits, commands } = this.fitted;
    const rates = Array.from(logShares, (_, j) =>
      Array.from(logits.subarray(j * commands, (j + 1) * commands), (l) => 1 / (1 + Math.exp(-l))),
    );
    return { commands: [...this.commands], shares: Array.from(logShares, Math.exp), rates };
  }

  /** A mixture saved with {@link ProgramMixture.toJSON}. */
  static fromJSON(json: unknown): ProgramMixture {
    const { commands, shares, rates } = (json ?? {}) as Partial<ProgramMixtureJson>;
    const probability = (x: unknown) => typeof x === "number" && x > 0 && x < 1;
    if (
      !Array.isArray(commands) ||
      !commands.every((c) => typeof c === "string") ||
      !Array.isArray(shares) ||
      shares.length === 0 ||
      !shares.every(probability) ||
      !Array.isArray(rates) ||
      rates.length !== shares.length ||
      !rates.every((r) => Array.isArray(r) && r.length === commands.length && r.every(probability))
    )
      throw new SeqhuntError(
        "not a valid saved mixture of session kinds: expected command names, shares in (0, 1) and one rate in (0, 1) per kind and command",
      );
    const n = commands.length;
    const logits = new Float64Array(shares.length * n);
    const absent = new Float64Array(shares.length);
    rates.forEach((row, j) => {
      (row as readonly number[]).forEach((p, c) => {
        logits[j * n + c] = Math.log(p / (1 - p));
        absent[j] = (absent[j] as number) + Math.log(1 - p);
      });
    });
    return new ProgramMixture(commands, new Fit(Float64Array.from(shares, Math.log), logits, absent, n));
  }
}

/** The number of kinds whose fit on every other distinct set gives the rest the highest likelihood. */
function chooseKinds(sets: readonly SetEntry[], commands: number, maxKinds: number): number {
  const fitOn = sets.filter((_, i) => i % 2 === 0);
  const heldOut = sets.filter((_, i) => i % 2 === 1);
  if (heldOut.length === 0) return 1;
  let best = 1;
  let bestLikelihood = Number.NEGATIVE_INFINITY;
  for (let k = 1; k <= Math.min(maxKinds, fitOn.length); k++) {
    const model = fitKinds(fitOn, commands, k, k);
    const joint = new Float64Array(k);
    let likelihood = 0;
    for (const s of heldOut) {
      model.joint(s.ids, joint);
      likelihood += s.weight * logSumExp(joint);
    }
    if (likelihood > bestLikelihood) {
      bestLikelihood = likelihood;
      best = k;
    }
  }
  return best;
}
