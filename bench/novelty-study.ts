// The default detector (markov-novelty) studied: the sensitivity of its constants (each at half and double),
// its spread over five seeds, and its speed on a million events against markov-set. Prints markdown tables.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/novelty-study.js [sensitivity|seeds|speed]
// (sensitivity [name prefix or ""] [data sets, e.g. sea,hdfs]: only those settings and data)
import { trainDetector } from "../src/detect/detector.js";
import { type MarkovNoveltyOptions, markovNoveltyDetector } from "../src/detect/markov-novelty.js";
import type { DetectorFactory, WeightedSession } from "../src/detect/types.js";
import { evaluate, type Metrics } from "../src/eval/metrics.js";
import { type Dataset, hdfs, lpr, mixedPrograms, mixedTraces, sea, splicedLpr } from "./datasets.js";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function measure(factory: DetectorFactory, d: Dataset): Metrics {
  const scores = factory.train(d.train).score(d.test);
  return evaluate(
    scores,
    d.test.map((t) => t.label),
    d.test.map((t) => t.weight ?? 1),
  );
}

/**
 * Measures only the settings whose name starts with `only` (and the shipped one; "" for all), on the data sets
 * named in `data` (comma-separated; all by default, the others printed as "-").
 */
function sensitivity(only: string | undefined, data: string | undefined): void {
  const loaders = {
    sea: () => sea(),
    hdfs: () => hdfs(1),
    unm: () => lpr("unm", 1),
    mit: () => lpr("mit", 1),
    proxy: () => splicedLpr(1),
    mixed: () => mixedTraces(1),
    programs: () => mixedPrograms(1),
  };
  const wanted = data?.split(",");
  const sets = Object.fromEntries(
    Object.entries(loaders)
      .filter(([k]) => wanted === undefined || wanted.includes(k))
      .map(([k, load]) => [k, load()]),
  ) as Partial<Record<keyof typeof loaders, Dataset>>;
  const all: [string, MarkovNoveltyOptions][] = [
    [
      "shipped (window 6, floor 1, tail share 0.1, longest context 8, window prior held-out, entity prior 2, step weight 0.5)",
      {},
    ],
    ["window 3", { window: 3 }],
    ["window 12", { window: 12 }],
    ["floor 0.5", { floor: 0.5 }],
    ["floor 2", { floor: 2 }],
    ["tail share 0.05", { tailShare: 0.05 }],
    ["tail share 0.2", { tailShare: 0.2 }],
    ["longest context 4", { maxOrder: 4 }],
    ["longest context 16", { maxOrder: 16 }],
    ["window prior 0.5", { windowPrior: 0.5 }],
    ["window prior 2", { windowPrior: 2 }],
    ["window prior 1 (fixed, before)", { windowPrior: 1 }],
    ["entity prior 1", { entityPrior: 1 }],
    ["entity prior 4", { entityPrior: 4 }],
    ["entity prior 8", { entityPrior: 8 }],
    ["entity prior held-out", { entityPrior: "held-out" }],
    ["step weight 0", { maxStepWeight: 0 }],
    ["step weight 0.25", { maxStepWeight: 0.25 }],
    ["step weight 1", { maxStepWeight: 1 }],
  ];
  const variants = all.filter(
    ([name]) => only === undefined || only === "" || name.startsWith(only) || name.startsWith("shipped"),
  );
  console.log(
    "| setting | SEA AUC / hit @1% / @5% | HDFS AUC / best F1 | UNM AUC / hit @1% | MIT hit @1% | spliced proxy AUC / hit @1% | mixed proxy AUC / hit @1% | programs proxy AUC |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, options] of variants) {
    const f = markovNoveltyDetector(options);
    const m = Object.fromEntries(
      Object.entries(sets).map(([k, d]) => [k, measure(f, d as Dataset)]),
    ) as Partial<Record<keyof typeof loaders, Metrics>>;
    const at1 = (x: Metrics) => pct(x.hitRateAtFalseAlarm["0.01"]);
    // A data set not measured prints "-".
    const cell = (x: Metrics | undefined, text: (x: Metrics) => string) => (x === undefined ? "-" : text(x));
    console.log(
      `| ${name} | ${cell(m.sea, (x) => `${x.auc.toFixed(4)} / ${at1(x)} / ${pct(x.hitRateAtFalseAlarm["0.05"])}`)} | ${cell(m.hdfs, (x) => `${x.auc.toFixed(4)} / ${x.bestF1.toFixed(3)}`)} | ${cell(m.unm, (x) => `${x.auc.toFixed(4)} / ${at1(x)}`)} | ${cell(m.mit, at1)} | ${cell(m.proxy, (x) => `${x.auc.toFixed(4)} / ${at1(x)}`)} | ${cell(m.mixed, (x) => `${x.auc.toFixed(4)} / ${at1(x)}`)} | ${cell(m.programs, (x) => x.auc.toFixed(4))} |`,
    );
  }
}

function seeds(): void {
  const meanSd = (xs: number[], digits: number) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)} (${xs.map((x) => x.toFixed(digits)).join(", ")})`;
  };
  console.log("| method | data | AUC over seeds 1-5 | best F1 | hit @1% FA |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  const data: [string, (seed: number) => Dataset][] = [
    ["HDFS", hdfs],
    ["UNM lpr", (s) => lpr("unm", s)],
    ["MIT lpr", (s) => lpr("mit", s)],
    ["spliced proxy", (s) => splicedLpr(s)],
    ["mixed proxy", (s) => mixedTraces(s)],
    ["programs proxy", (s) => mixedPrograms(s)],
  ];
  for (const [name, make] of data) {
    const runs = [1, 2, 3, 4, 5].map(make);
    for (const method of (process.argv[3] ?? "markov-novelty,markov-set").split(",")) {
      const ms = runs.map((d) => {
        const scores = trainDetector(method, d.train).score(d.test);
        return evaluate(
          scores,
          d.test.map((t) => t.label),
          d.test.map((t) => t.weight ?? 1),
        );
      });
      console.log(
        `| ${method} | ${name} | ${meanSd(
          ms.map((m) => m.auc),
          4,
        )} | ${meanSd(
          ms.map((m) => m.bestF1),
          3,
        )} | ${meanSd(
          ms.map((m) => m.hitRateAtFalseAlarm["0.01"]),
          3,
        )} |`,
      );
    }
  }
}

/** About `events` events of long sessions (system calls), each session a fresh object so no cache is shared. */
function millionEvents(events: number): { train: WeightedSession[]; test: WeightedSession[] } {
  const d = splicedLpr(1);
  const grow = (xs: readonly WeightedSession[], target: number) => {
    const out: WeightedSession[] = [];
    for (let n = 0, i = 0; n < target; i++) {
      const s = xs[i % xs.length] as WeightedSession;
      out.push({ session: [...s.session] });
      n += s.session.length;
    }
    return out;
  };
  return { train: grow(d.train, events / 2), test: grow(d.test, events / 2) };
}

function speed(): void {
  const { train, test } = millionEvents(1_000_000);
  const count = (xs: readonly WeightedSession[]) => xs.reduce((n, s) => n + s.session.length, 0);
  console.log(
    `| method | train (${count(train).toLocaleString("en")} events) | score (${count(test).toLocaleString("en")} events) | total |`,
  );
  console.log("| --- | ---: | ---: | ---: |");
  for (const method of ["markov-set", "markov-novelty"]) {
    const t0 = performance.now();
    const detector = trainDetector(method, train);
    const t1 = performance.now();
    detector.score(test);
    const t2 = performance.now();
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`| ${method} | ${s(t1 - t0)} | ${s(t2 - t1)} | ${s(t2 - t0)} |`);
  }
}

const what = process.argv[2] ?? "all";
if (what === "sensitivity" || what === "all") sensitivity(process.argv[3], process.argv[4]);
if (what === "seeds" || what === "all") seeds();
if (what === "speed" || what === "all") speed();
