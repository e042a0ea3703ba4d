// Values of parameters with too many distinct values to be modellable are counted only when a table asks:
// the model must be the same as counting every value at once (ModelBuilder counts eagerly).
import { describe, expect, it } from "vitest";
import { rng } from "../../src/demo/generate.js";
import { Cmd, Model, ModelBuilder } from "../../src/index.js";
import type { Session } from "../../src/types.js";
import { tableDifference } from "../helpers/tables.js";

/** Sessions with a free-text parameter, a modellable one, one at exactly 20 and one at 21 distinct values. */
function sessions(seed: number, count: number): Session[] {
  const random = rng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + pick(6) }, () => {
      const params: Record<string, string | null> = {
        Identity: `id-${pick(5000)}`,
        Level: ["low", "high", "__proto__"][pick(3)] as string,
        Twenty: `t${pick(20)}`,
        TwentyOne: `u${pick(21)}`,
      };
      if (random() < 0.2) params.Note = random() < 0.5 ? null : "";
      if (random() < 0.3) delete params.Identity;
      return new Cmd(`Op${pick(4)}`, params);
    }),
  );
}

const eager = (data: Session[]) => {
  const builder = new ModelBuilder();
  for (const s of data) builder.add(s);
  return builder.build();
};
const trained = (data: Session[]) => {
  const m = new Model(data);
  m.train();
  return m;
};

describe("values held back while training", () => {
  it.each([1, 2, 3])("give the same tables, modellable parameters and scores (seed %i)", (seed) => {
    const data = sessions(seed, 400);
    const m = trained(data);
    const reference = eager(data);
    // Scores first: they must not need the held-back values.
    expect(m.score(data, { windowLength: 2 })).toEqual(reference.score(data, { windowLength: 2 }));
    expect([...(m.modellableParams ?? [])].sort()).toEqual(["Level", "Twenty"]);
    expect(tableDifference(m, reference)).toBeNull();
    expect(m.valueCounts?.get("id-17")).toBe(reference.valueCounts?.get("id-17"));
  });

  it("score new sessions the same after they were counted (their ids come after the modelled values')", () => {
    const data = sessions(8, 400);
    const m = trained(data);
    const reference = eager(data);
    expect(tableDifference(m, reference)).toBeNull();
    // Free-text values counted late, given to a modelled parameter: unseen there, so ##UNK##.
    const fresh = Array.from({ length: 50 }, (_, i) => [
      new Cmd("Op1", { Level: `id-${i * 97}`, Twenty: "t3" }),
      new Cmd("Op2", { Level: "low", Twenty: `u${i % 21}` }),
    ]);
    expect(m.score(fresh, { windowLength: 2 })).toEqual(reference.score(fresh, { windowLength: 2 }));
  });

  it("are all counted when there are tens of thousands of them", () => {
    const data = sessions(9, 6000);
    expect(tableDifference(trained(data), eager(data))).toBeNull();
  });

  it("are in the saved model, even when it is saved before any table is read", () => {
    const data = sessions(4, 300);
    const m = trained(data);
    const saved = Model.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(tableDifference(saved, eager(data))).toBeNull();
    // The model's own tables, read after saving, are complete too.
    expect(tableDifference(m, eager(data))).toBeNull();
  });

  it("are counted when models merge", () => {
    const a = sessions(5, 200);
    const b = sessions(6, 200);
    const merged = Model.merge(trained(a), trained(b));
    expect(tableDifference(merged, eager([...a, ...b]))).toBeNull();
  });

  it("are not held back when the caller names the modellable parameters", () => {
    const data = sessions(7, 200);
    const m = new Model(data, { modellableParams: ["Identity"] });
    m.train();
    const builder = new ModelBuilder({ modellableParams: ["Identity"] });
    for (const s of data) builder.add(s);
    const reference = builder.build();
    expect(m.score(data, { windowLength: 2 })).toEqual(reference.score(data, { windowLength: 2 }));
    expect(tableDifference(m, reference)).toBeNull();
  });
});
