// The default's views, per session, from the trained detector itself (its saved state read back), with
// locality measures beside them: for the combination and locality studies, done on the numbers in Python or
// node without training again. Writes one JSON file per data set and seed into the folder given.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/locality-dump.js OUT [seeds] [sets]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { namesOf, splitState } from "../src/detect/base.js";
import { ContextChain } from "../src/detect/context-chain.js";
import { markovNoveltyDetector, noveltyExcess, savedParts } from "../src/detect/markov-novelty.js";
import type { WeightedSession } from "../src/detect/types.js";
import { END_TOKEN, START_TOKEN } from "../src/model/tokens.js";
import { studySets } from "./datasets.js";
import { idsOf } from "./views.js";

const out = process.argv[2] ?? "/tmp/locality";
const seeds = (process.argv[3] ?? "1").split(",").map(Number);
const only = process.argv[4]?.split(",");
mkdirSync(out, { recursive: true });

/** Frames (in steps) over which the locality measures take their highest. */
const FRAMES = [10, 20, 50] as const;

/** The highest sum of `xs` over any `frame` consecutive entries (the whole sum when shorter). */
function maxFrame(xs: ArrayLike<number>, frame: number): number {
  if (xs.length <= frame) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i] as number;
    return s;
  }
  let s = 0;
  for (let i = 0; i < frame; i++) s += xs[i] as number;
  let best = s;
  for (let i = frame; i < xs.length; i++) {
    s += (xs[i] as number) - (xs[i - frame] as number);
    if (s > best) best = s;
  }
  return best;
}

for (const seed of seeds)
  for (const [name, make] of studySets(seed)) {
    if (only !== undefined && !only.includes(name)) continue;
    if (name === "SEA" && seed !== seeds[0]) continue;
    const d = make();
    const t0 = performance.now();
    const detector = markovNoveltyDetector().train(d.train);
    const final = detector.score(d.test);
    const { model } = splitState("markov-novelty", detector.toJSON().state);
    const { markovSet, novelty, windows, floor, trust, tails } = savedParts(model);
    // The saved detector keeps only the chain's order and gain: the chain trained again (the same counts).
    const chain = ContextChain.train(d.train);
    const width = novelty.window;
    // Window counts of training, to place each never-seen window in the session (Novelty keeps no positions).
    const counts = new Map<string, number>();
    const keysOf = (s: WeightedSession) => {
      const t = [START_TOKEN, ...namesOf(s.session), END_TOKEN];
      const n = Math.min(width, t.length);
      const keys: string[] = [];
      for (let i = 0; i + n <= t.length; i++) keys.push(t.slice(i, i + n).join("\u0000"));
      return keys;
    };
    for (const t of d.train) for (const k of keysOf(t)) counts.set(k, (counts.get(k) ?? 0) + (t.weight ?? 1));
    const base = 1 / (chain.vocabulary.size + 1);
    const order = chain.order;
    // Held-out variance of a step's surprise by the command before it (shrunk to everyone's with one step).
    const sq = new Map<number, [number, number, number]>();
    let all = [0, 0, 0];
    for (const t of d.train) {
      const ids = idsOf(chain, t);
      const p = new Float64Array(order + 1);
      const w = t.weight ?? 1;
      chain.counts.heldOut(ids, base, p, (i, o) => {
        const x = -Math.log(o[order] as number);
        const prev = ids[i - 1] as number;
        const row = sq.get(prev) ?? [0, 0, 0];
        row[0] += w;
        row[1] += w * x;
        row[2] += w * x * x;
        sq.set(prev, row);
        all = [(all[0] as number) + w, (all[1] as number) + w * x, (all[2] as number) + w * x * x];
      });
    }
    const [n0, s0, q0] = all as [number, number, number];
    const varAll = q0 / n0 - (s0 / n0) ** 2;
    // What a step after each command costs held out, shrunk to everyone's with one step (the former step expectation).
    const expectation = {
      everyone: s0 / n0,
      of: (id: number) => {
        const row = sq.get(id);
        return row === undefined ? s0 / n0 : (row[1] + s0 / n0) / (row[0] + 1);
      },
    };
    const expect = expectation.of;
    const meanExpected = (s: WeightedSession) => {
      const ids = idsOf(chain, s);
      let sum = 0;
      for (let i = 1; i < ids.length; i++) sum += expect(ids[i - 1] as number);
      return sum / (ids.length - 1);
    };
    const varOf = (id: number) => {
      const row = sq.get(id);
      if (row === undefined) return varAll;
      const [n, s1, q] = row;
      const m = s1 / n;
      return (n * (q / n - m * m) + varAll) / (n + 1);
    };
    const features = (s: WeightedSession, leaveOut: boolean) => {
      const keys = keysOf(s);
      const own = new Map<string, number>();
      if (leaveOut) for (const k of keys) own.set(k, (own.get(k) ?? 0) + 1);
      const novel = keys.map((k): number => ((counts.get(k) ?? 0) - (own.get(k) ?? 0) <= 0 ? 1 : 0));
      const ids = idsOf(chain, s);
      const steps = new Float64Array(ids.length - 1);
      const p = new Float64Array(order + 1);
      if (leaveOut && !ids.includes(-1))
        chain.counts.heldOut(ids, base, p, (i, o) => {
          steps[i - 1] = -Math.log(o[order] as number) - expect(ids[i - 1] as number);
        });
      else
        for (let i = 1; i < ids.length; i++) {
          chain.counts.probabilities(ids, i, base, p);
          steps[i - 1] = -Math.log(p[order] as number) - expect(ids[i - 1] as number);
        }
      const rates = keys.map((k) => {
        const last = k.split("\u0000").at(-1) as string;
        const name = last;
        return windows.byLast.get(name) ?? windows.rate;
      });
      return {
        len: s.session.length,
        novel: novel.reduce((a, b) => a + b, 0),
        ...Object.fromEntries(FRAMES.map((f) => [`lfc${f}`, maxFrame(novel, f)])),
        ...Object.fromEntries(
          FRAMES.map((f) => [
            `lfe${f}`,
            maxFrame(
              novel.map((x, i) => x - (rates[i] as number)),
              f,
            ),
          ]),
        ),
        ...Object.fromEntries(FRAMES.map((f) => [`loc${f}`, maxFrame(steps, f) / Math.min(f, steps.length)])),
        maxStep: Math.max(...steps),
        zchain: (() => {
          let sum = 0;
          let v = 0;
          for (let i = 1; i < ids.length; i++) {
            sum += steps[i - 1] as number;
            v += varOf(ids[i - 1] as number);
          }
          return sum / Math.sqrt(v + 1);
        })(),
      };
    };
    const rows = (xs: readonly WeightedSession[], leaveOut: boolean) =>
      xs.map((s) => ({
        w: s.weight ?? 1,
        set: (leaveOut ? markovSet.scoreHeldOut([s]) : markovSet.score([s]))[0] as number,
        excess: noveltyExcess(novelty, windows, floor, s, leaveOut),
        beyond: chain.meanSurprise(s, leaveOut) - meanExpected(s),
        ...features(s, leaveOut),
      }));
    const test = rows(d.test, false).map((r, i) => ({
      ...r,
      label: d.test[i]?.label as number,
      final: final[i] as number,
    }));
    const train = rows(d.train, true);
    const file = join(out, `${name}-${seed}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        name,
        seed,
        trust,
        gain: chain.gain,
        order,
        tails: tails.map((t) => t.toJSON()),
        trainHeld: detector.trainingScores(),
        train,
        test,
      }),
    );
    console.log(`${file}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
