// The context chain's order as a ranker and as a predictor: for each order 1..K (argument 5, default 8), how
// well the chain's mean surprise per step ranks each set's test sessions beside the training sessions' held-out
// surprise per step at it (what the chain's order is chosen by: the least); then the default with its longest
// context (maxOrder) at 4, 6, 8, 10 and 12; two sets of noisy programs made here besides the study sets. What
// it showed (README, "The chain's order"): at order 8 the chain ranks every study set at least as well as at
// its likeliest order (ADFA-LD 0.850 at 4, 0.865 at 8), while held-out surprise is least at 4-8;
// on the noisy programs the likeliest order ranks best. The default's view at its longest order was built and
// measured (ADFA-LD +0.009 to +0.017 AUC, no other study set moved; the noisy programs -0.012 to -0.041, and an
// auditd hunt of a million records 55% slower, 600 MB more), then taken out: its figures are of commit
// db59473; at later commits the default part measures the likeliest order under each cap.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/chain-order-study.js [seeds] [sets] [chain|default] [K]

import { rng } from "../src/demo/generate.js";
import { namesOf, weightOf } from "../src/detect/base.js";
import { ChainCounts } from "../src/detect/chain-counts.js";
import { markovNoveltyDetector } from "../src/detect/markov-novelty.js";
import type { WeightedSession } from "../src/detect/types.js";
import { END_TOKEN, START_TOKEN } from "../src/model/tokens.js";
import { Vocabulary } from "../src/model/vocabulary.js";
import { type Dataset, rankingOf, studySets } from "./datasets.js";

const seeds = (process.argv[2] ?? "1").split(",").map(Number);
const only = process.argv[3] ? process.argv[3].split(",") : undefined;
const part = process.argv[4] ?? "chain";
const K = Number(process.argv[5] ?? 8);

/** Mean surprise per step at every order 0..K of each session: held out of `counts` one by one, or scored by them. */
function meansByOrder(
  counts: ChainCounts,
  vocabulary: Vocabulary,
  sessions: readonly WeightedSession[],
  heldOut: boolean,
): Float64Array[] {
  const base = 1 / (vocabulary.size + 1);
  const out = new Float64Array(K + 1);
  return sessions.map((s) => {
    const names = namesOf(s.session);
    const ids = new Int32Array(names.length + 2);
    names.forEach((name, i) => {
      ids[i + 1] = vocabulary.lookup(name, -1);
    });
    ids[names.length + 1] = 1;
    const sums = new Float64Array(K + 1);
    const add = (p: Float64Array) => {
      for (let k = 0; k <= K; k++) sums[k] = (sums[k] as number) - Math.log(p[k] as number);
    };
    if (heldOut) counts.heldOut(ids, base, out, (_, p) => add(p));
    else
      for (let i = 1; i < ids.length; i++) {
        counts.probabilities(ids, i, base, out);
        add(out);
      }
    return sums.map((x) => x / (ids.length - 1));
  });
}

/**
 * Where the longest order ranks worse (README): 30 programs of 40 calls over 8, each run 4 times in a trace,
 * three traces each to train, a `noise` share of calls replaced at random; intruders hold a run of 40 random
 * calls (their short runs common, their long ones not), as do ordinary traces' noisy stretches, less often.
 */
function noisyPrograms(seed: number, noise: number): Dataset {
  const random = rng(seed);
  const calls = "abcdefgh".split("");
  const call = () => calls[Math.floor(random() * calls.length)] as string;
  const programs = Array.from({ length: 30 }, () => Array.from({ length: 40 }, call));
  const trace = (p: readonly string[]) =>
    Array.from({ length: 4 }, () => p.map((c) => (random() < noise ? call() : c))).flat();
  const intruder = (p: readonly string[]) => {
    const s = trace(p);
    s.splice(40, 40, ...Array.from({ length: 40 }, call));
    return s;
  };
  return {
    train: programs.flatMap((p) => [0, 1, 2].map(() => ({ session: trace(p) }))),
    test: [
      ...programs.map((p) => ({ session: trace(p), label: 0 })),
      ...programs.map((p) => ({ session: intruder(p), label: 1 })),
    ],
  };
}

const sets = (seed: number): [string, () => Dataset][] => [
  ...studySets(seed),
  ["noisy programs 5%", () => noisyPrograms(seed, 0.05)],
  ["noisy programs 10%", () => noisyPrograms(seed, 0.1)],
];

for (const seed of seeds)
  for (const [name, make] of sets(seed)) {
    if (only !== undefined && !only.includes(name)) continue;
    const d = make();
    const show = rankingOf(d);
    const cells: string[] = [];
    if (part === "default") {
      for (const maxOrder of [4, 6, 8, 10, 12])
        cells.push(
          `longest ${maxOrder}: ${show(markovNoveltyDetector({ maxOrder }).train(d.train).score(d.test))}`,
        );
    } else {
      const vocabulary = new Vocabulary([START_TOKEN, END_TOKEN]);
      const counts = new ChainCounts(K);
      for (const s of d.train)
        counts.add(
          Int32Array.from([0, ...namesOf(s.session).map((n) => vocabulary.intern(n)), 1]),
          weightOf(s),
        );
      const held = meansByOrder(counts, vocabulary, d.train, true);
      const tested = meansByOrder(counts, vocabulary, d.test, false);
      const total = d.train.reduce((a, s) => a + weightOf(s), 0);
      for (let k = 1; k <= K; k++) {
        const nats = held.reduce(
          (a, s, i) => a + (s[k] as number) * weightOf(d.train[i] as WeightedSession),
          0,
        );
        cells.push(`${k}: ${show(tested.map((s) => s[k] as number))}, held out ${(nats / total).toFixed(3)}`);
      }
    }
    console.log(`${name} seed ${seed} (AUC / hits @1% / @5%; ${part}):\n  ${cells.join("\n  ")}`);
  }
