import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NGramCounts, WittenBell } from "../../src/model/ngram.js";

const sessions = fc.array(
  fc.array(fc.constantFrom("a", "b", "c", "__proto__"), { minLength: 1, maxLength: 8 }),
  { minLength: 1, maxLength: 6 },
);

describe("Witten-Bell n-grams", () => {
  it("gives probabilities that sum to 1 over the vocabulary and the unseen token", () => {
    fc.assert(
      fc.property(
        sessions,
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.constantFrom("##START##", "a", "b", "zz"), { maxLength: 3 }),
        (train, order, history) => {
          const counts = new NGramCounts(order);
          for (const s of train) counts.add(s);
          const wb = new WittenBell(counts);
          const vocab = counts.tokens.list().filter((t) => t !== "##START##");
          const seen = vocab.reduce((sum, t) => sum + wb.probability(t, history), 0);
          // the unseen token's share is what the uniform base leaves: exactly one slot of it
          const unseen = wb.probability("never-seen", history);
          expect(seen + unseen + wb.probability("##START##", history)).toBeCloseTo(1, 10);
        },
      ),
    );
  });

  it("matches a hand-worked first-order example", () => {
    const counts = new NGramCounts(1);
    counts.add(["a", "b"]);
    // tokens: START, END, a, b -> uniform base 1/5; order 0 saw a, b, END once each (3 distinct of 3)
    const wb = new WittenBell(counts);
    const p0 = (1 + 3 * (1 / 5)) / (3 + 3);
    // context a: saw b once (1 distinct)
    expect(wb.probability("b", ["##START##", "a"])).toBeCloseTo((1 + 1 * p0) / (1 + 1), 12);
  });

  it("merges exactly: merged counts score like counts of the union", () => {
    fc.assert(
      fc.property(sessions, sessions, (x, y) => {
        const a = new NGramCounts(2);
        const b = new NGramCounts(2);
        const both = new NGramCounts(2);
        for (const s of x) {
          a.add(s);
          both.add(s);
        }
        for (const s of y) {
          b.add(s);
          both.add(s);
        }
        a.merge(b);
        const probe = [...(x[0] ?? []), ...(y[0] ?? [])];
        expect(new WittenBell(a).surprises(probe)).toEqual(
          new WittenBell(both).surprises(probe).map((v) => expect.closeTo(v, 12)),
        );
      }),
    );
  });
});
