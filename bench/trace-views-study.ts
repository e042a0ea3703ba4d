// Two views measured for long system-call traces and not shipped (README, "System-call traces made here"):
// sequence covering (Marteau 2019, SC4ID: a session tiled greedily by the longest runs of commands that occur in
// some training session; the more pieces per step, the stranger) and never-seen commands (how many distinct
// commands of a session training never had, as a rarity against how often a training session, left out whole,
// holds commands no other has: -ln((W>=u + 1) / (W + 1)), beside the default in the maximum). Against the
// default and the chosen-order chain. Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/trace-views-study.js [seed] [sets] (ADFA-LD too when a copy is at bench-data/ADFA-LD)

import { existsSync } from "node:fs";
import { AdaptiveDetector } from "../src/detect/adaptive.js";
import { trainDetector } from "../src/detect/detector.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate } from "../src/eval/metrics.js";
import {
  ADFA_LD,
  adfaLd,
  type Dataset,
  hdfs,
  lpr,
  mixedPrograms,
  mixedTraces,
  sea,
  splicedLpr,
  straceTraces,
} from "./datasets.js";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const nameOf = (c: unknown) => (typeof c === "string" ? c : (c as { name: string }).name);

function unseenView(train: readonly WeightedSession[]) {
  // Distinct sessions (by their commands), each with its total weight.
  const distinct = new Map<string, { names: Set<string>; weight: number }>();
  for (const s of train) {
    const names = s.session.map(nameOf);
    const key = names.join("\u0000");
    const d = distinct.get(key) ?? { names: new Set(names), weight: 0 };
    d.weight += s.weight ?? 1;
    distinct.set(key, d);
  }
  const sessionsWith = new Map<string, number>();
  for (const { names } of distinct.values())
    for (const n of names) sessionsWith.set(n, (sessionsWith.get(n) ?? 0) + 1);
  const heldOut: [number, number][] = [];
  let total = 0;
  for (const { names, weight } of distinct.values()) {
    let own = 0;
    for (const n of names) if (sessionsWith.get(n) === 1) own++;
    heldOut.push([own, weight]);
    total += weight;
  }
  const atLeast = (u: number) => heldOut.reduce((a, [c, w]) => (c >= u ? a + w : a), 0);
  const cache = new Map<number, number>();
  return (s: WeightedSession): number => {
    const u = new Set(s.session.map(nameOf).filter((n) => !sessionsWith.has(n))).size;
    if (u === 0) return 0;
    let r = cache.get(u);
    if (r === undefined) {
      r = -Math.log((atLeast(u) + 1) / (total + 1));
      cache.set(u, r);
    }
    return r;
  };
}

/** A suffix automaton of every training session, each padded with start and end, joined by a separator. */
class Automaton {
  readonly next: Map<number, number>[] = [new Map()];
  readonly link: number[] = [-1];
  readonly len: number[] = [0];
  last = 0;
  edges(p: number): Map<number, number> {
    return this.next[p] as Map<number, number>;
  }
  size(p: number): number {
    return this.len[p] as number;
  }
  add(c: number): void {
    const cur = this.len.length;
    this.len.push(this.size(this.last) + 1);
    this.link.push(0);
    this.next.push(new Map());
    let p = this.last;
    while (p !== -1 && !this.edges(p).has(c)) {
      this.edges(p).set(c, cur);
      p = this.link[p] as number;
    }
    if (p !== -1) {
      const q = this.edges(p).get(c) as number;
      if (this.size(p) + 1 === this.size(q)) this.link[cur] = q;
      else {
        const clone = this.len.length;
        this.len.push(this.size(p) + 1);
        this.link.push(this.link[q] as number);
        this.next.push(new Map(this.edges(q)));
        while (p !== -1 && this.edges(p).get(c) === q) {
          this.edges(p).set(c, clone);
          p = this.link[p] as number;
        }
        this.link[q] = clone;
        this.link[cur] = clone;
      }
    }
    this.last = cur;
  }
}

const SEPARATOR = 0;
const START = 1;
const END = 2;

function coverer(train: readonly WeightedSession[]) {
  const ids = new Map<string, number>();
  const id = (name: string) => {
    let v = ids.get(name);
    if (v === undefined) {
      v = ids.size + 3;
      ids.set(name, v);
    }
    return v;
  };
  const sam = new Automaton();
  const seen = new Set<string>();
  for (const s of train) {
    const key = s.session.map(nameOf).join("\u0000");
    if (seen.has(key)) continue;
    seen.add(key);
    sam.add(START);
    for (const c of s.session) sam.add(id(nameOf(c)));
    sam.add(END);
    sam.add(SEPARATOR);
  }
  const encode = (s: WeightedSession) => [START, ...s.session.map((c) => ids.get(nameOf(c)) ?? -1), END];
  /** Pieces of the greedy covering (each at least one step). */
  const pieces = (seq: number[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i < seq.length; ) {
      let state = 0;
      let l = 0;
      while (i + l < seq.length) {
        const n = sam.edges(state).get(seq[i + l] as number);
        if (n === undefined) break;
        state = n;
        l++;
      }
      out.push(Math.max(1, l));
      i += Math.max(1, l);
    }
    return out;
  };
  /** Matching statistics: for each position, the longest run ending there seen in training. */
  const matching = (seq: number[]): number[] => {
    const out: number[] = [];
    let state = 0;
    let l = 0;
    for (const c of seq) {
      while (state !== 0 && !sam.edges(state).has(c)) {
        state = sam.link[state] as number;
        l = sam.len[state] as number;
      }
      const n = sam.edges(state).get(c);
      if (n === undefined) {
        state = 0;
        l = 0;
      } else {
        state = n;
        l++;
      }
      out.push(l);
    }
    return out;
  };
  return { encode, pieces, matching };
}

function metrics(d: Dataset, scores: readonly number[]): string {
  const m = evaluate(
    scores,
    d.test.map((t) => t.label),
    d.test.map((t) => t.weight ?? 1),
  );
  return `${m.auc.toFixed(3)} / ${pct(m.hitRateAtFalseAlarm["0.01"])} / ${pct(m.hitRateAtFalseAlarm["0.05"])} / F1 ${m.bestF1.toFixed(3)}`;
}

const seed = Number(process.argv[2] ?? 1);
const wanted = process.argv[3]?.split(",");
const loaders: [string, () => Dataset][] = [
  ...(existsSync(ADFA_LD) ? [["ADFA-LD", () => adfaLd(ADFA_LD, seed)] as [string, () => Dataset]] : []),
  ["strace", () => straceTraces(seed)],
  ["mixedTraces", () => mixedTraces(seed)],
  ["mixedPrograms", () => mixedPrograms(seed)],
  ["splicedLpr", () => splicedLpr(seed)],
  ["UNM lpr", () => lpr("unm", seed)],
  ["MIT lpr", () => lpr("mit", seed)],
  ["SEA", () => sea()],
  ["HDFS", () => hdfs(seed)],
];
const rows = new Map<string, string[]>();
const put = (name: string, cell: string) => rows.set(name, [...(rows.get(name) ?? []), cell]);
const sets = loaders.filter(([n]) => wanted === undefined || wanted.includes(n));
for (const [name, load] of sets) {
  const d = load();
  const c = coverer(d.train);
  const encoded = d.test.map((t) => c.encode(t));
  const pieces = encoded.map((e) => c.pieces(e));
  const ms = encoded.map((e) => c.matching(e));
  put(
    "covering: pieces per step",
    metrics(
      d,
      pieces.map((p, i) => p.length / (encoded[i] as number[]).length),
    ),
  );
  put(
    "covering: pieces",
    metrics(
      d,
      pieces.map((p) => p.length),
    ),
  );
  put(
    "covering: pieces - 1 per sqrt(steps)",
    metrics(
      d,
      pieces.map((p, i) => (p.length - 1) / Math.sqrt((encoded[i] as number[]).length)),
    ),
  );
  put(
    "matching: mean 1/(1+l)",
    metrics(
      d,
      ms.map((m) => m.reduce((a, l) => a + 1 / (1 + l), 0) / m.length),
    ),
  );
  put(
    "matching: mean -ln(l+1)",
    metrics(
      d,
      ms.map((m) => -m.reduce((a, l) => a + Math.log(1 + l), 0) / m.length),
    ),
  );
  const chain = new AdaptiveDetector(d.train, { views: ["mean"], maxOrder: 10 });
  put("chain, order chosen, mean surprise", `${metrics(d, chain.score(d.test))} (k=${chain.order})`);
  for (const method of ["reference", "markov-set"])
    put(method, metrics(d, trainDetector(method, d.train).score(d.test)));
  const base = trainDetector("markov-novelty", d.train).score(d.test);
  put("markov-novelty", metrics(d, base));
  const unseen = d.test.map(unseenView(d.train));
  put("never-seen commands alone", metrics(d, unseen));
  put(
    "markov-novelty and never-seen commands, the higher",
    metrics(
      d,
      base.map((b, i) => Math.max(b, unseen[i] as number)),
    ),
  );
  console.error(`done ${name}`);
}
console.log(`seed ${seed}\n| method | ${sets.map(([n]) => `${n} AUC / @1% / @5%`).join(" | ")} |`);
console.log(`| --- |${sets.map(() => " ---: |").join("")}`);
for (const [name, cells] of rows) console.log(`| ${name} | ${cells.join(" | ")} |`);
