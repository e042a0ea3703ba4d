// The default without its chain view (before December 3) beside a chain's whole-session surprise (mean per
// step, or total standardised for length; argument 4) as a third view, by several rules and weights: an
// AdaptiveDetector's chain (order chosen per entity where sessions have one) cross-fitted over the first and
// second halves of training, markov-novelty's own context chain (one for every entity) likewise, and as
// shipped (halves of every other session at the whole's order, contextChainCrossFit). What it showed (README,
// "ADFA-LD"): everyone's chain costs SEA's hits @1% (so no chain view where sessions have entities), the
// halves of the first and second half hid an HDFS loss that halves of every other session show (F1 0.972 ->
// 0.965 at weight 1 - w), weight 1 - trust keeps every other set as it was, and markov-set weighing the rest
// (trust x (1 - gain)) lifts ADFA-LD to the chain's own figures but costs HDFS's F1 at every seed.
// Run: npx tsc -p tsconfig.bench.json && node bench-dist/bench/chain-view-study.js [seeds] [sets] [mean|total]
import { AdaptiveDetector } from "../src/detect/adaptive.js";
import { ContextChain, contextChainCrossFit } from "../src/detect/context-chain.js";
import { wholeBeyondTop } from "../src/detect/markov-novelty.js";
import { trainInMemory } from "../src/detect/passes.js";
import { Tail } from "../src/detect/tail.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate } from "../src/eval/metrics.js";
import { studySets } from "./datasets.js";
import { defaultViews } from "./default-views.js";

const seeds = (process.argv[2] ?? "1").split(",").map(Number);
const only = process.argv[3]?.split(",");
const view = (process.argv[4] ?? "total") as "total" | "mean";
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rows = new Map<string, string[]>();
const heads: string[] = [];
for (const seed of seeds)
  for (const [name, make] of studySets(seed)) {
    if (only !== undefined && !only.includes(name)) continue;
    const d = make();
    const { detector, parts, w, withoutChain: base, set, novelty } = defaultViews(d.train, d.test);
    const shipped = detector.score(d.test);
    const { context, trust } = parts;
    // Each half of training scored by a chain trained on the other (the first and second half).
    const half = Math.floor(d.train.length / 2);
    const [p0, p1] = [d.train.slice(0, half), d.train.slice(half)];
    const weightsOf = (xs: readonly WeightedSession[]) => xs.map((s) => s.weight ?? 1);
    const halvesTail = (scorer: (fit: WeightedSession[]) => (out: WeightedSession[]) => number[]) =>
      Tail.of([...scorer(p0)(p1), ...scorer(p1)(p0)], weightsOf([...p1, ...p0]));
    // The chain view of the study: AdaptiveDetector's.
    const chain = new AdaptiveDetector(d.train, { views: [view] });
    const tail = halvesTail((fit) => (out) => new AdaptiveDetector(fit, { views: [view] }).score(out));
    const c = chain.score(d.test).map((x) => tail.rarity(x));
    // markov-novelty's own context chain (one for every entity), its mean surprise cross-fitted the same way.
    const whole = ContextChain.train(d.train);
    const contextTail = halvesTail((fit) => {
      const k = ContextChain.train(fit);
      return (out) => out.map((s) => k.meanSurprise(s));
    });
    const cx = d.test.map((s) => contextTail.rarity(whole.meanSurprise(s)));
    // Shipped cross-fitting (contextChainCrossFit: halves of every other session, at the whole's order) over
    // training in `order`.
    const shippedHalves = (order: WeightedSession[]) => {
      const scores = trainInMemory(
        contextChainCrossFit({ chain: whole, heldOut: new Float64Array(order.length) }),
        order,
      );
      const t = Tail.of(scores, weightsOf(order));
      return d.test.map((s) => t.rarity(whole.meanSurprise(s)));
    };
    const ca = shippedHalves(d.train);
    // The same halves as the study's own (the first and second half of training), interleaved.
    const interleaved = p0.flatMap((s, i) => (i < p1.length ? [s, p1[i] as WeightedSession] : [s]));
    if (p1.length > p0.length) interleaved.push(...p1.slice(p0.length));
    const cs = shippedHalves(interleaved);
    heads.push(
      `${name} ${seed} (w ${w.toFixed(2)}, trust ${trust.toFixed(2)}, gain ${context.gain.toFixed(2)}, k ${chain.order})`,
    );
    const labels = d.test.map((t) => t.label);
    const weights = d.test.map((t) => t.weight ?? 1);
    const rules: [string, number[]][] = [
      ["shipped (with the chain view)", shipped],
      ["default without the chain view", base],
      ["chain view alone", c],
      ["max(default, chain)", base.map((b, i) => Math.max(b, c[i] as number))],
      ["max(default, (1 - w) chain)", base.map((b, i) => Math.max(b, (1 - w) * (c[i] as number)))],
      [
        "max(default, (1 - gain) chain)",
        base.map((b, i) => Math.max(b, (1 - context.gain) * (c[i] as number))),
      ],
      ["default + chain", base.map((b, i) => b + (c[i] as number))],
      ["context chain alone", cx],
      ["max(default, (1 - w) context chain)", base.map((b, i) => Math.max(b, (1 - w) * (cx[i] as number)))],
      [
        "halves of every other session at the whole's order, weight 1 - w",
        base.map((b, i) => Math.max(b, (1 - w) * (ca[i] as number))),
      ],
      [
        "first and second halves at the whole's order",
        base.map((b, i) => Math.max(b, (1 - w) * (cs[i] as number))),
      ],
      [
        "halves of every other session, weight 1 - trust (shipped)",
        base.map((b, i) => Math.max(b, (1 - trust) * (ca[i] as number))),
      ],
      [
        "shipped, markov-set weighing 1 - w - (1 - trust) up to its top",
        shipped.map((_, i) => {
          const c = parts.chainView ? 1 - trust : 0;
          return Math.max(
            w * (novelty[i] as number),
            wholeBeyondTop(set[i] as number, parts.tails[0].top, Math.max(0, 1 - w - c)),
            c * (ca[i] as number),
          );
        }),
      ],
      [
        "halves of every other session, weight (1 - w)(1 - trust)",
        base.map((b, i) => Math.max(b, (1 - w) * (1 - trust) * (ca[i] as number))),
      ],
    ];
    for (const [rule, s] of rules) {
      const m = evaluate(s, labels, weights);
      rows.set(rule, [
        ...(rows.get(rule) ?? []),
        `${m.auc.toFixed(3)} / ${pct(m.hitRateAtFalseAlarm["0.01"])} / ${pct(m.hitRateAtFalseAlarm["0.05"])} / F1 ${m.bestF1.toFixed(3)}`,
      ]);
    }
    console.error(`done ${name} ${seed}`);
  }
console.log(`| rule (AUC / @1% / @5% / F1) | ${heads.join(" | ")} |`);
console.log(`| --- |${heads.map(() => " ---: |").join("")}`);
for (const [rule, cells] of rows) console.log(`| ${rule} | ${cells.join(" | ")} |`);
