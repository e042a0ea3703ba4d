import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AdaptiveDetector, type AdaptiveSession } from "../../src/detect/adaptive.js";
import { trainDetector } from "../../src/detect/detector.js";
import { detectorEntry } from "../../src/detect/registry.js";

/** A slice of UNM live lpr: 40 normal processes, then 5 attacked ones. */
const lpr = readFileSync(join(import.meta.dirname, "data", "unm-lpr-slice.txt"), "utf8")
  .trim()
  .split("\n")
  .filter((l) => !l.startsWith("#"))
  .map((l) => {
    const [label, , ...calls] = l.split(" ");
    return { label: Number(label), session: calls };
  });

const usual = ["login", "list", "read", "logout"];
const other = ["login", "read", "write", "logout"];
const train: AdaptiveSession[] = [
  ...Array.from({ length: 40 }, () => ({ session: usual })),
  ...Array.from({ length: 20 }, () => ({ session: other })),
  { session: ["login", "export", "logout"] },
  { session: ["login", "list", "list", "read", "logout"] },
];

describe("adaptive detector", () => {
  it("a one-event session of a never-seen command tops the ranking of training and one-event sessions", () => {
    const d = new AdaptiveDetector(train);
    const seen = ["login", "list", "read", "write", "logout", "export"].map((c) => ({ session: [c] }));
    const [novel, ...rest] = d.score([{ session: ["wipe"] }, ...seen]);
    for (const s of [...rest, ...d.trainingScores()]) expect(novel).toBeGreaterThan(s);
  });

  it("a never-seen command is never less surprising than the rarest seen one, wherever it stands", () => {
    const d = new AdaptiveDetector(train);
    const seen = ["login", "list", "read", "write", "logout", "export"];
    for (const base of [usual, other, ["login", "export", "logout"]]) {
      for (let at = 0; at < base.length; at++) {
        const put = (c: string) => ({ session: base.map((x, i) => (i === at ? c : x)) });
        const [novel, ...known] = d.score([put("never-seen"), ...seen.map(put)]);
        expect(novel).toBeGreaterThanOrEqual(Math.max(...(known as number[])));
      }
    }
  });

  it("a long run of ordinary steps does not outrank a short session with a never-seen command", () => {
    // Training sessions of the usual loop, 2 to 20 rounds long.
    const loop = ["open", "read", "close"];
    const sessions = Array.from({ length: 30 }, (_, i) => ({
      session: Array.from({ length: 2 + (i % 19) }, () => loop).flat(),
    }));
    const d = new AdaptiveDetector(sessions);
    const [long, short] = d.score([
      { session: Array.from({ length: 400 }, () => loop).flat() },
      { session: ["open", "unlink", "close"] },
    ]);
    expect(short).toBeGreaterThan(long as number);
    // and a long session is not excused by its length: one foreign step in it still raises its score
    const [plain, tampered] = d.score([
      { session: Array.from({ length: 100 }, () => loop).flat() },
      {
        session: [
          ...Array.from({ length: 50 }, () => loop).flat(),
          "unlink",
          ...Array.from({ length: 50 }, () => loop).flat(),
        ],
      },
    ]);
    expect(tampered).toBeGreaterThan(plain as number);
  });

  it("chooses the context length from the training data: long for a deterministic cycle, short for noise", () => {
    const cycle = ["a", "b", "a", "c", "a", "b", "a", "d"];
    const periodic = Array.from({ length: 30 }, () => ({ session: [...cycle, ...cycle, ...cycle] }));
    expect(new AdaptiveDetector(periodic).order).toBeGreaterThanOrEqual(3);
    let seed = 1;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const letters = ["a", "b", "c", "d"];
    const noise = Array.from({ length: 30 }, () => ({
      session: Array.from({ length: 20 }, () => letters[Math.floor(random() * 4)] as string),
    }));
    expect(new AdaptiveDetector(noise).order).toBeLessThanOrEqual(1);
  });

  it("scores training sessions held out: one seen once scores as if it had not been trained on", () => {
    const d = new AdaptiveDetector(train);
    // "login" and "logout" are in every training session: leaving one out must keep every score finite
    for (const x of d.trainingScores()) expect(Number.isFinite(x)).toBe(true);
    const without = new AdaptiveDetector(train.filter((t) => t.session[1] !== "export"));
    const index = train.findIndex((t) => t.session[1] === "export");
    const [alone] = without.score([train[index] as AdaptiveSession]);
    // Standardisation differs slightly between the two; the session must still stand out in both.
    expect(d.trainingScores()[index]).toBeGreaterThan(Math.max(...d.trainingScores().slice(0, 60)));
    expect(alone).toBeGreaterThan(Math.max(...without.trainingScores()));
  });

  it("ranks the attacked lpr processes above held-out normal ones (UNM slice)", () => {
    const normal = lpr.filter((p) => p.label === 0);
    const d = new AdaptiveDetector(normal.slice(0, 30));
    const scores = d.score(lpr.slice(30));
    const normals = scores.slice(0, 10);
    const attacks = scores.slice(10);
    expect(Math.min(...attacks)).toBeGreaterThan(Math.max(...normals));
  });

  it("round-trips through JSON with identical scores, and merges exactly", () => {
    const d = new AdaptiveDetector(train);
    const back = AdaptiveDetector.fromJSON(JSON.parse(JSON.stringify(d)));
    const probe = [{ session: usual }, { session: ["wipe"] }, { session: other, entity: "x" }];
    const people = train.map((t, i) => ({ ...t, entity: i % 2 === 0 ? "ann" : "bo" }));
    const withEntities = new AdaptiveDetector(people);
    expect(AdaptiveDetector.fromJSON(JSON.parse(JSON.stringify(withEntities))).score(people)).toEqual(
      withEntities.score(people),
    );
    expect(back.score(probe)).toEqual(d.score(probe));
    const merged = new AdaptiveDetector(train.slice(0, 30)).merge(new AdaptiveDetector(train.slice(30)));
    expect(merged.score(probe)).toEqual(d.score(probe));
    expect(() => AdaptiveDetector.fromJSON({ format: "other" } as never)).toThrow(/adaptive model/);
  });

  it("is the `adaptive` method of trainDetector, with percentiles from held-out training scores", () => {
    const d = trainDetector("adaptive", train);
    const [novel] = d.score([{ session: ["wipe"] }]);
    expect(d.method).toBe("adaptive");
    expect(d.percentile(novel as number)).toBe(1);
    expect(d.trainingScores()).toHaveLength(train.length);
  });

  it("is registered as mergeable: the registry saves, loads and merges it exactly", () => {
    const factory = detectorEntry("adaptive").factory();
    const d = factory.train(train);
    const probe = [{ session: usual }, { session: ["wipe"] }];
    const loaded = factory.load(JSON.parse(JSON.stringify(d.toJSON())).state);
    expect(loaded.score(probe)).toEqual(d.score(probe));
    const merged = factory.merge?.(factory.train(train.slice(0, 30)), factory.train(train.slice(30)));
    expect(merged?.score(probe)).toEqual(d.score(probe));
    expect(d.explain({ session: ["login", "wipe"] }).reason).toBe(
      "rarest step: wipe (never seen in training)",
    );
  });
});
