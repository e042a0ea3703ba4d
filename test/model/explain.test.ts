// model.explain: per-step probabilities that multiply back to the likelihood, and the parameters to blame.
import { describe, expect, it } from "vitest";
import { Cmd, Model } from "../../src/index.js";

describe("explain", () => {
  const normal = Array.from({ length: 30 }, () => [
    new Cmd("Get-Mailbox", { Identity: "bob" }),
    new Cmd("Set-Mailbox", { Identity: "bob", Force: "true" }),
  ]);
  const model = new Model(normal, { modellableParams: ["Identity"] });
  model.train();
  const attack = [
    new Cmd("Get-Mailbox", { Identity: "bob" }),
    new Cmd("New-InboxRule", { ForwardTo: "evil@example.com" }),
    new Cmd("Set-Mailbox", { Identity: "ceo" }),
  ];
  const explanation = model.explain(attack, { windowLength: 2 });

  it("gives steps whose terms multiply to the session likelihood", () => {
    const product =
      explanation.steps.reduce((p, s) => p * s.transitionProbability * s.paramProbability, 1) *
      (explanation.endProbability as number);
    expect(product).toBeCloseTo(explanation.likelihood, 15);
    const [score] = model.score([attack], { windowLength: 2 });
    expect(explanation.logLikelihood).toBe(score?.logLikelihood);
    expect(explanation.rarestWindow?.start).toBe(score?.rarestWindowStart);
  });

  it("names unseen commands, unseen parameters, unseen values and usual parameters left out", () => {
    const [first, rule, set] = explanation.steps;
    expect(first?.params).toEqual([]);
    expect(rule?.known).toBe(false);
    expect(rule?.params.map((f) => [f.kind, f.param])).toEqual([["unseen-param", "ForwardTo"]]);
    expect(set?.params.map((f) => [f.kind, f.param])).toEqual([
      ["unseen-value", "Identity"],
      ["usual-absent", "Force"],
    ]);
    expect(set?.params[0]?.value).toBe("ceo");
  });

  it("marks the rarest window and ranks the surprising step highest", () => {
    const inWindow = explanation.steps.filter((s) => s.inRarestWindow).map((s) => s.index);
    expect(inWindow).toHaveLength(2);
    const most = [...explanation.steps].sort((a, b) => b.surprise - a.surprise)[0];
    expect(most?.command).toBe("New-InboxRule");
  });

  it("uses the prior for the first step without tokens", () => {
    const e = model.explain(attack, { useStartEndTokens: false });
    expect(e.steps[0]?.previous).toBeNull();
    expect(e.steps[0]?.transitionProbability).toBeCloseTo(model.priorProbs?.get("Get-Mailbox") as number, 15);
    expect(e.endProbability).toBeNull();
  });

  it("reports a present but rare parameter", () => {
    const m = new Model([
      ...Array.from({ length: 20 }, () => [new Cmd("a", new Set<string>())]),
      [new Cmd("a", new Set(["rare"]))],
    ]);
    m.train();
    const step = m.explain([new Cmd("a", new Set(["rare"]))]).steps[0];
    expect(step?.params[0]?.kind).toBe("rare-present");
  });
});
