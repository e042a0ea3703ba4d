// markov-novelty's context chain: its order chosen by held-out likelihood, its mean surprise per step held
// out, and the weight that lets it and the novelty view, not markov-set's rarest step, rank long sessions.
import { describe, expect, it, vi } from "vitest";
import {
  ContextChain,
  type ContextCounts,
  contextChainCounting,
  contextChainCrossFit,
  contextChainHeldOut,
} from "../../src/detect/context-chain.js";
import { trainDetector } from "../../src/detect/detector.js";
import { contextWeight, markovNoveltyDetector } from "../../src/detect/markov-novelty.js";
import { trainInMemory } from "../../src/detect/passes.js";
import { DEFAULT_METHOD } from "../../src/detect/registry.js";
import type { WeightedSession } from "../../src/detect/types.js";
import { SeqhuntError } from "../../src/errors.js";
import { Vocabulary } from "../../src/model/vocabulary.js";

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** Routines of a program: the same few calls, each routine in its own order, so the calls before tell the next. */
const ROUTINES = [
  ["open", "fstat", "mmap", "read", "read", "close", "munmap"],
  ["open", "read", "mmap", "fstat", "close", "write", "write"],
  ["stat", "open", "write", "fstat", "write", "close", "read"],
  ["mmap", "read", "stat", "open", "close", "fstat", "write"],
];

/** A process of `length` calls: routines one after another, chosen at random, a `noise` share of calls random. */
function process(rand: () => number, length: number, noise = 0.002): string[] {
  const calls = [...new Set(ROUTINES.flat())];
  const out: string[] = [];
  while (out.length < length) {
    for (const call of ROUTINES[Math.floor(rand() * ROUTINES.length)] as string[])
      out.push(rand() < noise ? (calls[Math.floor(rand() * calls.length)] as string) : call);
  }
  return out.slice(0, length);
}

describe("ContextChain", () => {
  const rand = seeded(5);
  const train = Array.from({ length: 150 }, () => ({
    session: process(rand, 100 + Math.floor(rand() * 200)),
  }));

  it("chooses a long context where the calls before tell the next, and none where they do not", () => {
    const chain = ContextChain.train(train);
    expect(chain.order).toBeGreaterThanOrEqual(3);
    expect(chain.gain).toBeGreaterThan(0.5);
    // Calls drawn independently: no context helps, so none is chosen and it weighs nothing.
    const calls = [...new Set(ROUTINES.flat())];
    const flat = Array.from({ length: 150 }, () => ({
      session: Array.from({ length: 100 }, () => calls[Math.floor(rand() * calls.length)] as string),
    }));
    const iid = ContextChain.train(flat);
    expect(iid.order).toBeLessThanOrEqual(1);
    expect(iid.gain).toBe(0);
  });

  it("scores a training session held out: its own never-seen run is not vouched for by itself", () => {
    const odd = {
      session: [...process(rand, 100), "ptrace", "ptrace", "execve", "ptrace", ...process(rand, 100)],
    };
    const chain = ContextChain.train([...train, odd]);
    expect(chain.meanSurprise(odd, true)).toBeGreaterThan(chain.meanSurprise(odd) + 0.05);
    // loaded from a file (no training sessions kept), it leaves the session out of its counts: the same score
    const loaded = ContextChain.fromJSON(JSON.parse(JSON.stringify(chain.toJSON())));
    expect(loaded.meanSurprise(odd, true)).toBe(chain.meanSurprise(odd, true));
    expect(loaded.meanSurprise(odd)).toBe(chain.meanSurprise(odd));
  });

  it("holds each distinct session out along the trie nodes its counting found, the same numbers as looking them up", () => {
    const sessions = [...train.slice(0, 40), ...train.slice(0, 10)];
    const kept = trainInMemory(
      (function* () {
        const counted = yield* contextChainCounting(8);
        expect(counted.kept?.size).toBe(40);
        const heldOut = yield* contextChainHeldOut(counted);
        expect(counted.kept?.size).toBe(0);
        return heldOut;
      })(),
      sessions,
    );
    const lookedUp = trainInMemory(
      (function* () {
        const { vocabulary, counts } = yield* contextChainCounting(8);
        return yield* contextChainHeldOut({ vocabulary, counts });
      })(),
      sessions,
    );
    expect(kept.heldOut).toEqual(lookedUp.heldOut);
    expect(kept.chain.toJSON()).toEqual(lookedUp.chain.toJSON());
  });

  it("looks each command of a training session up once, when counting: the passes after read the ids counted", () => {
    const intern = vi.spyOn(Vocabulary.prototype, "intern");
    const lookup = vi.spyOn(Vocabulary.prototype, "lookup");
    try {
      const sessions = train.slice(0, 30).map(({ session }) => ({ session }));
      const commands = sessions.reduce((n, s) => n + s.session.length, 0);
      const { chain } = trainInMemory(
        (function* () {
          const held = yield* contextChainHeldOut(yield* contextChainCounting(8));
          yield* contextChainCrossFit(held);
          return held;
        })(),
        sessions,
      );
      for (const s of sessions) chain.meanSurprise(s);
      // Each command once, and the start and end tokens.
      expect(intern).toHaveBeenCalledTimes(commands + 2);
      expect(lookup).not.toHaveBeenCalled();
      // A session not counted is looked up, command by command (and the same copy again, as it is not kept).
      const copy = { session: [...(sessions[0] as WeightedSession).session] };
      expect(chain.meanSurprise(copy)).toBe(chain.meanSurprise(sessions[0] as WeightedSession));
      expect(lookup).toHaveBeenCalledTimes(copy.session.length);
    } finally {
      intern.mockRestore();
      lookup.mockRestore();
    }
  });

  it("lets go of its counts at every order once the chain at the chosen order is made", () => {
    const calls = [...new Set(ROUTINES.flat())];
    const flat = Array.from({ length: 60 }, () => ({
      session: Array.from({ length: 50 }, () => calls[Math.floor(rand() * calls.length)] as string),
    }));
    let counted: ContextCounts | undefined;
    const { chain } = trainInMemory(
      (function* () {
        counted = yield* contextChainCounting(8);
        return yield* contextChainHeldOut(counted);
      })(),
      flat,
    );
    expect(chain.order).toBeLessThan(8);
    expect(chain.toJSON()).toEqual(ContextChain.train(flat).toJSON());
    // The counts at every order hold nothing now (the hunt's passes after this one no longer carry them).
    expect(() => counted?.counts.toJSON()).toThrow(SeqhuntError);
  });

  it("scores by the mean per step: long and short normal processes alike", () => {
    const chain = ContextChain.train(train);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    const at = (n: number) =>
      median(Array.from({ length: 30 }, () => chain.meanSurprise({ session: process(rand, n) })));
    expect(Math.abs(at(2000) - at(100))).toBeLessThan(0.1);
  });

  it("says why in words: the context it read, the worst step; the reason alone is the explanation's", () => {
    const s = { session: [...process(rand, 80), "ptrace", ...process(rand, 80)] };
    const words = (maxOrder: number) => ContextChain.train(train, maxOrder).reason(s);
    expect(words(0)).toMatch(/per step by each command's own frequency, most at .* -> /);
    expect(words(1)).toMatch(/per step given the command before it, most at /);
    // The call no training process made is the most surprising step.
    expect(words(1)).toContain("-> ptrace");
    const chain = ContextChain.train(train);
    expect(chain.order).toBeGreaterThan(1);
    expect(chain.reason(s)).toContain(`given the ${chain.order} commands before it`);
    expect(chain.reason(s)).toBe(chain.explain(s).reason);
    // A score then its reason read the same steps as a fresh explanation; the steps handed out are copies.
    chain.meanSurprise(s);
    const steps = chain.steps(s);
    steps.fill(0);
    expect(chain.explain(s)).toEqual(ContextChain.fromJSON(chain.toJSON()).explain(s));
  });

  it("saves its counts and loads to the same scores; a damaged file is a SeqhuntError", () => {
    const chain = ContextChain.train(train);
    const loaded = ContextChain.fromJSON(JSON.parse(JSON.stringify(chain.toJSON())));
    const s = { session: [...process(rand, 80), "ptrace", ...process(rand, 80)] };
    expect(loaded.meanSurprise(s)).toBe(chain.meanSurprise(s));
    expect(loaded.order).toBe(chain.order);
    expect(loaded.explain(s)).toEqual(chain.explain(s));
    expect(() => ContextChain.fromJSON({ ...chain.toJSON(), gain: 2 })).toThrow(SeqhuntError);
    expect(() => ContextChain.fromJSON({ ...chain.toJSON(), counts: { order: 1 } })).toThrow(SeqhuntError);
  });
});

describe("the default detector on long processes", () => {
  const rand = seeded(9);
  // Ordinary processes, one of which once called ptrace.
  const train: WeightedSession[] = Array.from({ length: 200 }, (_, i) => ({
    session: [...process(rand, 150 + Math.floor(rand() * 400), 0.001), ...(i === 0 ? ["ptrace"] : [])],
  }));
  // A long ordinary process with one odd step: the call one training process made once.
  const oddStep = { session: [...process(rand, 400, 0), "ptrace", ...process(rand, 400, 0)] };
  // A payload made of ordinary calls, each pair of them as in some routine, in a loop no routine has.
  const payload = Array.from({ length: 6 }, () => ["open", "read", "stat"]).flat();
  const foreign = { session: [...process(rand, 150, 0), ...payload, ...process(rand, 150, 0)] };
  const normals = Array.from({ length: 60 }, () => ({
    session: process(rand, 150 + Math.floor(rand() * 400), 0.001),
  }));

  it("ranks a process with a foreign run above a long ordinary one with a single odd step", () => {
    const d = trainDetector(DEFAULT_METHOD, train);
    const [odd = 0, run = 0] = d.score([oddStep, foreign]);
    expect(run).toBeGreaterThan(odd);
    // markov-set alone ranks them the other way round: its rarest step fires on the odd call; so did the
    // default before the long-context weight (markov-set's rarity against the novelty's times its trust).
    const [setOdd = 0, setRun = 0] = trainDetector("markov-set", train).score([oddStep, foreign]);
    expect(setOdd).toBeGreaterThan(setRun);
  });

  it("lets the long-context views weigh most on such data, and says why in words", () => {
    const weight = contextWeight(ContextChain.train(train), 0.9);
    expect(weight).toBeGreaterThan(0.5);
    const d = trainDetector(DEFAULT_METHOD, train);
    expect(d.explain(foreign).reason).not.toMatch(/##/);
    const scores = d.score([...normals, foreign]);
    expect(scores.at(-1)).toBeGreaterThan(Math.max(...scores.slice(0, -1)));
  });

  it("keeps its options and its chain (order, gain, counts) through a save, and scores the same loaded", () => {
    const d = markovNoveltyDetector({ maxOrder: 4 }).train(train);
    const saved = JSON.parse(JSON.stringify(d.toJSON()));
    const chain = ContextChain.train(train, 4);
    // The chain's mean surprise is a view: its counts at the chosen order are what scoring reads.
    expect(saved.state.model.context).toEqual(JSON.parse(JSON.stringify(chain.toJSON())));
    const loaded = markovNoveltyDetector().load(saved.state);
    expect(loaded.score(train)).toEqual(d.score(train));
    expect(loaded.scoreHeldOut(train)).toEqual(d.scoreHeldOut(train));
    const damaged = { ...saved.state.model, context: { ...saved.state.model.context, gain: 1.5 } };
    expect(() => markovNoveltyDetector().load({ ...saved.state, model: damaged })).toThrow(SeqhuntError);
    expect(trainDetector(DEFAULT_METHOD, train).toJSON().method).toBe(saved.method);
  });
});
