import { describe, expect, it, vi } from "vitest";
import { assembleDetector, calibrationOf } from "../../src/detect/base.js";
import { Calibration } from "../../src/detect/calibration.js";
import { trainDetector } from "../../src/detect/detector.js";
import { DETECTORS } from "../../src/detect/registry.js";

// Two users with their own habits; a masquerader runs one user's habits under the other's name.
const alice = ["ls", "cd", "vim", "make", "ls", "cd", "vim", "make"];
const bob = ["mail", "grep", "sort", "mail", "grep", "sort", "mail", "grep"];
const train = [
  ...Array.from({ length: 30 }, () => ({ session: alice, entity: "alice" })),
  ...Array.from({ length: 30 }, () => ({ session: bob, entity: "bob" })),
];

describe("detectors", () => {
  it("entity-markov flags a session that fits another entity better than its own", () => {
    const d = trainDetector("entity-markov", train);
    const [own, masquerade] = d.score([
      { session: alice, entity: "alice" },
      { session: bob, entity: "alice" },
    ]);
    expect(masquerade).toBeGreaterThan(own as number);
    // the global chain alone cannot tell: both habits are normal for the population
    const g = trainDetector("markov", train);
    const [gOwn, gMasq] = g.score([{ session: alice }, { session: bob }]);
    expect(Math.abs((gOwn as number) - (gMasq as number))).toBeLessThan(0.5);
  });

  it.each([...DETECTORS.keys()])(
    "%s scores a novel session above the training ones, with a percentile",
    (method) => {
      const d = trainDetector(method, train);
      const [normal, novel] = d.score([
        { session: alice, entity: "alice" },
        { session: ["rm", "-rf", "curl", "nc"], entity: "alice" },
      ]);
      expect(novel).toBeGreaterThan(normal as number);
      expect(d.percentile(novel as number)).toBe(1);
      expect(d.percentile(Number.NEGATIVE_INFINITY)).toBe(0);
    },
  );

  it("markov-max and markov-set count a bundle of rare commands that always come together once", () => {
    const usual = ["login", "list", "logout"];
    // A rare but normal procedure of four steps, and one rarer single command.
    const bundle = ["login", "repl-ask", "repl-start", "repl-send", "repl-done", "logout"];
    const single = ["login", "wipe", "logout"];
    const data = [
      ...Array.from({ length: 200 }, () => ({ session: usual })),
      ...Array.from({ length: 4 }, () => ({ session: bundle })),
      { session: single },
    ];
    const rank = (method: string) => {
      const [b, w] = trainDetector(method, data).score([{ session: bundle }, { session: single }]);
      return (w as number) - (b as number);
    };
    // markov-max by its most surprising command, markov-set by remembering the bundle's whole set.
    expect(rank("markov-max")).toBeGreaterThan(0);
    expect(rank("markov-set")).toBeGreaterThan(0);
  });

  it("scores training sessions held out: a session seen once cannot vouch for itself, one seen often still can", () => {
    const usual = ["login", "list", "logout"];
    const often = ["login", "audit", "export", "logout"];
    const once = ["login", "grant", "export", "logout"];
    const data = [
      ...Array.from({ length: 200 }, () => ({ session: usual })),
      { session: often, weight: 5 },
      { session: once },
    ];
    const d = trainDetector("markov-set", data);
    const [inSample = 0, heldOutOften = 0, heldOutOnce = 0] = [
      ...d.score([{ session: once }]),
      ...d.trainingScores().slice(200),
    ];
    expect(heldOutOnce).toBeGreaterThan(inSample + 1);
    expect(heldOutOnce).toBeGreaterThan(heldOutOften + 1);
    expect(d.trainingScores()).toHaveLength(data.length);
  });

  it("refuses an unknown method", () => {
    expect(() => trainDetector("magic", train)).toThrow(/unknown method "magic"; the methods are/);
  });
});

describe("parameters in markov-set", async () => {
  const { Cmd } = await import("../../src/index.js");
  const normal = Array.from({ length: 40 }, (_, i) => ({
    session: [
      new Cmd("Set-Mailbox", { Identity: `box${i}`, Quota: i % 2 ? "49GB" : "99GB" }),
      new Cmd("Get-Mailbox", { Identity: `box${i}` }),
    ],
  }));
  const d = trainDetector("markov-set", normal);
  const score = (session: InstanceType<typeof Cmd>[]) => d.score([{ session }])[0] as number;
  const usual = score([
    new Cmd("Set-Mailbox", { Identity: "boxX", Quota: "49GB" }),
    new Cmd("Get-Mailbox", { Identity: "boxX" }),
  ]);

  it("penalises a parameter never seen with the command (the reference ignores it)", () => {
    const unseenParam = score([
      new Cmd("Set-Mailbox", { Identity: "boxX", Quota: "49GB", ForwardingSmtpAddress: "x@evil" }),
      new Cmd("Get-Mailbox", { Identity: "boxX" }),
    ]);
    expect(unseenParam).toBeGreaterThan(usual + 1);
  });

  it("penalises an unseen value of a categorical parameter, not of a free-text one", () => {
    const unseenValue = score([
      new Cmd("Set-Mailbox", { Identity: "boxX", Quota: "1TB" }),
      new Cmd("Get-Mailbox", { Identity: "boxX" }),
    ]);
    expect(unseenValue).toBeGreaterThan(usual + 1);
    const otherBox = score([
      new Cmd("Set-Mailbox", { Identity: "boxY", Quota: "49GB" }),
      new Cmd("Get-Mailbox", { Identity: "boxY" }),
    ]);
    expect(otherBox).toBeCloseTo(usual, 10);
  });
});

describe("a detector's calibration", () => {
  it("is sorted when first read, once: a detector inside another, never asked for percentiles, never sorts it", () => {
    const of = vi.spyOn(Calibration, "of");
    try {
      const scores = [3, 1, 2, 2, Number.NaN, 5];
      const weights = [1, 2, 1, 1, 1, 3];
      const detector = assembleDetector(
        {
          method: "test",
          view: (s) => s.session.length,
          explain: () => ({ steps: [], reason: "" }),
          state: () => null,
        },
        { trainingScores: scores, weights },
      );
      expect(of).not.toHaveBeenCalled();
      const expected = Calibration.of(scores, weights);
      of.mockClear();
      for (const x of [0, 2, 2.5, 9]) expect(detector.percentile(x)).toBe(expected.percentile(x));
      expect(detector.toJSON().state).toEqual({ model: null, calibration: expected.toJSON() });
      expect(calibrationOf(detector).toJSON()).toEqual(expected.toJSON());
      expect(of).toHaveBeenCalledTimes(1);
    } finally {
      of.mockRestore();
    }
  });

  it("of markov-novelty is the only one its training sorts (not its markov-set's, nor that one's halves')", () => {
    const of = vi.spyOn(Calibration, "of");
    try {
      const d = trainDetector("markov-novelty", train);
      d.percentile(d.trainingScores()[0] as number);
      expect(of).toHaveBeenCalledTimes(1);
    } finally {
      of.mockRestore();
    }
  });
});
