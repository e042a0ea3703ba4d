// Kinds of session (a mixture of command presences, its number of kinds chosen by held-out likelihood) as a
// calibration of the default's views: each view's rarity against the held-out training scores of the
// session's own kind instead of all training sessions. Run: node bench-dist/bench/mixture-study.js [seed] [sets]
import { ContextChain } from "../src/detect/context-chain.js";
import { novelRatesOf, noveltyExcess, noveltyTrust, ORDER_AND_SET } from "../src/detect/markov-novelty.js";
import { markovSetDetector } from "../src/detect/markov-set.js";
import { Novelty } from "../src/detect/novelty.js";
import { Tail } from "../src/detect/tail.js";
import type { WeightedSession } from "../src/detect/types.js";
import { type Dataset, studySets } from "./datasets.js";
import { ProgramMixture } from "./program-mixture.js";
import { addCells, idsOf, meanExcess } from "./views.js";

const seed = Number(process.argv[2] ?? 1);

/** The chain's held-out surprise less the held-out mean after the same command (shrunk to everyone's with 1 step): the shipped view. */
function beyondView(chain: ContextChain, train: readonly WeightedSession[]) {
  const order = chain.order;
  const out = new Float64Array(order + 1);
  const base = 1 / (chain.vocabulary.size + 1);
  const by = new Map<number, [number, number]>();
  let all = 0;
  let steps = 0;
  for (const t of train) {
    const ids = idsOf(chain, t);
    const w = t.weight ?? 1;
    chain.counts.add(ids, -1);
    for (let i = 1; i < ids.length; i++) {
      chain.counts.probabilities(ids, i, base, out);
      const s = -Math.log(out[order] as number);
      const prev = ids[i - 1] as number;
      const st = by.get(prev) ?? [0, 0];
      st[0] += w * s;
      st[1] += w;
      by.set(prev, st);
      all += w * s;
      steps += w;
    }
    chain.counts.add(ids, 1);
  }
  const mean = all / steps;
  const expect = (prev: number) => {
    const st = by.get(prev);
    return st === undefined ? mean : (st[0] + mean) / (st[1] + 1);
  };
  const score = meanExcess(chain, (ids, i) => expect(ids[i - 1] as number));
  /** Held-out surprise sums at order 1 and at the chosen order of a training session. */
  const nats = (s: WeightedSession): [number, number] => {
    const ids = idsOf(chain, s);
    chain.counts.add(ids, -1);
    let first = 0;
    let chosen = 0;
    for (let i = 1; i < ids.length; i++) {
      chain.counts.probabilities(ids, i, base, out);
      first -= Math.log(out[Math.min(1, order)] as number);
      chosen -= Math.log(out[order] as number);
    }
    chain.counts.add(ids, 1);
    return [first, chosen];
  };
  return { score, nats };
}

/** markov-set's score of each training session by a markov-set trained without its fold (every `folds`-th session). */
function crossFitted(train: readonly WeightedSession[], folds: number): number[] {
  const out = new Array<number>(train.length).fill(0);
  for (let f = 0; f < folds; f++) {
    const idx = train.flatMap((_, i) => (i % folds === f ? [i] : []));
    const rest = train.filter((_, i) => i % folds !== f);
    const ms = markovSetDetector(ORDER_AND_SET).train(rest);
    const scores = ms.score(idx.map((i) => train[i] as WeightedSession));
    idx.forEach((i, n) => {
      out[i] = scores[n] as number;
    });
  }
  return out;
}

/** Raw scores of the three views: training sessions held out, and test sessions. */
function rawViews(d: Dataset) {
  const ms = markovSetDetector(ORDER_AND_SET).train(d.train);
  const nov = Novelty.train(d.train, 6);
  const rates = novelRatesOf(nov, d.train);
  const trust = noveltyTrust(nov, d.train);
  const chain = ContextChain.train(d.train);
  const { score: beyond, nats } = beyondView(chain, d.train);
  return {
    held: d.train.map((t) => ({ count: nov.count(t, true), nats: nats(t) })),
    order: chain.order,
    train: [
      process.env.FOLDS ? crossFitted(d.train, Number(process.env.FOLDS)) : Array.from(ms.trainingScores()),
      d.train.map((t) => noveltyExcess(nov, rates, 1, t, true)),
      d.train.map((t) => beyond(t, true)),
    ],
    test: [
      Array.from(ms.score(d.test)),
      d.test.map((t) => noveltyExcess(nov, rates, 1, t, false)),
      d.test.map((t) => beyond(t, false)),
    ],
    g: chain.gain * trust,
  };
}

/** Tails per kind (a kind with fewer than `least` training sessions uses every session's). */
function kindTails(scores: number[], weights: number[], kinds: number[], k: number, least: number): Tail[] {
  const global = Tail.of(scores, weights);
  return Array.from({ length: k }, (_, j) => {
    const idx = kinds.flatMap((x, i) => (x === j ? [i] : []));
    const mass = idx.reduce((a, i) => a + (weights[i] as number), 0);
    return mass < least
      ? global
      : Tail.of(
          idx.map((i) => scores[i] as number),
          idx.map((i) => weights[i] as number),
        );
  });
}

const only = process.argv[3]?.split(",");
const sets = studySets(seed).filter(([n]) => only === undefined || only.includes(n));
const rows = new Map<string, string[]>();
for (const [name, make] of sets) {
  const d = make();
  const t0 = performance.now();
  const v = rawViews(d);
  const t1 = performance.now();
  const mixture = ProgramMixture.train(d.train);
  const t2 = performance.now();
  const trainKinds = d.train.map((t) => mixture.kindOf(t));
  const testKinds = d.test.map((t) => mixture.kindOf(t));
  const w = d.train.map((t) => t.weight ?? 1);
  const sizes = Array.from({ length: mixture.kinds }, (_, j) =>
    trainKinds.reduce((a, x, i) => a + (x === j ? (w[i] as number) : 0), 0),
  );
  const pos = Array.from({ length: mixture.kinds }, (_, j) =>
    testKinds.reduce((a, x, i) => a + (x === j && d.test[i]?.label === 1 ? 1 : 0), 0),
  );
  console.error(
    `${name}: kinds ${mixture.kinds} sizes ${sizes.join(",")} attacks by kind ${pos.join(",")} g ${v.g.toFixed(3)} views ${(t1 - t0).toFixed(0)} ms mixture ${(t2 - t1).toFixed(0)} ms`,
  );
  const g = v.g;
  const globalR = v.test.map((xs, view) => {
    const tail = Tail.of(v.train[view] as number[], w);
    return xs.map((x) => tail.rarity(x));
  });
  const kindR = (least: number) =>
    v.test.map((xs, view) => {
      const tails = kindTails(v.train[view] as number[], w, trainKinds, mixture.kinds, least);
      return xs.map((x, i) => (tails[testKinds[i] as number] as Tail).rarity(x));
    });
  const k10 = kindR(10);
  const at = (r: number[][], view: number, i: number) => (r[view] as number[])[i] as number;
  // Per kind: gain (share of first-order held-out surprise the chosen order removes) x trust.
  const gKind = Array.from({ length: mixture.kinds }, (_, j) => {
    let [first, chosen, clean, sessions, inner, windows] = [0, 0, 0, 0, 0, 0];
    v.held.forEach((h, i) => {
      if (trainKinds[i] !== j) return;
      const wt = w[i] as number;
      first += wt * h.nats[0];
      chosen += wt * h.nats[1];
      sessions += wt;
      if (h.count.novel[0] + h.count.novel[1] === 0) clean += wt;
      inner += wt * h.count.windows[1];
      windows += wt * (h.count.windows[0] + h.count.windows[1]);
    });
    if (sessions < 10) return g;
    const gain = v.order > 1 && first > 0 ? Math.max(0, 1 - chosen / first) : 0;
    return gain * (clean / sessions) * (inner / windows);
  });
  console.error(`  per-kind g ${gKind.map((x) => x.toFixed(2)).join(",")}`);
  const trainR = (least: number) =>
    v.train.map((xs) => {
      const tails = kindTails(xs, w, trainKinds, mixture.kinds, least);
      return xs.map((x, i) => (tails[trainKinds[i] as number] as Tail).rarity(x));
    });
  const kt10 = trainR(10);
  const byKindG = (r: number[][], kinds: number[]) => (i: number) => {
    const gj = gKind[kinds[i] as number] as number;
    return Math.max((1 - gj) * at(r, 0, i), gj * Math.max(at(r, 1, i), at(r, 2, i)));
  };
  const trainCombined = d.train.map((_, i) => byKindG(kt10, trainKinds)(i));
  const combinedTails = kindTails(trainCombined, w, trainKinds, mixture.kinds, 10);
  const testCombined = d.test.map((_, i) => byKindG(k10, testKinds)(i));
  const k30 = kindR(30);
  const combo = (a: number[][], b: number[][], c: number[][]) => (i: number) =>
    Math.max((1 - g) * at(a, 0, i), g * Math.max(at(b, 1, i), at(c, 2, i)));
  const diag: [string, (i: number) => number][] = [
    ["shipped", combo(globalR, globalR, globalR)],
    ["kind", combo(k10, k10, k10)],
    ["set g", (i) => at(globalR, 0, i)],
    ["set k", (i) => at(k10, 0, i)],
    ["nov g", (i) => at(globalR, 1, i)],
    ["nov k", (i) => at(k10, 1, i)],
    ["bey g", (i) => at(globalR, 2, i)],
    ["bey k", (i) => at(k10, 2, i)],
  ];
  const q = (xs: number[]) => {
    const ys = [...xs].sort((a, b) => a - b);
    return [0.1, 0.5, 0.9, 1]
      .map((p) => (ys[Math.min(ys.length - 1, Math.floor(p * ys.length))] ?? 0).toFixed(2))
      .join(" ");
  };
  for (let j = 0; j < mixture.kinds; j++) {
    const tr = v.train[0]?.filter((_, i) => trainKinds[i] === j) ?? [];
    const te = v.test[0]?.filter((_, i) => testKinds[i] === j && d.test[i]?.label === 0) ?? [];
    const ta = v.test[0]?.filter((_, i) => testKinds[i] === j && d.test[i]?.label === 1) ?? [];
    console.error(`  kind ${j} set raw: train ${q(tr)} | test normal ${q(te)} | attacks ${q(ta)}`);
  }
  for (const [label, f] of diag) {
    const scores = d.test.map((_, i) => f(i));
    const parts: string[] = [];
    for (let j = 0; j < mixture.kinds; j++) {
      // AUC of every attack against the normals of kind j.
      const neg = scores.filter((_, i) => d.test[i]?.label === 0 && testKinds[i] === j);
      const posS = scores.filter((_, i) => d.test[i]?.label === 1);
      if (neg.length === 0) continue;
      let wins = 0;
      for (const p of posS) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
      parts.push(`k${j}(${neg.length}) ${(wins / (neg.length * posS.length)).toFixed(3)}`);
    }
    console.error(`  ${label}: ${parts.join("  ")}`);
  }
  addCells(rows, name, d, [
    ["shipped (global tails)", combo(globalR, globalR, globalR)],
    ["every view by kind (>=10)", combo(k10, k10, k10)],
    ["every view by kind (>=30)", combo(k30, k30, k30)],
    ["set by kind only (>=10)", combo(k10, globalR, globalR)],
    ["set by kind, chain by kind (>=10)", combo(k10, globalR, k10)],
    ["by kind, g by kind", (i) => testCombined[i] as number],
    [
      "by kind, g by kind, recalibrated by kind",
      (i) => (combinedTails[testKinds[i] as number] as Tail).rarity(testCombined[i] as number),
    ],
    ["set alone global", (i) => at(globalR, 0, i)],
    ["set alone by kind", (i) => at(k10, 0, i)],
    ["beyond alone global", (i) => at(globalR, 2, i)],
    ["beyond alone by kind", (i) => at(k10, 2, i)],
  ]);
}
console.log(`| combination | ${sets.map(([n]) => n).join(" | ")} |`);
console.log(`| --- | ${sets.map(() => "---:").join(" | ")} |`);
for (const [c, cells] of rows) console.log(`| ${c} | ${cells.join(" | ")} |`);
