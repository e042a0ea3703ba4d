// ModelBuilder: sessions one at a time (in batches internally) give the model of training on all of them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cmd, Model, ModelBuilder } from "../../src/index.js";
import { typedSessions } from "../helpers/arbitraries.js";
import { tableDifference } from "../helpers/tables.js";

describe("ModelBuilder", () => {
  it("equals training on all the sessions", () => {
    fc.assert(
      fc.property(typedSessions, ({ sessions }) => {
        const builder = new ModelBuilder();
        for (const s of sessions) builder.add(s);
        const m = new Model(sessions);
        m.train();
        const built = builder.build();
        expect(tableDifference(built, m)).toBeNull();
        expect(built.score(sessions, { windowLength: 2 })).toEqual(m.score(sessions, { windowLength: 2 }));
      }),
    );
  });

  it("counts across its internal batches, and a weight counts as repeats", () => {
    const sessions = Array.from({ length: 10_000 }, (_, i) => [`c${i % 7}`, `c${(i * 3) % 5}`]);
    const builder = new ModelBuilder();
    for (const s of sessions) builder.add(s);
    const m = new Model(sessions);
    m.train();
    expect(tableDifference(builder.build(), m)).toBeNull();
    const weighted = new ModelBuilder();
    weighted.add(["a", "b"], 3);
    const repeated = new Model([
      ["a", "b"],
      ["a", "b"],
      ["a", "b"],
    ]);
    repeated.train();
    expect(tableDifference(weighted.build(), repeated)).toBeNull();
  });

  it("finish gives build's model and lets go of the counts: it takes no more sessions", () => {
    const sessions = Array.from({ length: 5_000 }, (_, i) => [`c${i % 7}`, `c${(i * 3) % 5}`]);
    const builder = new ModelBuilder();
    for (const s of sessions) builder.add(s);
    const built = builder.build();
    const finished = builder.finish();
    expect(tableDifference(finished, built)).toBeNull();
    expect(finished.score(sessions, { windowLength: 2 })).toEqual(built.score(sessions, { windowLength: 2 }));
    expect(() => builder.add(["a"])).toThrow(/finished/);
    expect(() => builder.build()).toThrow(/finished/);
  });

  it("refuses mixed session types, naming the session, and an empty build", () => {
    const builder = new ModelBuilder();
    builder.add(["a"]);
    expect(() => builder.add([new Cmd("a", new Set())])).toThrow(
      /session 1, command 0 is of type cmds_params_only/,
    );
    expect(() => new ModelBuilder().build()).toThrow(/no sessions/);
    expect(() => new ModelBuilder().add(["a"], 0)).toThrow(/weight must be a number > 0/);
  });
});
