// The views of markov-novelty and the ways to combine them, on every public set and the long-trace proxies
// (seed 1, or the one given): what chose the long-context weight ("G2" ships; "A" was the default before).
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/combine-study.js [seed]
import { ContextChain } from "../src/detect/context-chain.js";
import { novelRatesOf, noveltyExcess, noveltyTrust } from "../src/detect/markov-novelty.js";
import { markovSetDetector } from "../src/detect/markov-set.js";
import { Novelty } from "../src/detect/novelty.js";
import { Tail } from "../src/detect/tail.js";
import { evaluate } from "../src/eval/metrics.js";
import { type Dataset, hdfs, lpr, mixedPrograms, mixedTraces, sea, splicedLpr } from "./datasets.js";

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const seed = Number(process.argv[2] ?? 1);
const sets: [string, () => Dataset][] = [
  ["SEA", sea],
  ["HDFS", () => hdfs(seed)],
  ["UNM", () => lpr("unm", seed)],
  ["MIT", () => lpr("mit", seed)],
  ["mixed", () => mixedTraces(seed)],
  ["spliced", () => splicedLpr(seed)],
  ["programs", () => mixedPrograms(seed)],
].filter(([name]) => seed === 1 || name !== "SEA") as [string, () => Dataset][];
const rows = new Map<string, string[]>();
for (const [name, make] of sets) {
  const d = make();
  const w = d.train.map((t) => t.weight ?? 1);
  const ms = markovSetDetector({ method: "markov-set", combine: "sum" }).train(d.train);
  const nov = Novelty.train(d.train, 6);
  const rates = novelRatesOf(nov, d.train);
  const trust = noveltyTrust(nov, d.train);
  const t0 = performance.now();
  const chain = ContextChain.train(d.train);
  const t1 = performance.now();
  const tails = [
    Tail.of(ms.trainingScores(), w),
    Tail.of(
      d.train.map((t) => noveltyExcess(nov, rates, 1, t, true)),
      w,
    ),
    Tail.of(
      d.train.map((t) => chain.meanSurprise(t, true)),
      w,
    ),
  ] as const;
  const setR = ms.score(d.test).map((x) => tails[0].rarity(x));
  const novR = d.test.map((t) => tails[1].rarity(noveltyExcess(nov, rates, 1, t, false)));
  const chR = d.test.map((t) => tails[2].rarity(chain.meanSurprise(t)));
  const g = chain.gain;
  console.error(
    `${name}: order ${chain.order} gain ${g.toFixed(3)} trust ${trust.toFixed(3)} chain ${(t1 - t0).toFixed(0)} ms`,
  );
  const combos: [string, (i: number) => number][] = [
    ["A current", (i) => Math.max(setR[i] as number, trust * (novR[i] as number))],
    ["chain alone", (i) => chR[i] as number],
    ["B +chain", (i) => Math.max(setR[i] as number, trust * (novR[i] as number), chR[i] as number)],
    [
      "C +gain*chain",
      (i) => Math.max(setR[i] as number, trust * (novR[i] as number), g * (chR[i] as number)),
    ],
    [
      "D (1-g)set,g chain",
      (i) => Math.max((1 - g) * (setR[i] as number), trust * (novR[i] as number), g * (chR[i] as number)),
    ],
    [
      "D1 (1-gt)set, gt chain",
      (i) =>
        Math.max(
          (1 - g * trust) * (setR[i] as number),
          trust * (novR[i] as number),
          g * trust * (chR[i] as number),
        ),
    ],
    [
      "D2 (1-gt)set, g chain",
      (i) =>
        Math.max((1 - g * trust) * (setR[i] as number), trust * (novR[i] as number), g * (chR[i] as number)),
    ],
    [
      "F gt split",
      (i) =>
        Math.max(
          (1 - g * trust) * Math.max(setR[i] as number, trust * (novR[i] as number)),
          g * trust * (chR[i] as number),
        ),
    ],
    [
      "F2 g split",
      (i) =>
        Math.max((1 - g) * Math.max(setR[i] as number, trust * (novR[i] as number)), g * (chR[i] as number)),
    ],
    [
      "G (1-gt)set, gt max(t nov, chain)",
      (i) =>
        Math.max(
          (1 - g * trust) * (setR[i] as number),
          g * trust * Math.max(trust * (novR[i] as number), chR[i] as number),
        ),
    ],
    [
      "G2 (1-gt)set, gt max(nov, chain)",
      (i) =>
        Math.max(
          (1 - g * trust) * (setR[i] as number),
          g * trust * Math.max(novR[i] as number, chR[i] as number),
        ),
    ],
    ["D5 sum", (i) => (1 - g) * (setR[i] as number) + trust * (novR[i] as number) + g * (chR[i] as number)],
    [
      "E (1-g)set, chain",
      (i) => Math.max((1 - g) * (setR[i] as number), trust * (novR[i] as number), chR[i] as number),
    ],
  ];
  for (const [c, f] of combos) {
    const m = evaluate(
      d.test.map((_, i) => f(i)),
      d.test.map((t) => t.label),
      d.test.map((t) => t.weight ?? 1),
    );
    const cell = `${m.auc.toFixed(name === "HDFS" ? 4 : 3)} / ${pct(m.hitRateAtFalseAlarm["0.01"])} / ${pct(m.hitRateAtFalseAlarm["0.05"])}${name === "HDFS" ? ` F1 ${m.bestF1.toFixed(3)}` : ""}`;
    rows.set(c, [...(rows.get(c) ?? []), cell]);
  }
}
console.log(`| combo | ${sets.map(([n]) => n).join(" | ")} |`);
for (const [c, cells] of rows) console.log(`| ${c} | ${cells.join(" | ")} |`);
