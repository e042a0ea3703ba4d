// What a step costs given the command before it: traces of a noisy program and of a predictable one pooled
// (as a host's many programs are), the context chain's surprise beyond that expectation ranks a predictable
// trace with a foreign run above an ordinary noisy trace, where the mean surprise alone ranks them the other way.
import { describe, expect, it } from "vitest";
import { contextChainCounting, contextChainHeldOut } from "../../src/detect/context-chain.js";
import { trainInMemory } from "../../src/detect/passes.js";
import { FollowerSums, StepExpectation, StepSums } from "../../src/detect/step-expectation.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { SeqhuntError } from "../../src/errors.js";
import { programs } from "./programs.js";

const { rand, predictable, noisy, spliced } = programs(11);

const train: WeightedSession[] = [
  ...Array.from({ length: 60 }, () => ({ session: predictable(150 + Math.floor(rand() * 100)) })),
  ...Array.from({ length: 60 }, () => ({ session: noisy(150 + Math.floor(rand() * 100)) })),
];

function trained() {
  const held = trainInMemory(
    (function* () {
      return yield* contextChainHeldOut(yield* contextChainCounting(8));
    })(),
    train,
  );
  return { ...held, expectation: held.followers.at(held.chain.order) };
}

describe("StepExpectation", () => {
  it("ranks a foreign run in a predictable trace above an ordinary noisy trace, which mean surprise does not", () => {
    const { chain, expectation } = trained();
    const normal = Array.from({ length: 20 }, () => ({ session: noisy(200) }));
    const attacks = Array.from({ length: 20 }, () => ({ session: spliced() }));
    const beyond = (s: WeightedSession) => chain.meanSurprise(s) - expectation.mean(chain.vocabulary, s);
    const worstNormal = Math.max(...normal.map(beyond));
    expect(Math.min(...attacks.map(beyond))).toBeGreaterThan(worstNormal);
    // Without the expectation the noisy program's ordinary traces outrank every attack.
    const bestAttack = Math.max(...attacks.map((s) => chain.meanSurprise(s)));
    expect(Math.min(...normal.map((s) => chain.meanSurprise(s)))).toBeGreaterThan(bestAttack);
  });

  it("expects more after a noisy program's commands than after a predictable one's, everyone's after an unknown one", () => {
    const { chain, expectation } = trained();
    const following = (call: string) => expectation.byCommand[chain.vocabulary.lookup(call, -1)] as number;
    expect(following("cmd3")).toBeGreaterThan(following("fstat") + 1);
    const { vocabulary } = chain;
    expect(expectation.mean(vocabulary, { session: ["never-seen"] })).toBeCloseTo(
      (expectation.everyone + (expectation.byCommand[0] as number)) / 2,
      12,
    );
  });

  it("adds up over sessions with their weights, shrinks toward everyone's, and saves and loads its numbers", () => {
    const one = new FollowerSums(2);
    one.add(3, Float64Array.of(0.5, 0.25));
    one.add(3, Float64Array.of(0.5, 0.5));
    one.add(4, Float64Array.of(1, 1));
    const [twice, once] = [new StepSums(2), new StepSums(2)];
    twice.add(one, 1);
    twice.add(one, 1);
    once.add(one, 2);
    expect(once.at(1).toJSON()).toEqual(twice.at(1).toJSON());
    // Order 1: after command 3, 2 x (ln 4 + ln 2) over 4 steps; after 4, nothing over 2; everyone's ln 8 / 3.
    const at = once.at(1);
    expect(at.everyone).toBeCloseTo(Math.log(8) / 3, 12);
    expect(at.byCommand[3]).toBeCloseTo((7 * Math.log(8)) / 15, 12);
    expect(at.byCommand[4]).toBeCloseTo(Math.log(8) / 9, 12);
    expect(at.byCommand[0]).toBe(at.everyone);
    expect(new StepSums(2).at(1).everyone).toBe(0);
    const again = StepExpectation.fromJSON(JSON.parse(JSON.stringify(at.toJSON())));
    expect([...again.byCommand]).toEqual([...at.byCommand]);
    expect(() => StepExpectation.fromJSON({ byCommand: ["x"], everyone: 1 })).toThrow(SeqhuntError);
  });

  it("takes a vocabulary of hundreds of thousands of commands", () => {
    const many = new FollowerSums(1);
    for (let id = 0; id < 300_000; id++) many.add(id, Float64Array.of(0.5));
    const sums = new StepSums(1);
    sums.add(many, 1);
    const at = sums.at(0);
    expect(at.byCommand.length).toBe(300_000);
    expect(at.everyone).toBeCloseTo(Math.log(2), 9);
  });
});
