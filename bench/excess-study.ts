// The context chain's per-step surprise less what its context predicts a held-out step costs (the mean held-out
// surprise of training steps in that context, shrunk toward the shorter context's), averaged per session, in
// place of the mean surprise, inside the default's combination. Run: node bench-dist/bench/excess-study.js [seed]
import type { ContextChain } from "../src/detect/context-chain.js";
import { Tail } from "../src/detect/tail.js";
import type { WeightedSession } from "../src/detect/types.js";
import { studySets } from "./datasets.js";
import { addCells, idsOf, meanExcess, viewRarities } from "./views.js";

const seed = Number(process.argv[2] ?? 1);
const prior = Number(process.argv[3] ?? 1);
const cap = Number(process.argv[5] ?? 99);

const keyAt = (ids: Int32Array, i: number, k: number) => Array.from(ids.subarray(i - k, i)).join(",");

/** Per context suffix (of 0..order ids): held-out surprise sum and steps. */
function expected(chain: ContextChain, train: readonly WeightedSession[]) {
  const stats = new Map<string, [number, number]>();
  const order = chain.order;
  const out = new Float64Array(order + 1);
  const base = 1 / (chain.vocabulary.size + 1);
  for (const t of train) {
    const ids = idsOf(chain, t);
    const w = t.weight ?? 1;
    if (process.env.HELD !== "no") chain.counts.add(ids, -1);
    for (let i = 1; i < ids.length; i++) {
      chain.counts.probabilities(ids, i, base, out);
      const s = -Math.log(out[order] as number);
      for (let k = 0; k <= Math.min(order, i, cap); k++) {
        const key = keyAt(ids, i, k);
        const st = stats.get(key) ?? [0, 0];
        st[0] += w * s;
        st[1] += w;
        stats.set(key, st);
      }
    }
    if (process.env.HELD !== "no") chain.counts.add(ids, 1);
  }
  // Shrunk toward the shorter context's, root first.
  const shrunk = new Map<string, number>();
  const of = (ids: Int32Array, i: number): number => {
    let e = 0;
    for (let k = 0; k <= Math.min(order, i, cap); k++) {
      const key = keyAt(ids, i, k);
      const st = stats.get(key);
      if (st === undefined) break;
      let v = shrunk.get(key);
      if (v === undefined) {
        v = k === 0 ? st[0] / st[1] : (st[0] + prior * e) / (st[1] + prior);
        shrunk.set(key, v);
      }
      e = v;
    }
    return e;
  };
  return of;
}

function excessView(chain: ContextChain, train: readonly WeightedSession[]) {
  return meanExcess(chain, expected(chain, train));
}

const sets = studySets(seed);
const only = (process.argv[4] ?? "").split(",");
const chosen = sets.filter(([n]) => !process.argv[4] || only.includes(n));
const _pct = (x: number) => `${(100 * x).toFixed(1)}`;
const rows = new Map<string, string[]>();
for (const [name, make] of chosen) {
  const d = make();
  const { set: setR, novelty: novR, chain: chR, trust, contextChain: chain } = viewRarities(d);
  const g = chain.gain * trust;
  const ex = excessView(chain, d.train);
  const exTail = Tail.of(
    d.train.map((t) => ex(t, true)),
    d.train.map((t) => t.weight ?? 1),
  );
  const exR = d.test.map((t) => exTail.rarity(ex(t, false)));
  const combos: [string, (i: number) => number][] = [
    [
      "shipped",
      (i) => Math.max((1 - g) * (setR[i] as number), g * Math.max(novR[i] as number, chR[i] as number)),
    ],
    ["chain alone", (i) => chR[i] as number],
    ["excess alone", (i) => exR[i] as number],
    [
      "excess for chain",
      (i) => Math.max((1 - g) * (setR[i] as number), g * Math.max(novR[i] as number, exR[i] as number)),
    ],
    ["set + excess, no novelty", (i) => Math.max((1 - g) * (setR[i] as number), g * (exR[i] as number))],
    [
      "sum (1-g)set + g max(nov, ex)",
      (i) => (1 - g) * (setR[i] as number) + g * Math.max(novR[i] as number, exR[i] as number),
    ],
    [
      "max((1-g)^2 set, g max(nov, ex))",
      (i) => Math.max((1 - g) ** 2 * (setR[i] as number), g * Math.max(novR[i] as number, exR[i] as number)),
    ],
    [
      "max((1-gain)set, gain max(trust nov, ex))",
      (i) =>
        Math.max(
          (1 - chain.gain) * (setR[i] as number),
          chain.gain * Math.max(trust * (novR[i] as number), exR[i] as number),
        ),
    ],
    ["novelty alone", (i) => novR[i] as number],
    ["set alone", (i) => setR[i] as number],
    [
      "excess beside chain",
      (i) =>
        Math.max(
          (1 - g) * (setR[i] as number),
          g * Math.max(novR[i] as number, chR[i] as number, exR[i] as number),
        ),
    ],
  ];
  addCells(rows, name, d, combos);
  console.error(
    `${name} done g ${g.toFixed(3)} gain ${chain.gain.toFixed(3)} trust ${trust.toFixed(3)} order ${chain.order}`,
  );
}
console.log(`| combo | ${chosen.map(([n]) => n).join(" | ")} |`);
for (const [c, cells] of rows) console.log(`| ${c} | ${cells.join(" | ")} |`);
