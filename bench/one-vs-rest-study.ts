// Study, not shipped: markov-set's views on SEA scored "this user against the others" (one-vs-rest, as
// masquerade detection asks) instead of against everyone, each user's own counts held out as shipped.
// Order view: the user's chain backed off to a chain of every other user's sessions. Occurrence view: the
// user's presences leaning on every other user's (spliced in by JSON; SEA's sets are all distinct, so the
// remembered sets only shift every score alike).
// Run: npx tsc -p tsconfig.bench.json && SEQHUNT_SHARED=/work/shared node bench-dist/bench/one-vs-rest-study.js
import { meanAndSpread } from "../src/detect/base.js";
import { Chain } from "../src/detect/chain.js";
import { markovSetCounting, markovSetHeldOut } from "../src/detect/markov-set.js";
import { trainInMemory } from "../src/detect/passes.js";
import { Presence } from "../src/detect/presence.js";
import type { WeightedSession } from "../src/detect/types.js";
import { evaluate } from "../src/eval/metrics.js";
import { sea } from "./datasets.js";

const d = sea();
const labels = d.test.map((t) => t.label);
const ones = d.train.map(() => 1);
const counts = trainInMemory(markovSetCounting("sum"), d.train);
const held = trainInMemory(
  markovSetHeldOut(counts, { method: "markov-set", combine: "sum", entityHeldOut: true }),
  d.train,
);
const users = [...new Set(d.train.map((s) => s.entity as string))];
const others = (u: string) => d.train.filter((s) => s.entity !== u);
const chains = new Map<string, Chain>();
const presences = new Map<string, Presence>();
for (const u of users) {
  const own = Chain.train(
    d.train.filter((s) => s.entity === u),
    1,
    true,
  ).entityCounts;
  chains.set(u, Chain.fromCounts(1, true, Chain.train(others(u), 1, false).globalCounts, own));
  const rest = Presence.train(others(u), true, "sum").toJSON();
  presences.set(u, Presence.fromJSON({ ...counts.presence.toJSON(), global: rest.global }));
}
const chainOf = (s: WeightedSession) => chains.get(s.entity as string) as Chain;
const presenceOf = (s: WeightedSession) => presences.get(s.entity as string) as Presence;

/** A view's test scores standardised by its held-out training scores. */
function standardised(train: readonly number[], test: readonly number[]): number[] {
  const { mean, spread } = meanAndSpread(train, ones);
  return test.map((x) => (x - mean) / spread);
}
/** A view against everyone (as shipped) and against the entity's counts held out ("rest"). */
interface EntityView {
  heldOutScore(s: WeightedSession): number;
  score(s: WeightedSession): number;
}
const against = (
  held: Iterable<number>,
  everyone: EntityView,
  ofEntity: (s: WeightedSession) => EntityView,
) => ({
  everyone: standardised(
    [...held],
    d.test.map((s) => everyone.score(s)),
  ),
  rest: standardised(
    d.train.map((s) => ofEntity(s).heldOutScore(s)),
    d.test.map((s) => ofEntity(s).score(s)),
  ),
});
const order = against(held.order, counts.chain, chainOf);
const occurrence = against(held.occurrence, counts.presence, presenceOf);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log("| order view against | occurrence view against | SEA AUC | hits @1% | hits @5% |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const o of ["everyone", "rest"] as const)
  for (const c of ["everyone", "rest"] as const) {
    const m = evaluate(
      order[o].map((x, i) => x + (occurrence[c][i] as number)),
      labels,
    );
    console.log(
      `| ${o} | ${c} | ${m.auc.toFixed(4)} | ${pct(m.hitRateAtFalseAlarm["0.01"])} | ${pct(m.hitRateAtFalseAlarm["0.05"])} |`,
    );
  }
