import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NGramCounts, WittenBell } from "../../src/model/ngram.js";

const sessions = fc.array(
  fc.array(fc.constantFrom("a", "b", "c", "__proto__"), { minLength: 1, maxLength: 8 }),
  { minLength: 1, maxLength: 6 },
);

/** Two session lists counted apart and together, at `order`. */
function countedApartAndTogether(
  x: readonly string[][],
  y: readonly string[][],
  order: number,
): [NGramCounts, NGramCounts, NGramCounts] {
  const a = new NGramCounts(order);
  const b = new NGramCounts(order);
  const both = new NGramCounts(order);
  for (const s of x) {
    a.add(s);
    both.add(s);
  }
  for (const s of y) {
    b.add(s);
    both.add(s);
  }
  return [a, b, both];
}

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
        const [a, b, both] = countedApartAndTogether(x, y, 2);
        a.merge(b);
        const probe = [...(x[0] ?? []), ...(y[0] ?? [])];
        expect(new WittenBell(a).surprises(probe)).toEqual(
          new WittenBell(both).surprises(probe).map((v) => expect.closeTo(v, 12)),
        );
      }),
    );
  });

  it("gives what a lookup by key text gives, also after more sessions are counted", () => {
    // The key-text lookup WittenBell did before its context index: the oracle.
    const byKey = (counts: NGramCounts, token: string, history: readonly string[]) => {
      const w = counts.tokens.lookup(token, -1);
      let p = 1 / (counts.tokens.size + 1);
      const ids = history.map((t) => counts.tokens.lookup(t, -1));
      let key = "";
      for (let k = 0; k <= counts.order && k <= ids.length; k++) {
        if (k > 0) {
          const id = ids[ids.length - k] as number;
          if (id < 0) break;
          key = key === "" ? String(id) : `${id},${key}`;
        }
        const c = counts.contexts.get(`${k}:${key}`);
        if (c === undefined) break;
        const distinct = c.next.size;
        const seen = w < 0 ? 0 : (c.next.get(w) ?? 0);
        p = (seen + distinct * p) / (c.total + distinct);
      }
      return p;
    };
    const history = fc.array(fc.constantFrom("##START##", "a", "b", "c", "__proto__", "zz"), {
      maxLength: 5,
    });
    fc.assert(
      fc.property(
        sessions,
        sessions,
        fc.integer({ min: 0, max: 3 }),
        history,
        fc.constantFrom("a", "b", "##END##", "zz"),
        (first, later, order, h, token) => {
          const counts = new NGramCounts(order);
          for (const s of first) counts.add(s);
          const wb = new WittenBell(counts);
          expect(wb.probability(token, h)).toBe(byKey(counts, token, h));
          for (const s of later) counts.add(s);
          expect(wb.probability(token, h)).toBe(byKey(counts, token, h));
        },
      ),
    );
  });

  it("ignores saved context keys no count could make (a lookup by key text never finds them)", () => {
    const counts = new NGramCounts(1);
    counts.add(["a", "b"]);
    const json = counts.toJSON();
    const a = String(counts.tokens.lookup("a", -1));
    const b = counts.tokens.lookup("b", -1);
    // "2:a" claims two ids and lists one; "1:0a" is no id as add writes it; 2^32 + a is a in 32 bits:
    // none is context a.
    const odd = NGramCounts.fromJSON({
      ...json,
      contexts: [
        ...json.contexts.filter(([k]) => k !== `1:${a}`),
        [`2:${a}`, 5, [b, 5]],
        [`1:0${a}`, 5, [b, 5]],
        [`1:${2 ** 32 + Number(a)}`, 5, [b, 5]],
      ],
    });
    const plain = NGramCounts.fromJSON({ ...json, contexts: json.contexts.filter(([k]) => k !== `1:${a}`) });
    expect(new WittenBell(odd).probability("b", ["##START##", "a"])).toBe(
      new WittenBell(plain).probability("b", ["##START##", "a"]),
    );
  });
});

describe("NGramCounts.add", () => {
  it("counts steps after contexts of no token and one token without looking their keys up again", () => {
    const counts = new NGramCounts(2);
    counts.add(["a", "b", "a"]);
    const looked: string[] = [];
    const get = counts.contexts.get.bind(counts.contexts);
    counts.contexts.get = (key: string) => {
      looked.push(key);
      return get(key);
    };
    counts.add(["a", "b", "a"], 2);
    // Only the two-token contexts are found by key text; the counts are as if counted three times at once.
    expect(looked.every((key) => key.startsWith("2:"))).toBe(true);
    const thrice = new NGramCounts(2);
    thrice.add(["a", "b", "a"], 3);
    expect(counts.toJSON()).toEqual(thrice.toJSON());
  });
});

describe("Witten-Bell over counts less another's (surprisesWithout)", () => {
  it("scores as counts of the other sessions alone, their vocabulary and contexts included", () => {
    fc.assert(
      fc.property(
        sessions,
        sessions,
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.constantFrom("a", "b", "c", "mine", "zz"), { maxLength: 6 }),
        (rest, own, order, probe) => {
          // The less counts' sessions may hold a token and contexts no other session holds.
          const [others, less, all] = countedApartAndTogether(rest, [...own, ["mine", "a", "mine"]], order);
          const got = new WittenBell(all).surprisesWithout(new WittenBell(less), probe);
          const expected = new WittenBell(others).surprises(probe);
          got.forEach((x, i) => {
            expect(x).toBeCloseTo(expected[i] as number, 10);
          });
        },
      ),
    );
  });

  it("leans below order 0 on the background it is given", () => {
    const counts = new NGramCounts(1);
    counts.add(["a", "b"]);
    const base = new WittenBell(new NGramCounts(1));
    base.counts.add(["a", "c", "b"]);
    const leaning = new WittenBell(counts, (token, history) => base.probability(token, history.slice(-1)));
    const probe = ["a", "c", "zz"];
    expect(new WittenBell(counts).surprises(probe, base.surprises(probe))).toEqual(leaning.surprises(probe));
  });
});
