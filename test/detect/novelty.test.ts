// markov-novelty's parts: the count of never-seen windows (novelty mass), the held-out tail that turns a
// view's score into a rarity, and the detector that ranks long sessions by them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadDetector, trainDetector } from "../../src/detect/detector.js";
import {
  markovNoveltyDetector,
  NOVELTY_FLOOR,
  NOVELTY_WINDOW,
  noveltyExcess,
  noveltyTrust,
  windowExpectationOf,
} from "../../src/detect/markov-novelty.js";
import { Novelty } from "../../src/detect/novelty.js";
import { DEFAULT_METHOD } from "../../src/detect/registry.js";
import { Tail } from "../../src/detect/tail.js";
import { SeqhuntError } from "../../src/errors.js";

/** A seeded process of system calls: open-read-close twice, then open-write-close, over and over; a random call a `noise` share of the time. */
function calls(seed: number, noise: number) {
  let state = seed;
  const rand = () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
  const cycle = ["open", "read", "close", "open", "read", "close", "open", "write", "close"];
  const names = ["open", "read", "close", "write", "stat", "mmap"];
  return (length: number): string[] => {
    const out: string[] = [];
    for (let i = 0, c = 0; i < length; i++) {
      if (rand() < noise) out.push(names[Math.floor(rand() * names.length)] as string);
      else out.push(cycle[c++ % cycle.length] as string);
    }
    return out;
  };
}

describe("Novelty", () => {
  const view = Novelty.train(
    [{ session: ["a", "b", "c", "d"] }, { session: ["a", "b", "c", "e"], weight: 2 }],
    3,
  );

  it("counts the windows of a session never seen in training, at the edges and inside", () => {
    // ##START## a b | a b c | b c d | c d ##END##: all seen
    expect(view.count({ session: ["a", "b", "c", "d"] })).toEqual({ novel: [0, 0], windows: [2, 2] });
    // ##START## a c | a c d | c d ##END##: the first two are new
    expect(view.count({ session: ["a", "c", "d"] })).toEqual({ novel: [1, 1], windows: [2, 1] });
    // shorter than a window: the whole padded session is one window
    expect(view.count({ session: ["z"] })).toEqual({ novel: [1, 0], windows: [1, 0] });
  });

  it("scores a training session held out: one occurrence left out, or every one", () => {
    const once = { session: ["a", "b", "c", "d"] };
    const twice = { session: ["a", "b", "c", "e"], weight: 2 };
    // b c d and c d ##END## occur only in `once`
    expect(view.count(once, true).novel).toEqual([1, 1]);
    // `twice` still has its other occurrence ...
    expect(view.count(twice, true).novel).toEqual([0, 0]);
    // ... unless all of it is left out
    expect(view.count(twice, "whole").novel).toEqual([1, 1]);
  });

  it("explains its never-seen windows in user-facing words, and saves its counts", () => {
    const steps = view.explain({ session: ["a", "c", "d"] }).map((s) => s.step);
    expect(steps).toEqual([
      "session start -> a -> c: never seen in training",
      "a -> c -> d: never seen in training",
    ]);
    const loaded = Novelty.fromJSON(JSON.parse(JSON.stringify(view)));
    expect(loaded.count({ session: ["a", "c", "d"] })).toEqual(view.count({ session: ["a", "c", "d"] }));
    expect(() => Novelty.fromJSON({ window: 0, counts: [] })).toThrow(SeqhuntError);
  });

  it("saves its windows as token ids, and says what is wrong with a damaged or older save", () => {
    const json = view.toJSON();
    // Names once, each window as ids, the first session's edge windows first: ##START## a b, c d ##END##
    expect(json.names.slice(0, 6)).toEqual(["##START##", "a", "b", "c", "d", "##END##"]);
    expect(json.ids.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(json.ids).toHaveLength(json.counts.length * 3);
    // The same counts save the same, whatever order their tokens were first met in (a database's counts).
    expect(Novelty.fromCounts(3, view.counts()).toJSON()).toEqual(json);
    const short = Novelty.fromJSON(JSON.parse(JSON.stringify(Novelty.train([{ session: [] }], 3))));
    expect([...short.counts()]).toEqual([["##START##\u0000##END##", 1]]);
    expect(Novelty.fromJSON(short.toJSON()).toJSON().ids).toEqual([0, 1, -1]);
    const older = { window: 3, counts: [["a\u0000b\u0000c", 1]] };
    expect(() => Novelty.fromJSON(older)).toThrow(/train again/);
    for (const ids of [
      json.ids.map((id, i) => (i === 2 ? 1.5 : id)), // not an id
      json.ids.map((id, i) => (i === 0 ? json.names.length : id)), // past the names
      json.ids.map((id, i) => (i === 0 ? -1 : id)), // a window of padding only
      json.ids.map((id, i) => (i === 1 ? -1 : id)), // padding inside a window
      json.ids.slice(3), // a window short
    ])
      expect(() => Novelty.fromJSON({ ...json, ids })).toThrow(SeqhuntError);
    expect(() => Novelty.fromJSON({ ...json, counts: json.counts.map(() => 0) })).toThrow(SeqhuntError);
    expect(() => Novelty.fromJSON({ ...json, names: [...json.names, "a"] })).toThrow(SeqhuntError);
  });

  it.each([
    ["a few hundred commands (ids in 16 bits)", 300],
    ["more than 65,535 commands (ids widened to 32 bits)", 70_000],
  ])("crosses threads as held (its table's arrays, no window hashed again) with %s", (_, names) => {
    const sessions = Array.from({ length: 40 }, (_, i) => ({
      session: Array.from({ length: names / 20 }, (_, k) => `c${(i * 7919 + k * 31) % names}`),
      weight: 1 + (i % 3),
    }));
    const there = Novelty.train(sessions, 4);
    there.trim();
    const here = Novelty.ofParts(structuredClone(there.toParts()));
    expect(JSON.stringify(here)).toBe(JSON.stringify(there));
    const probe = [...sessions.slice(0, 5), { session: ["c1", "c2", "never", "c3"] }];
    for (const s of probe) {
      expect(here.count(s)).toEqual(there.count(s));
      expect(here.explain(s)).toEqual(there.explain(s));
    }
    // Counting on after the crossing counts as the original would.
    here.add({ session: ["c1", "new", "c2"] });
    there.add({ session: ["c1", "new", "c2"] });
    expect(JSON.stringify(here)).toBe(JSON.stringify(there));
  });

  it("counts the same when trimmed to its windows and grown again (as once counted, then added to)", () => {
    const many = Array.from({ length: 3_000 }, (_, i) => ({
      session: [`c${i % 97}`, `c${(i * 7) % 89}`, "x"],
    }));
    const trimmed = Novelty.train(many.slice(0, 1_500), 3);
    trimmed.trim();
    for (const t of many.slice(1_500)) trimmed.add(t);
    trimmed.trim();
    expect(trimmed.toJSON()).toEqual(Novelty.train(many, 3).toJSON());
  });

  it("keeps windows of more than 32,768 distinct commands apart (ids past one UTF-16 unit) and says them in words", () => {
    const many = Array.from({ length: 40_000 }, (_, i) => ({ session: [`c${i}`, `c${i + 1}`] }));
    const big = Novelty.train(many, 3);
    const json = big.toJSON();
    expect([...big.counts()].at(-1)).toEqual(["c39999\u0000c40000\u0000##END##", 1]);
    expect(Novelty.fromJSON(JSON.parse(JSON.stringify(json))).toJSON()).toEqual(json);
    expect(Novelty.fromJSON(JSON.parse(JSON.stringify(json))).counts()).toEqual(big.counts());
    // Seen in that order: nothing new; reversed: both windows new.
    expect(big.count({ session: ["c39990", "c39991"] })).toEqual({ novel: [0, 0], windows: [2, 0] });
    expect(big.count({ session: ["c39991", "c39990"] }).novel).toEqual([2, 0]);
    expect(big.explain({ session: ["c39999", "nc"] }).map((e) => e.step)).toEqual([
      "session start -> c39999 -> nc: never seen in training",
      "c39999 -> nc -> session end: never seen in training",
    ]);
  });
});

describe("Tail", () => {
  const tail = Tail.of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

  it("is -ln of the share of training scores at least as high, at each training score", () => {
    expect(tail.rarity(1)).toBeCloseTo(0, 12);
    expect(tail.rarity(6)).toBeCloseTo(-Math.log(0.5), 12);
    expect(tail.rarity(10)).toBeCloseTo(-Math.log(0.1), 12);
  });

  it("rises without ties between training scores and beyond the highest", () => {
    const xs = [0, 1.5, 5.5, 9.99, 10.5, 20, 100];
    const r = xs.map((x) => tail.rarity(x));
    for (let i = 1; i < r.length; i++) expect(r[i]).toBeGreaterThan(r[i - 1] as number);
  });

  it("weights repeated scores, and saves what it learnt", () => {
    const weighted = Tail.of([1, 2], [9, 1]);
    expect(weighted.rarity(2)).toBeCloseTo(-Math.log(0.1), 12);
    const loaded = Tail.fromJSON(JSON.parse(JSON.stringify(tail)));
    expect([3.3, 50].map((x) => loaded.rarity(x))).toEqual([3.3, 50].map((x) => tail.rarity(x)));
    expect(() => Tail.fromJSON({ scores: [1], weights: [] })).toThrow(SeqhuntError);
  });
});

describe("the default detector on long sessions", () => {
  const normal = calls(7, 0.01);
  const train = Array.from({ length: 120 }, (_, i) => ({ session: normal(100 + ((i * 13) % 80)) }));
  const test = Array.from({ length: 60 }, () => ({ session: normal(150) }));
  const base = normal(150);
  // Known steps in an order training never had (open-write-close four times running), inside an ordinary process.
  const attack = {
    session: [
      ...base.slice(0, 72),
      ...Array.from({ length: 4 }, () => ["open", "write", "close"]).flat(),
      ...base.slice(84),
    ],
  };

  it("ranks a run of known steps in a never-seen order above every normal process (novelty mass)", () => {
    const d = trainDetector(DEFAULT_METHOD, train);
    const scores = d.score([...test, attack]);
    expect(scores.at(-1)).toBeGreaterThan(Math.max(...scores.slice(0, -1)));
    expect(d.explain(attack).reason).toMatch(/^\d+ runs of 6 commands never seen in training, first /);
    // markov-set alone, the order and the set of commands, does not see it.
    const orderAndSet = trainDetector("markov-set", train).score([...test, attack]);
    expect(orderAndSet.at(-1)).toBeLessThan(Math.max(...orderAndSet.slice(0, -1)));
  });

  it("measures the count of never-seen windows against the length: long normal processes are not novel for being long", () => {
    // A noisier process, whose long sessions meet many new windows.
    const noisy = calls(3, 0.05);
    const train = Array.from({ length: 120 }, (_, i) => ({ session: noisy(100 + ((i * 13) % 80)) }));
    const view = Novelty.train(train, NOVELTY_WINDOW);
    const rates = windowExpectationOf(view, train);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    const sessions = (n: number) => Array.from({ length: 30 }, () => ({ session: noisy(n) }));
    const [short, long] = [sessions(100), sessions(1000)];
    const excess = (xs: { session: string[] }[]) =>
      median(xs.map((s) => noveltyExcess(view, rates, NOVELTY_FLOOR, s, false)));
    expect(Math.abs(excess(long) - excess(short))).toBeLessThan(1);
    // the bare count grows with the length
    const count = (xs: { session: string[] }[]) => median(xs.map((s) => view.count(s).novel[1]));
    expect(count(long)).toBeGreaterThan(count(short) + 5);
  });

  it("saves and loads with its options", () => {
    const d = markovNoveltyDetector({ window: 4, floor: 2, tailShare: 0.2 }).train(train);
    const loaded = loadDetector(JSON.parse(JSON.stringify(d)));
    expect(loaded.score([...test, attack])).toEqual(d.score([...test, attack]));
  });
});

describe("the default detector on short sessions that often hold new runs", () => {
  // Admin actions: 2-12 of five usual commands in any order (most sessions of 6 or more are new runs), and
  // ten sessions with a command of their own.
  let state = 11;
  const rand = () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
  const usual = ["get", "set", "list", "show", "add"];
  const session = () =>
    Array.from(
      { length: 2 + Math.floor(rand() * 11) },
      () => usual[Math.floor(rand() * usual.length)] as string,
    );
  const train = [
    ...Array.from({ length: 400 }, () => ({ session: session() })),
    ...Array.from({ length: 10 }, (_, i) => ({ session: ["get", `grant${i}`] })),
  ];

  it("trusts novelty little there (the demo's ranking in test/cli/commands.test.ts depends on it)", () => {
    expect(noveltyTrust(Novelty.train(train, NOVELTY_WINDOW), train)).toBeLessThan(0.5);
    const scores = markovNoveltyDetector().train(train).trainingScores();
    const top = scores
      .map((x, i) => [x, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 10)
      .map(([, i]) => i);
    expect(top.every((i) => i >= 400)).toBe(true);
  });
});

/** Novelty by its definition, windows keyed by their names: what the typed-array table must agree with. */
function definedNovelty(window: number, train: readonly { session: string[]; weight: number }[]) {
  const windowsOf = (session: readonly string[]) => {
    const tokens = ["##START##", ...session, "##END##"];
    const n = Math.min(window, tokens.length);
    const edge = new Map<string, number>();
    const inner = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join("\u0000");
      const kind = i === 0 || i + n === tokens.length ? edge : inner;
      kind.set(key, (kind.get(key) ?? 0) + 1);
    }
    return { edge, inner };
  };
  const counts = new Map<string, number>();
  for (const t of train) {
    const { edge, inner } = windowsOf(t.session);
    for (const [key, n] of [...edge, ...inner]) counts.set(key, (counts.get(key) ?? 0) + n * t.weight);
  }
  const count = (session: readonly string[], weight: number, leaveOut: boolean | "whole") => {
    const { edge, inner } = windowsOf(session);
    const tally = (windows: Map<string, number>) => {
      let novel = 0;
      let all = 0;
      for (const [key, n] of windows) {
        all += n;
        const own = leaveOut === "whole" ? n * weight : leaveOut ? n : 0;
        if ((counts.get(key) ?? 0) - own <= 0) novel += n;
      }
      return [novel, all];
    };
    const [edgeNovel, edgeAll] = tally(edge);
    const [innerNovel, innerAll] = tally(inner);
    return { novel: [edgeNovel, innerNovel], windows: [edgeAll, innerAll] };
  };
  return { counts, count };
}

describe("Novelty's window table", () => {
  it("counts and tells never-seen windows as the definition does, thousands of windows in (its arrays grown)", () => {
    const names = ["open", "read", "close", "write", "stat", "##END##", "__proto__", "x\u8000y"];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(
          fc.record({
            session: fc.array(fc.constantFrom(...names), { maxLength: 30 }),
            weight: fc.constantFrom(1, 2, 0.5),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.array(fc.constantFrom(...names, "mmap"), { maxLength: 30 }), { maxLength: 8 }),
        (window, train, scored) => {
          const view = Novelty.train(train, window);
          const defined = definedNovelty(window, train);
          expect(view.counts()).toEqual(defined.counts);
          expect([...view.counts().keys()]).toEqual([...defined.counts.keys()]);
          for (const t of train)
            for (const leaveOut of [false, true, "whole"] as const) {
              expect(view.count(t, leaveOut)).toEqual(defined.count(t.session, t.weight, leaveOut));
              // Held out and as scored from one look-up of each window: both as the definition counts them.
              expect(view.countBoth(t, leaveOut)).toEqual({
                heldOut: defined.count(t.session, t.weight, leaveOut),
                scored: defined.count(t.session, t.weight, false).novel,
              });
            }
          for (const session of scored) {
            expect(view.count({ session })).toEqual(defined.count(session, 1, false));
            expect(view.countBoth({ session }, true)).toEqual({
              heldOut: defined.count(session, 1, true),
              scored: defined.count(session, 1, false).novel,
            });
          }
          const loaded = Novelty.fromJSON(JSON.parse(JSON.stringify(view.toJSON())));
          expect(loaded.counts()).toEqual(defined.counts);
        },
      ),
      { numRuns: 60 },
    );
    // Past the table's first 1,024 windows and 2,048 slots.
    const many = Array.from({ length: 3000 }, (_, i) => ({
      session: [`c${i % 97}`, `c${i % 89}`, `c${i % 83}`],
      weight: 1,
    }));
    const view = Novelty.train(many, 3);
    const defined = definedNovelty(3, many);
    expect(view.counts().size).toBeGreaterThan(2048);
    // Past 65,535 distinct commands: the ids widen from 16 to 32 bits while counting.
    const wide = [
      { session: ["a", "b", "c"], weight: 1 },
      { session: Array.from({ length: 70_000 }, (_, i) => `n${i}`), weight: 1 },
      { session: ["a", "b", "c", "n69999", "n0"], weight: 2 },
    ];
    const widened = Novelty.train(wide, 3);
    const wideDefined = definedNovelty(3, wide);
    expect(widened.counts()).toEqual(wideDefined.counts);
    for (const t of [...wide, { session: ["n69998", "n69999", "zz"], weight: 1 }])
      for (const leaveOut of [false, true] as const)
        expect(widened.count(t, leaveOut)).toEqual(wideDefined.count(t.session, t.weight, leaveOut));
    expect(view.counts()).toEqual(defined.counts);
    for (const t of many.slice(0, 200))
      expect(view.count(t, true)).toEqual(defined.count(t.session, 1, true));
  });
});
