// A trial, not shipped: the context chain's per-step surprise less the entropy of its prediction there (full
// counts), averaged per session, so that a noisy program's ordinary steps score about 0. Seed 1.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/entropy-study.js

import { namesOf } from "../src/detect/base.js";
import { ContextChain } from "../src/detect/context-chain.js";
import { Tail } from "../src/detect/tail.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate } from "../src/eval/metrics.js";
import { type Dataset, hdfs, lpr, mixedPrograms, mixedTraces } from "./datasets.js";

function excessView(chain: ContextChain): (s: WeightedSession) => number {
  const size = chain.vocabulary.size;
  const base = 1 / (size + 1);
  const out = new Float64Array(chain.order + 1);
  const cache = new Map<string, number>();
  return (s) => {
    const names = namesOf(s.session);
    const ids = new Int32Array(names.length + 2);
    names.forEach((n, i) => {
      ids[i + 1] = chain.vocabulary.lookup(n, -1);
    });
    ids[names.length + 1] = 1;
    let sum = 0;
    for (let i = 1; i < ids.length; i++) {
      const key = Array.from(ids.subarray(Math.max(0, i - chain.order), i)).join(",");
      let h = cache.get(key);
      if (h === undefined) {
        const probe = Int32Array.from(ids.subarray(0, i + 1));
        h = 0;
        let mass = 0;
        for (let w = 1; w < size; w++) {
          probe[i] = w;
          chain.counts.probabilities(probe, i, base, out);
          const p = out[chain.order] as number;
          mass += p;
          if (p > 0) h -= p * Math.log(p);
        }
        const rest = Math.max(1 - mass, 1e-12);
        h -= rest * Math.log(rest);
        cache.set(key, h);
      }
      chain.counts.probabilities(ids, i, base, out);
      sum += -Math.log(out[chain.order] as number) - h;
    }
    return sum / (ids.length - 1);
  };
}

const sets: [string, Dataset][] = [
  ["HDFS", hdfs(1)],
  ["UNM", lpr("unm", 1)],
  ["mixed", mixedTraces(1)],
  ["programs", mixedPrograms(1)],
];
for (const [name, d] of sets) {
  const chain = ContextChain.train(d.train);
  const view = excessView(chain);
  const w = d.train.map((t) => t.weight ?? 1);
  const tail = Tail.of(
    d.train.map((t) => view(t)),
    w,
  );
  const m = (xs: number[]) =>
    evaluate(
      xs,
      d.test.map((t) => t.label),
      d.test.map((t) => t.weight ?? 1),
    );
  const plain = m(d.test.map((t) => chain.meanSurprise(t)));
  const less = m(d.test.map((t) => tail.rarity(view(t))));
  const f = (x: ReturnType<typeof m>) =>
    `${x.auc.toFixed(3)} / ${(100 * x.hitRateAtFalseAlarm["0.01"]).toFixed(1)}%`;
  console.log(`| ${name} | ${f(plain)} | ${f(less)} |`);
}
