// The context chain's smoothing: interpolated modified Kneser-Ney (Chen and Goodman 1998; its three discounts
// per order from the training counts' count-of-counts, nothing tuned) against the chain's Witten-Bell, both
// scored by mean surprise per step, at the chain's chosen order and at 8. What it showed (README, "ADFA-LD"):
// at the same order Kneser-Ney ranks ADFA-LD a little better (order 4: +0.007 to +0.008 AUC, seeds 1-3), but
// not better than Witten-Bell at order 8 (bench/chain-order-study.ts), and worse on every other set (UNM's hits
// at 1% false alarms 99.9% -> 0% at seed 1; HDFS, our strace traces and the proxies lower); it is not built.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/kneser-ney-study.js [seeds] [sets]
import { namesOf, weightOf } from "../src/detect/base.js";
import { ContextChain } from "../src/detect/context-chain.js";
import type { WeightedSession } from "../src/detect/types.js";
import { rankingOf, studySets } from "./datasets.js";

const seeds = (process.argv[2] ?? "1").split(",").map(Number);
const only = process.argv[3]?.split(",");

/** Counts of what followed one context: per next command, and the context's count-of-counts (1, 2, 3+). */
interface Followers {
  readonly next: Map<string, number>;
  total: number;
  ones: number;
  twos: number;
  more: number;
}

const START = "\u0000start";
const END = "\u0000end";

/** An interpolated modified Kneser-Ney chain of context length `order` (lower orders on continuation counts). */
class KneserNey {
  /** Per context length 0..order: context (commands joined) -> followers. */
  readonly #levels: Map<string, Followers>[];
  /** Per context length: the discounts of counts 1, 2 and 3+. */
  readonly #discounts: [number, number, number][];
  readonly #vocabulary: number;

  constructor(
    train: readonly WeightedSession[],
    readonly order: number,
  ) {
    const raw = Array.from({ length: order + 1 }, () => new Map<string, Map<string, number>>());
    const extended = Array.from({ length: order + 1 }, () => new Set<string>());
    const words = new Set<string>();
    for (const t of train) {
      const s = [START, ...namesOf(t.session), END];
      for (const w of s) words.add(w);
      for (let i = 1; i < s.length; i++)
        for (let n = 0; n <= order && i - n >= 0; n++) {
          const context = s.slice(i - n, i).join("\u0001");
          const next = s[i] as string;
          // The top order counts occurrences; lower ones count distinct commands before (a context at the start has none).
          const top = n === order || i - n === 0;
          if (!top) {
            const type = `${s[i - n - 1]}\u0002${context}\u0002${next}`;
            if (extended[n]?.has(type)) continue;
            extended[n]?.add(type);
          }
          const level = raw[n] as Map<string, Map<string, number>>;
          const followers = level.get(context) ?? new Map<string, number>();
          level.set(context, followers);
          followers.set(next, (followers.get(next) ?? 0) + (top ? weightOf(t) : 1));
        }
    }
    this.#vocabulary = words.size + 1;
    this.#levels = raw.map((level) => {
      const out = new Map<string, Followers>();
      for (const [context, next] of level) {
        const f: Followers = { next, total: 0, ones: 0, twos: 0, more: 0 };
        for (const c of next.values()) {
          f.total += c;
          if (c === 1) f.ones++;
          else if (c === 2) f.twos++;
          else f.more++;
        }
        out.set(context, f);
      }
      return out;
    });
    this.#discounts = raw.map((level) => {
      const n = [0, 0, 0, 0, 0];
      for (const next of level.values())
        for (const c of next.values()) if (c <= 4) n[c] = (n[c] as number) + 1;
      const [, n1, n2, n3, n4] = n as [number, number, number, number, number];
      const y = n1 / (n1 + 2 * n2);
      const d = (k: number, nk: number, nk1: number) => k - (k + 1) * y * (nk1 / nk);
      const safe = (x: number) => (Number.isFinite(x) ? Math.min(Math.max(x, 0), 3) : 0.5);
      return [safe(d(1, n1, n2)), safe(d(2, n2, n3)), safe(d(3, n3, n4))];
    });
  }

  /** Mean surprise per step in nats, the end included. */
  meanSurprise(t: WeightedSession): number {
    const s = [START, ...namesOf(t.session), END];
    let sum = 0;
    for (let i = 1; i < s.length; i++) sum -= Math.log(this.#probability(s, i));
    return sum / (s.length - 1);
  }

  #probability(s: readonly string[], i: number): number {
    const next = s[i] as string;
    let p = 1 / this.#vocabulary;
    for (let n = 0; n <= Math.min(this.order, i); n++) {
      const f = this.#levels[n]?.get(s.slice(i - n, i).join("\u0001"));
      if (f === undefined) break;
      const [d1, d2, d3] = this.#discounts[n] as [number, number, number];
      const c = f.next.get(next) ?? 0;
      const discount = c === 0 ? 0 : c === 1 ? d1 : c === 2 ? d2 : d3;
      p = Math.max(c - discount, 0) / f.total + ((d1 * f.ones + d2 * f.twos + d3 * f.more) / f.total) * p;
    }
    return p;
  }
}

for (const seed of seeds)
  for (const [name, make] of studySets(seed)) {
    if (only !== undefined && !only.includes(name)) continue;
    const d = make();
    const show = rankingOf(d);
    const chain = ContextChain.train(d.train);
    const cells = [`Witten-Bell, order ${chain.order}: ${show(d.test.map((t) => chain.meanSurprise(t)))}`];
    for (const order of new Set([chain.order, 8])) {
      const kn = new KneserNey(d.train, order);
      cells.push(`Kneser-Ney, order ${order}: ${show(d.test.map((t) => kn.meanSurprise(t)))}`);
    }
    console.log(`${name} seed ${seed} (AUC / hits @1% / @5%): ${cells.join("; ")}`);
  }
