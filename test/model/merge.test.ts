// Model.merge equals training on the union; it is commutative and associative.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cmd, Model } from "../../src/index.js";
import type { Session } from "../../src/types.js";
import { typedSessions } from "../helpers/arbitraries.js";
import { tableDifference } from "../helpers/tables.js";

const train = (sessions: readonly Session[], modellableParams?: string[]) => {
  const m = new Model(sessions, modellableParams ? { modellableParams } : {});
  m.train();
  return m;
};
/** Sessions split in three non-empty parts (the arbitrary gives at least one session; repeat to have three). */
const parts = typedSessions.map(({ sessions }) => {
  const all = [...sessions, ...sessions, ...sessions];
  const third = Math.ceil(all.length / 3);
  return [all.slice(0, third), all.slice(third, 2 * third), all.slice(2 * third)] as const;
});

describe("Model.merge", () => {
  it("equals training on the union", () => {
    fc.assert(
      fc.property(parts, ([a, b]) => {
        expect(tableDifference(Model.merge(train(a), train(b)), train([...a, ...b]))).toBeNull();
      }),
    );
  });

  it("is commutative and associative", () => {
    fc.assert(
      fc.property(parts, ([a, b, c]) => {
        const [ma, mb, mc] = [train(a), train(b), train(c)];
        expect(tableDifference(Model.merge(ma, mb), Model.merge(mb, ma))).toBeNull();
        expect(
          tableDifference(Model.merge(Model.merge(ma, mb), mc), Model.merge(ma, Model.merge(mb, mc))),
        ).toBeNull();
      }),
    );
  });

  it("recomputes the modellable-params heuristic on the merged counts", () => {
    const half = Array.from({ length: 12 }, (_, i) => [new Cmd("c", { p: `v${i % 2}` })]);
    expect([...(train(half).modellableParams ?? [])]).toEqual([]);
    expect([...(Model.merge(train(half), train(half)).modellableParams ?? [])]).toEqual(["p"]);
  });

  it("merges a saved model with a new one", () => {
    const a = train([["a", "b"]]);
    const b = train([["b", "c"]]);
    const merged = Model.merge(Model.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))), b);
    expect(
      tableDifference(
        merged,
        train([
          ["a", "b"],
          ["b", "c"],
        ]),
      ),
    ).toBeNull();
  });

  it("refuses different session types, different given params, and untrained models", () => {
    expect(() => Model.merge(train([["a"]]), train([[new Cmd("a", new Set())]]))).toThrow(
      /cannot merge a cmds_only model with a cmds_params_only/,
    );
    const v = [[new Cmd("a", { x: "1" })]];
    expect(() => Model.merge(train(v, ["x"]), train(v, ["y"]))).toThrow(/different caller-given modellable/);
    expect(() => Model.merge(train(v), train(v, ["x"]))).toThrow(/different caller-given modellable/);
    expect(() => Model.merge(new Model([["a"]]), train([["a"]]))).toThrow(/not trained/);
  });
});
