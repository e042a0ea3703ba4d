// ALGORITHM.md rules for plain commands, each against numbers worked out by hand.
// Training on [["a","b"]]: C = {START, a, b, END, UNK}; smoothed seq1 = 5, 9, 9, 5, 8 (total 36);
// every smoothed seq2 row from START, a, b sums to 5 and the UNK row to 4.
import { describe, expect, it } from "vitest";
import { Model } from "../../src/index.js";

function trained() {
  const model = new Model([["a", "b"]]);
  model.train();
  return model;
}

describe("smoothing and probabilities (cmds_only)", () => {
  it("bumps seq1 twice per pair and seq2 once", () => {
    const m = trained();
    expect(Object.fromEntries(m.seq1Counts ?? [])).toEqual({
      "##START##": 5,
      "##END##": 5,
      "##UNK##": 8,
      a: 9,
      b: 9,
    });
    expect(m.seq2Counts?.get("##START##").toJSON()).toEqual({ "##END##": 1, "##UNK##": 1, a: 2, b: 1 });
    expect(m.seq2Counts?.get("b").toJSON()).toEqual({ "##END##": 2, "##UNK##": 1, a: 1, b: 1 });
    expect(m.seq2Counts?.has("##END##")).toBe(false);
  });

  it("computes priors and transitions from the smoothed counts", () => {
    const m = trained();
    expect(m.priorProbs?.get("a")).toBeCloseTo(9 / 36, 15);
    expect(m.transProbs?.get("##START##").get("a")).toBeCloseTo(0.4, 15);
    expect(m.transProbs?.get("##UNK##").get("a")).toBeCloseTo(0.25, 15);
  });

  it("has no parameter tables for plain commands", () => {
    const m = trained();
    expect(m.paramCounts).toBeNull();
    expect(m.paramCondCmdProbs).toBeNull();
    expect(m.valueCondParamProbs).toBeNull();
  });

  it("falls back to ##UNK## for unseen keys at every level", () => {
    const m = trained();
    expect(m.transProbs?.get("a").get("zzz")).toBe(m.transProbs?.get("a").get("##UNK##"));
    expect(m.transProbs?.get("zzz")).toBe(m.transProbs?.get("##UNK##"));
    expect(m.priorProbs?.get("zzz")).toBe(m.priorProbs?.get("##UNK##"));
  });
});

describe("session likelihoods", () => {
  it("multiplies START, transitions and END with tokens", () => {
    const m = trained();
    m.computeLikelihoodsOfSessions({ useStartEndTokens: true });
    expect(m.sessionLikelihoods?.[0]).toBeCloseTo(0.4 * 0.4 * 0.4, 15);
  });

  it("starts from the prior without tokens", () => {
    const m = trained();
    m.computeLikelihoodsOfSessions({ useStartEndTokens: false });
    expect(m.sessionLikelihoods?.[0]).toBeCloseTo(0.25 * 0.4, 15);
  });

  it("takes the geometric mean over the session length, tokens not counted", () => {
    const m = trained();
    m.computeGeomeanLikOfSessions();
    expect(m.sessionGeomeanLikelihoods?.[0]).toBeCloseTo(0.064 ** 0.5, 15);
  });
});

describe("rarest windows", () => {
  it("appends END, starts from START only at 0, and returns the shorter window", () => {
    const m = trained();
    m.computeRarestWindows(2);
    // windows: [a,b] from START = 0.4 * 0.4; [b, END] from the prior = 0.25 * 0.4
    expect(m.rareWindowLikelihoods.get(2)?.[0]).toBeCloseTo(0.1, 15);
    expect(m.rareWindows.get(2)?.[0]).toEqual(["b"]);
  });

  it("gives NaN and [] when the session is too short", () => {
    const m = trained();
    m.computeRarestWindows(4);
    expect(m.rareWindowLikelihoods.get(4)?.[0]).toBeNaN();
    expect(m.rareWindows.get(4)?.[0]).toEqual([]);
  });

  it("raises each window to 1/k with the geometric mean, kept apart from plain results", () => {
    const m = trained();
    m.computeRarestWindows(3, { useGeoMean: true });
    expect(m.rareWindowLikelihoodsGeo.get(3)?.[0]).toBeCloseTo(0.064 ** (1 / 3), 14);
    expect(m.rareWindowLikelihoods.has(3)).toBe(false);
  });

  it("without tokens uses the prior and no END", () => {
    const m = trained();
    m.computeRarestWindows(2, { useStartEndTokens: false });
    expect(m.rareWindowLikelihoods.get(2)?.[0]).toBeCloseTo(0.1, 15);
    expect(m.rareWindows.get(2)?.[0]).toEqual(["a", "b"]);
  });

  it("lets the first of tied windows win", () => {
    const m = new Model([["a", "a", "a", "a", "a"]]);
    m.train();
    m.computeRarestWindows(2, { useStartEndTokens: false });
    expect(m.rareWindows.get(2)?.[0]).toEqual(["a", "a"]);
    const scores = m.score([["a", "a", "a", "a", "a"]], { windowLength: 2, useStartEndTokens: false });
    expect(scores[0]?.rarestWindowStart).toBe(0);
  });

  it("computeScores fills likelihoods, geo-means and windows 2 and 3", () => {
    const m = trained();
    m.computeScores({ useStartEndTokens: true });
    expect(m.sessionLikelihoods).toHaveLength(1);
    expect(m.sessionGeomeanLikelihoods).toHaveLength(1);
    expect([...m.rareWindowLikelihoods.keys()].sort()).toEqual([2, 3]);
  });
});

describe("token-like command names are ordinary keys", () => {
  it("counts a command named ##END## like the reference (raw transitions out of END, no smoothing there)", () => {
    const m = new Model([["##END##", "a"]]);
    m.train();
    // raw: START->END, END->a, a->END; the END row is not smoothed
    expect(m.seq2Counts?.get("##END##").toJSON()).toEqual({ a: 1 });
    expect(m.transProbs?.get("##END##").get("a")).toBe(1);
  });
});
