import { describe, expect, it } from "vitest";
import { meanwhile, preparedJson } from "../../src/cli/meanwhile.js";
import { Cmd } from "../../src/model/cmd.js";

/** Steps that count themselves, `total` of them. */
function counted(total: number) {
  let taken = 0;
  function* work() {
    for (let i = 0; i < total; i++) {
      taken++;
      yield;
    }
  }
  return { work: work(), taken: () => taken };
}

describe("meanwhile", () => {
  it("takes steps while the promise is pending and none once it has settled", async () => {
    let settle: (v: string) => void = () => {};
    const pending = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const steps = counted(1_000_000);
    setTimeout(() => settle("done"), 20);
    expect(await meanwhile(pending, steps.work)).toBe("done");
    const taken = steps.taken();
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThan(1_000_000);
    await new Promise((r) => setTimeout(r, 10));
    expect(steps.taken()).toBe(taken);
  });

  it("stops when the work is done and waits for the promise", async () => {
    const steps = counted(3);
    const late = new Promise<number>((resolve) => setTimeout(() => resolve(7), 20));
    expect(await meanwhile(late, steps.work)).toBe(7);
    expect(steps.taken()).toBe(3);
  });

  it("rejects as the promise does", async () => {
    const failing = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("worker")), 5));
    await expect(meanwhile(failing, counted(1e9).work)).rejects.toThrow("worker");
    await expect(meanwhile(Promise.reject(new Error("now")), undefined)).rejects.toThrow("now");
  });
});

describe("preparedJson", () => {
  it("makes each item's JSON as JSON.stringify does, a step of items at a time", () => {
    const sessions = [["a"], [new Cmd("Set-User", { Identity: "x", Force: null })], ["__proto__", "b"]];
    const { texts, work } = preparedJson(sessions, (s) => s, 2);
    expect(texts).toEqual([undefined, undefined, undefined]);
    work.next();
    expect(texts.slice(0, 2)).toEqual(sessions.slice(0, 2).map((s) => JSON.stringify(s)));
    expect(texts[2]).toBeUndefined();
    work.next();
    expect(texts).toEqual(sessions.map((s) => JSON.stringify(s)));
    expect(work.next().done).toBe(true);
  });
});
