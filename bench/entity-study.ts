// Entity-conditioned command frequencies (naive Bayes one-vs-rest, Maxion & Townsend 2002) beside the default's
// views on SEA: alone and combined. Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/entity-study.js
import { trainDetector } from "../src/detect/detector.js";
import { markovSetDetector } from "../src/detect/markov-set.js";
import { Tail } from "../src/detect/tail.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate } from "../src/eval/metrics.js";
import { sea } from "./datasets.js";

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const d = sea();
const names = (s: WeightedSession) => s.session.map((c) => (typeof c === "string" ? c : c.name));

type Counts = Map<string, number>;
const perEntity = new Map<string, Counts>();
const totals = new Map<string, number>();
const global: Counts = new Map();
let all = 0;
for (const t of d.train) {
  const e = t.entity as string;
  const c = perEntity.get(e) ?? new Map<string, number>();
  perEntity.set(e, c);
  for (const x of names(t)) {
    c.set(x, (c.get(x) ?? 0) + 1);
    global.set(x, (global.get(x) ?? 0) + 1);
    totals.set(e, (totals.get(e) ?? 0) + 1);
    all++;
  }
}
const V = global.size + 1;

/** NB one-vs-rest mean log-ratio; `own` are counts to take out (held out). */
function nb(s: WeightedSession, alpha: number, own: Counts | undefined, agg: "mean" | "sum"): number {
  const e = s.entity as string;
  const c = perEntity.get(e) as Counts;
  const ownN = own ? [...own.values()].reduce((a, b) => a + b, 0) : 0;
  const Nu = (totals.get(e) as number) - ownN;
  const Nr = all - (totals.get(e) as number);
  let sum = 0;
  const xs = names(s);
  for (const x of xs) {
    const nu = (c.get(x) ?? 0) - (own?.get(x) ?? 0);
    const nr = (global.get(x) ?? 0) - (c.get(x) ?? 0);
    sum += Math.log((nr + alpha) / (Nr + alpha * V)) - Math.log((nu + alpha) / (Nu + alpha * V));
  }
  return agg === "mean" ? sum / Math.max(xs.length, 1) : sum;
}

/** Entity rates leaning on everyone's with a prior of m commands; score ln P_global - ln P_entity per step. */
function lean(s: WeightedSession, m: number, own: Counts | undefined): number {
  const e = s.entity as string;
  const c = perEntity.get(e) as Counts;
  const ownN = own ? [...own.values()].reduce((a, b) => a + b, 0) : 0;
  const Nu = (totals.get(e) as number) - ownN;
  const Ng = all - ownN;
  let sum = 0;
  const xs = names(s);
  for (const x of xs) {
    const ng = (global.get(x) ?? 0) - (own?.get(x) ?? 0);
    const pg = (ng + 1) / (Ng + V);
    const nu = (c.get(x) ?? 0) - (own?.get(x) ?? 0);
    const pu = (nu + m * pg) / (Nu + m);
    sum += Math.log(pg) - Math.log(pu);
  }
  return sum / Math.max(xs.length, 1);
}

const countsOf = (s: WeightedSession): Counts => {
  const m: Counts = new Map();
  for (const x of names(s)) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

const w = d.train.map(() => 1);
const labels = d.test.map((t) => t.label);
const show = (name: string, scores: number[]) => {
  const m = evaluate(scores, labels);
  console.log(
    `| ${name} | ${m.auc.toFixed(3)} | ${pct(m.hitRateAtFalseAlarm["0.01"])} | ${pct(m.hitRateAtFalseAlarm["0.05"])} |`,
  );
};

const ms = markovSetDetector({ method: "markov-set", combine: "sum" }).train(d.train);
const setTail = Tail.of(ms.trainingScores(), w);
const setR = ms.score(d.test).map((x) => setTail.rarity(x));
const def = trainDetector("markov-novelty", d.train);
const defScores = def.score(d.test);
show("markov-novelty", defScores);
show("markov-set rarity", setR);
const views: [string, (s: WeightedSession, own: Counts | undefined) => number][] = [];
for (const a of [0.01, 0.1, 1]) views.push([`nb a=${a}`, (s, own) => nb(s, a, own, "mean")]);
for (const m of [10, 100, 1000]) views.push([`lean m=${m}`, (s, own) => lean(s, m, own)]);
for (const [name, f] of views) {
  const train = d.train.map((t) => f(t, countsOf(t)));
  const tail = Tail.of(train, w);
  const test = d.test.map((t) => f(t, undefined));
  const r = test.map((x) => tail.rarity(x));
  show(name, test);
  show(
    `${name} max rarity`,
    r.map((x, i) => Math.max(x, setR[i] as number)),
  );
  show(
    `${name} sum rarity`,
    r.map((x, i) => x + (setR[i] as number)),
  );
  show(
    `${name} min rarity`,
    r.map((x, i) => Math.min(x, setR[i] as number)),
  );
  for (const k of [0.25, 0.5])
    show(
      `${name} max(set, ${k} nb)`,
      r.map((x, i) => Math.max(k * x, setR[i] as number)),
    );
  const hs = ms.trainingScores();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
  const [m1, s1, m2, s2] = [mean(hs), sd(hs), mean(train), sd(train)];
  const setScores = ms.score(d.test);
  show(
    `${name} z sum`,
    test.map((x, i) => ((setScores[i] as number) - m1) / s1 + (x - m2) / s2),
  );
}

// Where the default's false alarms at the 1% threshold come from: by user, against each user's masquerades.
{
  const order = d.test.map((_, i) => i).sort((a, b) => (defScores[b] as number) - (defScores[a] as number));
  let fp = 0;
  const byUser = new Map<string, number>();
  let hits = 0;
  for (const i of order) {
    const t = d.test[i] as (typeof d.test)[number];
    if (t.label === 1) hits++;
    else {
      fp++;
      byUser.set(t.entity as string, (byUser.get(t.entity as string) ?? 0) + 1);
    }
    if (fp > 47) break;
  }
  console.log(
    `hits ${hits}`,
    [...byUser].sort((a, b) => b[1] - a[1]),
  );
  const masq = new Map<string, number>();
  for (const t of d.test)
    if (t.label === 1) masq.set(t.entity as string, (masq.get(t.entity as string) ?? 0) + 1);
  console.log("masquerades per user", [...masq].sort((a, b) => b[1] - a[1]).join(" "));
}
