// The context chains' counts stored without a next-token table (chain-counts.ts) against the table they
// replaced (kept here as it was): the same probabilities at every order, the same JSON, the same truncation.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChainCounts, type ChainCountsJson } from "../../src/detect/chain-counts.js";
import { NumberTable } from "../../src/detect/number-table.js";
import { SeqhuntError } from "../../src/errors.js";

const TOKEN_SPACE = 2 ** 21;
const UNSEEN = -1;

/** The counts as they were stored before: a child table and a next-token table. */
class ListedCounts {
  /** Child of a context node extended one token further back: node * TOKEN_SPACE + token -> node. */
  private readonly child = new NumberTable();
  /** How often token followed a context: node * TOKEN_SPACE + token -> count. */
  private readonly next = new NumberTable();
  private total = new Float64Array(1024);
  private distinct = new Int32Array(1024);
  private nodes = 1;

  constructor(readonly order: number) {}

  private nodeFor(parent: number, token: number, create: boolean): number {
    const key = parent * TOKEN_SPACE + token;
    let node = this.child.get(key);
    if (node === undefined) {
      if (!create) return -1;
      node = this.nodes++;
      if (node >= this.total.length) {
        const total = new Float64Array(this.total.length * 2);
        total.set(this.total);
        this.total = total;
        const distinct = new Int32Array(this.distinct.length * 2);
        distinct.set(this.distinct);
        this.distinct = distinct;
      }
      this.child.set(key, node);
    }
    return node;
  }

  /** Adds `weight` for each step of a padded session of ids (START first, END last). */
  add(ids: Int32Array, weight: number): void {
    for (let i = 1; i < ids.length; i++) {
      const w = ids[i] as number;
      let node = 0;
      for (let k = 0; k <= this.order; k++) {
        if (k > 0) {
          if (i - k < 0) break;
          node = this.nodeFor(node, ids[i - k] as number, true);
        }
        this.total[node] = (this.total[node] as number) + weight;
        const key = node * TOKEN_SPACE + w;
        const before = this.next.get(key) ?? 0;
        const after = before + weight;
        if (before <= 0 && after > 0) this.distinct[node] = (this.distinct[node] as number) + 1;
        if (before > 0 && after <= 0) this.distinct[node] = (this.distinct[node] as number) - 1;
        // Kept at 0 (a count that will be put back): deleting and adding again churns the map.
        this.next.set(key, after);
      }
    }
  }

  /**
   * Interpolated Witten-Bell P(ids[i] | ids[..i]) at every order 0..order, into out[0..order]; orders whose
   * context was never seen repeat the lower one. `base` is the probability below order 0.
   */
  probabilities(ids: Int32Array, i: number, base: number, out: Float64Array): void {
    const w = ids[i] as number;
    let p = base;
    let node = 0;
    let k = 0;
    for (; k <= this.order; k++) {
      if (k > 0) {
        const h = i - k >= 0 ? (ids[i - k] as number) : UNSEEN;
        node = h === UNSEEN ? -1 : this.nodeFor(node, h, false);
        if (node < 0) break;
      }
      const total = this.total[node] as number;
      if (total <= 0) break;
      const distinct = this.distinct[node] as number;
      const seen = w === UNSEEN ? 0 : (this.next.get(node * TOKEN_SPACE + w) ?? 0);
      p = (seen + distinct * p) / (total + distinct);
      out[k] = p;
    }
    for (; k <= this.order; k++) out[k] = p;
  }

  /**
   * The counts of contexts of at most `order` tokens: the same probabilities at every order up to it, fewer
   * nodes. (A node's entry in `child` follows its parent's: nodes are made from the root out.)
   */
  truncated(order: number): ListedCounts {
    const out = new ListedCounts(order);
    const to = new Int32Array(this.nodes).fill(-1);
    const depth = new Int32Array(this.nodes);
    to[0] = 0;
    for (const [key, node] of this.child) {
      const parent = Math.floor(key / TOKEN_SPACE);
      depth[node] = (depth[parent] as number) + 1;
      if ((depth[node] as number) <= order && (to[parent] as number) >= 0)
        to[node] = out.nodeFor(to[parent] as number, key - parent * TOKEN_SPACE, true);
    }
    for (let node = 0; node < this.nodes; node++)
      if ((to[node] as number) >= 0) out.total[to[node] as number] = this.total[node] as number;
    for (const [key, count] of this.next) {
      const node = Math.floor(key / TOKEN_SPACE);
      const mine = to[node] as number;
      if (mine < 0 || count <= 0) continue;
      out.next.set(mine * TOKEN_SPACE + (key - node * TOKEN_SPACE), count);
      out.distinct[mine] = (out.distinct[mine] as number) + 1;
    }
    return out;
  }

  /** The counts as JSON: flat (key, node) and (key, count) pairs and each node's total. */
  toJSON(): ChainCountsJson {
    return {
      order: this.order,
      child: [...this.child].flat(),
      next: [...this.next].filter(([, n]) => n > 0).flat(),
      total: [...this.total.subarray(0, this.nodes)],
    };
  }
}

/** A padded session: START, commands (START and END may occur inside, as commands named like them), END. */
const session = (vocabulary: number) =>
  fc
    .array(
      fc.oneof({ arbitrary: fc.integer({ min: 2, max: vocabulary + 1 }), weight: 8 }, fc.constantFrom(0, 1)),
      {
        minLength: 0,
        maxLength: 40,
      },
    )
    .map((xs) => Int32Array.from([0, ...xs, 1]));

const weight = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 }), fc.constantFrom(0.5, 0.25, 1.5));

const data = fc.record({
  order: fc.integer({ min: 0, max: 8 }),
  train: fc.array(fc.tuple(session(5), weight), { minLength: 1, maxLength: 60 }),
  scored: fc.array(session(6), { minLength: 1, maxLength: 5 }),
  heldOut: fc.nat(30),
});

/** Every probability of every step of the sessions, at every order. */
function probabilities(
  counts: {
    order: number;
    probabilities: (ids: Int32Array, i: number, base: number, out: Float64Array) => void;
  },
  sessions: readonly Int32Array[],
): number[] {
  const out: number[] = [];
  const orders = new Float64Array(counts.order + 1);
  for (const s of sessions) {
    // A command never counted (id 7 here) is scored as unseen.
    const ids = s.map((id) => (id === 7 ? UNSEEN : id));
    for (let i = 1; i < ids.length; i++) {
      counts.probabilities(ids, i, 0.1, orders);
      out.push(...orders);
    }
  }
  return out;
}

describe("chain counts without a next-token table", () => {
  it("give the table's probabilities, JSON and truncations, with a session held out and put back", () => {
    fc.assert(
      fc.property(data, ({ order, train, scored, heldOut }) => {
        const listed = new ListedCounts(order);
        const counts = new ChainCounts(order);
        for (const [ids, w] of train) {
          listed.add(ids, w);
          counts.add(ids, w);
        }
        const sessions = [...train.map(([ids]) => ids), ...scored];
        expect(probabilities(counts, sessions)).toEqual(probabilities(listed, sessions));
        const out = (train[heldOut % train.length] as [Int32Array, number])[0];
        listed.add(out, -1);
        counts.add(out, -1);
        expect(probabilities(counts, sessions)).toEqual(probabilities(listed, sessions));
        listed.add(out, 1);
        counts.add(out, 1);
        expect(counts.toJSON()).toEqual(listed.toJSON());
        // heldOut: each step's probabilities with the session taken out, then put back (its nodes looked up once).
        if (!out.includes(UNSEEN)) {
          const held: number[] = [];
          counts.heldOut(out, 0.1, new Float64Array(order + 1), (_, p) => {
            held.push(...p);
          });
          listed.add(out, -1);
          expect(held).toEqual(probabilities(listed, [out]));
          listed.add(out, 1);
          expect(counts.toJSON()).toEqual(listed.toJSON());
        }
        for (let k = 0; k <= order; k++) {
          expect(counts.truncated(k).toJSON()).toEqual(listed.truncated(k).toJSON());
          expect(probabilities(counts.truncated(k), sessions)).toEqual(
            probabilities(listed.truncated(k), sessions),
          );
        }
        const loaded = ChainCounts.fromJSON(JSON.parse(JSON.stringify(listed.toJSON())));
        expect(probabilities(loaded, sessions)).toEqual(probabilities(listed, sessions));
        expect(loaded.toJSON()).toEqual(listed.toJSON());
        for (const [ids, w] of train.slice(0, 3)) {
          loaded.add(ids, w);
          listed.add(ids, w);
        }
        expect(probabilities(loaded, sessions)).toEqual(probabilities(listed, sessions));
      }),
      { numRuns: 300 },
    );
  });

  it("give the table's probabilities and JSON with thousands of nodes (its arrays grown)", () => {
    let state = 7;
    const random = () => {
      state = (state * 16807) % 2147483647;
      return state / 2147483647;
    };
    const train = Array.from({ length: 80 }, () =>
      Int32Array.from([
        0,
        ...Array.from({ length: Math.floor(random() * 40) }, () => 2 + Math.floor(random() * 4)),
        1,
      ]),
    );
    const listed = new ListedCounts(8);
    const counts = new ChainCounts(8);
    for (const [i, ids] of train.entries()) {
      listed.add(ids, 1);
      counts.add(ids, 1);
      // Trimmed to their nodes now and then (as once counted): growing again from there counts the same.
      if (i % 9 === 0) counts.trim();
    }
    expect(listed.toJSON().total.length).toBeGreaterThan(3000);
    expect(probabilities(counts, train)).toEqual(probabilities(listed, train));
    expect(counts.toJSON()).toEqual(listed.toJSON());
    const loaded = ChainCounts.fromJSON(JSON.parse(JSON.stringify(listed.toJSON())));
    expect(probabilities(loaded, train)).toEqual(probabilities(listed, train));
    expect(counts.truncated(5).toJSON()).toEqual(listed.truncated(5).toJSON());
  });

  it("taken truncated give truncated's counts and let go of their own (using them after throws)", () => {
    // Hundreds of tokens after one context (its distinct count past a byte), and a weight not whole.
    const train = [
      ...Array.from({ length: 40 }, (_, k) => Int32Array.from([0, 2 + (k % 5), 3 + (k % 3), 2, 1])),
      ...Array.from({ length: 300 }, (_, k) => Int32Array.from([0, 2, 3, 9 + k, 2, 1])),
    ];
    const made = () => {
      const counts = new ChainCounts(4);
      train.forEach((ids, i) => {
        counts.add(ids, i === 7 ? 0.5 : 1);
      });
      return counts;
    };
    for (let k = 0; k < 4; k++) {
      const counts = made();
      const expected = counts.truncated(k).toJSON();
      const taken = counts.takeTruncated(k);
      expect(taken.toJSON()).toEqual(expected);
      expect(probabilities(taken, train)).toEqual(probabilities(made().truncated(k), train));
      // Emptied, not silently read as empty counts.
      expect(() => counts.toJSON()).toThrow(SeqhuntError);
      expect(() => counts.probabilities(train[0] as Int32Array, 1, 0.1, new Float64Array(5))).toThrow(
        SeqhuntError,
      );
      expect(() => counts.add(train[0] as Int32Array, 1)).toThrow(SeqhuntError);
    }
    // At their own order they are the result, still in use.
    const counts = made();
    expect(counts.takeTruncated(4)).toBe(counts);
    expect(counts.toJSON()).toEqual(made().toJSON());
  });

  it("give the table's probabilities with hundreds of tokens after one context, one left out and put back", () => {
    const train = Array.from({ length: 300 }, (_, k) => Int32Array.from([0, 2, 3 + k, 2, 3 + (k % 7), 1]));
    const listed = new ListedCounts(2);
    const counts = new ChainCounts(2);
    for (const ids of train) {
      listed.add(ids, 1);
      counts.add(ids, 1);
    }
    const probe = [...train, Int32Array.from([0, 2, 999, 1])];
    expect(probabilities(counts, probe)).toEqual(probabilities(listed, probe));
    for (const ids of train.slice(0, 60)) {
      listed.add(ids, -1);
      counts.add(ids, -1);
    }
    expect(probabilities(counts, probe)).toEqual(probabilities(listed, probe));
    for (const ids of train.slice(0, 60)) {
      listed.add(ids, 1);
      counts.add(ids, 1);
    }
    expect(probabilities(counts, probe)).toEqual(probabilities(listed, probe));
    expect(counts.truncated(1).toJSON()).toEqual(listed.truncated(1).toJSON());
    const loaded = ChainCounts.fromJSON(JSON.parse(JSON.stringify(listed.toJSON())));
    expect(probabilities(loaded, probe)).toEqual(probabilities(listed, probe));
  });

  it("refuses saved counts whose contexts' totals disagree with their next-token counts", () => {
    const counts = new ChainCounts(2);
    counts.add(Int32Array.from([0, 2, 3, 2, 1]), 1);
    const json = counts.toJSON();
    const total = [...json.total];
    total[2] = (total[2] as number) + 1;
    expect(() => ChainCounts.fromJSON({ ...json, total } satisfies ChainCountsJson)).toThrow(SeqhuntError);
    expect(() => ChainCounts.fromJSON({ ...json, next: [...json.next, 99 * TOKEN_SPACE, 1] })).toThrow(
      SeqhuntError,
    );
  });
});
