// markov-novelty trained with its context chain's and novelty views offloaded (a worker thread's part, as structured
// clones cross threads): the detector trained in one thread, score for score to the last bit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Chain } from "../../src/detect/chain.js";
import { ChainCounts } from "../../src/detect/chain-counts.js";
import {
  contextSessionsOf,
  decodedOnce,
  markovNoveltyDetector,
  sessionsOfContext,
} from "../../src/detect/markov-novelty.js";
import { detectorEntry } from "../../src/detect/registry.js";
import type { ThreadsAtHand, WeightedSession } from "../../src/detect/types.js";
import { trustedCmd } from "../../src/model/cmd.js";

const sea = join(import.meta.dirname, "..", "fixtures", "datasets", "sea");

/** Sessions of 50 commands of SEA users 1 to 4 taking turns, each user an entity. */
const typed: WeightedSession[] = (() => {
  const users = [1, 2, 3, 4].map((u) =>
    readFileSync(join(sea, `User${u}`), "utf8")
      .trim()
      .split("\n"),
  );
  return Array.from({ length: 60 }, (_, i) => ({
    session: (users[i % 4] as string[]).slice((i >> 2) * 50, ((i >> 2) + 1) * 50),
    entity: `User${(i % 4) + 1}`,
  }));
})();

/**
 * Admin sessions with no entity (seeded): 800, four in five a routine of three commands, the others 1-6
 * commands at random. Without entities the context chain is a view, and it ranks some of the random ones
 * (its reason says why).
 */
const routines: WeightedSession[] = (() => {
  let state = 7;
  const rand = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const commands = ["Get-Mailbox", "Set-Mailbox", "New-InboxRule", "Remove-MailboxPermission", "Add-Role"];
  return Array.from({ length: 800 }, (_, i) => ({
    session:
      i % 5 !== 0
        ? commands.slice(0, 3)
        : Array.from(
            { length: 1 + Math.floor(rand() * 6) },
            () => commands[Math.floor(rand() * 5)] as string,
          ),
  }));
})();

/** Seeded commands with parameter values: `mode` categorical over all sessions, though not in each part alone. */
const valued: WeightedSession[] = (() => {
  let state = 11;
  const rand = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  return Array.from({ length: 240 }, (_, i) => ({
    session: Array.from({ length: 1 + (i % 7) }, (_, k) =>
      trustedCmd(["ls", "cat", "rm", "cp"][Math.floor(rand() * 4)] as string, {
        // 24 modes in all: more than 20, but each half (by entity parity) sees 12.
        mode: `m${(i % 2) + 2 * Math.floor(rand() * 12)}`,
        ...(k % 3 === 0 ? { user: String(Math.floor(rand() * 5)) } : {}),
        ...(rand() < 0.3 ? { force: null } : {}),
      }),
    ),
    entity: `e${i % 6}`,
  }));
})();

/**
 * Trains with the offloaded part run on a structured clone of each request, its result cloned back; the
 * requests sent and the replies.
 */
async function trainedThreaded(
  sessions: readonly WeightedSession[],
  options = {},
  threads: ThreadsAtHand = { explainsTraining: true },
) {
  const threaded = markovNoveltyDetector(options).threaded;
  if (threaded === undefined) throw new Error("markov-novelty has no threaded training");
  const requests: unknown[] = [];
  const replies: unknown[] = [];
  const { detector, explainTraining, reasonOfTraining } = await threaded.train(
    sessions,
    async (request) => {
      requests.push(request);
      // The other side is another factory: the options travel in the request.
      const elsewhere = markovNoveltyDetector().threaded;
      const reply = structuredClone(elsewhere?.work(structuredClone(request)));
      replies.push(reply);
      return reply;
    },
    threads,
  );
  return { detector, explainTraining, reasonOfTraining, requests, replies };
}

describe.each(Object.entries({ typed, routines, valued }))(
  "markov-novelty trained with its context chain and novelty views elsewhere, on %s sessions",
  (_, data) => {
    it.each([
      ["the default options", {}],
      ["a shorter longest context and another window prior", { maxOrder: 2, windowPrior: 3 }],
    ])("scores as trained in one thread, with %s", async (_, options) => {
      const whole = markovNoveltyDetector(options).train(data);
      const { detector, explainTraining, requests } = await trainedThreaded(data, options);
      // The context chain's view elsewhere, then the novelty view (queued on one worker or one in each of
      // two): only markov-set, the heaviest part, trains here.
      expect(requests.map((r) => (r as { view: string }).view)).toEqual(["context", "novelty"]);
      const [a, b] = [detector.trainingScores(), whole.trainingScores()];
      expect(a).toHaveLength(b.length);
      a.forEach((x, i) => {
        expect(Object.is(x, b[i])).toBe(true);
      });
      const probe = [...data.slice(0, 8), { session: ["never-seen", "ls"] }];
      expect(detector.score(probe)).toEqual(whole.score(probe));
      expect(probe.map((s) => detector.explain(s))).toEqual(probe.map((s) => whole.explain(s)));
      // Every training session explained (from the numbers the other threads sent, if any), as the whole explains it.
      const byIndex = data.map((s, i) => explainTraining(i, s));
      expect(byIndex).toEqual(data.map((s) => whole.explain(s)));
      expect(detector.percentile(a[3] as number)).toBe(whole.percentile(b[3] as number));
      // Every training session's reason alone, as the whole gives it, whether worked out meanwhile or after.
      const reasons = data.map((s) => whole.explain(s).reason);
      for (const explainsEvery of [false, true]) {
        const { reasonOfTraining } = await trainedThreaded(data, options, { explainsEvery });
        expect(data.map((s, i) => reasonOfTraining(i, s))).toEqual(reasons);
      }
      // The saved detector is the same, byte for byte (train writes it with threads).
      expect(JSON.stringify(detector.toJSON())).toBe(JSON.stringify(whole.toJSON()));
    });
  },
);

describe("markov-novelty trained in threads for train, which explains no training session", () => {
  it("skips the novelty excess of every training session: the same detector, byte for byte", async () => {
    const whole = markovNoveltyDetector().train(valued);
    const { detector, explainTraining, reasonOfTraining, requests, replies } = await trainedThreaded(
      valued,
      {},
      { explainsTraining: false },
    );
    // The novelty view comes back without each training session's excess.
    expect(requests.map((r) => (r as { view: string }).view)).toEqual(["context", "novelty"]);
    for (const reply of replies) expect((reply as { excess?: unknown }).excess).toBeUndefined();
    expect(JSON.stringify(detector.toJSON())).toBe(JSON.stringify(whole.toJSON()));
    // Asked anyway, it still explains as the detector does (working the excess out here).
    expect(explainTraining(5, valued[5] as WeightedSession)).toEqual(
      whole.explain(valued[5] as WeightedSession),
    );
    expect(reasonOfTraining(5, valued[5] as WeightedSession)).toBe(
      whole.explain(valued[5] as WeightedSession).reason,
    );
  });

  it("still sends the excess when training sessions will be explained (hunt)", async () => {
    const { replies } = await trainedThreaded(valued);
    expect((replies[1] as { excess?: Float64Array }).excess).toHaveLength(valued.length);
  });
});

/**
 * Calls of `spied` while every training session's reason is given after training in threads, with the other
 * threads asked for their part of every reason (`explainsEvery`) or not; and the reasons.
 */
async function callsForReasons(
  spied: { mockClear(): void; readonly mock: { readonly calls: readonly unknown[] } },
  sessions: readonly WeightedSession[],
  explainsEvery: boolean,
): Promise<{ calls: number; reasons: string[] }> {
  const { reasonOfTraining } = await trainedThreaded(sessions, {}, { explainsEvery });
  spied.mockClear();
  const reasons = sessions.map((s, i) => reasonOfTraining(i, s));
  return { calls: spied.mock.calls.length, reasons };
}

describe("markov-novelty trained in threads for hunt --out, which gives every training session's reason", () => {
  it("scores markov-set's part of each reason while the other threads train, none after", async () => {
    const steps = vi.spyOn(Chain.prototype, "steps");
    try {
      expect((await callsForReasons(steps, valued, true)).calls).toBe(0);
      // Without it each reason scores markov-set's chain once at least.
      expect((await callsForReasons(steps, valued, false)).calls).toBeGreaterThanOrEqual(valued.length);
    } finally {
      steps.mockRestore();
    }
  });

  it("has the context chain's thread send each session's mean and most surprising step: no step scored again here", async () => {
    const probabilities = vi.spyOn(ChainCounts.prototype, "probabilities");
    try {
      const { calls, reasons } = await callsForReasons(probabilities, routines, true);
      expect(reasons.filter((r) => r.startsWith("unusual throughout")).length).toBeGreaterThan(3);
      expect(calls).toBe(0);
      // Without it each reason the chain gives scores the session's steps again.
      expect((await callsForReasons(probabilities, routines, false)).calls).toBeGreaterThan(0);
    } finally {
      probabilities.mockRestore();
    }
  });
});

describe("markov-set's part of every reason, from its held-out pass", () => {
  it("works out each session's chain as scored beside it held out: scoring after only the cross-fitted halves", async () => {
    const score = vi.spyOn(Chain.prototype, "score");
    try {
      const scoredInTraining = async (explainsEvery: boolean) => {
        score.mockClear();
        await trainedThreaded(valued, {}, { explainsEvery });
        return score.mock.calls.length;
      };
      // Each session once, by the half that did not count it; as scored, in the held-out pass.
      expect(await scoredInTraining(true)).toBe(valued.length);
      expect(await scoredInTraining(false)).toBe(valued.length);
    } finally {
      score.mockRestore();
    }
  });
});

describe("the sessions the context chain's view reads", () => {
  it("decode in plain loops, without Array.from's mapping over each session's ids", () => {
    const sent = contextSessionsOf(typed);
    const from = vi.spyOn(Array, "from");
    try {
      const decoded = sessionsOfContext(sent);
      expect(from).not.toHaveBeenCalled();
      expect(decoded).toEqual(typed.map((s) => ({ session: s.session, weight: 1 })));
    } finally {
      from.mockRestore();
    }
  });

  it("are the command names and weights, in order, and nothing else", () => {
    const sessions: WeightedSession[] = [
      { session: [trustedCmd("ls", { a: "1" }), "cd", "ls"], entity: "u1", weight: 2 },
      { session: [] },
      { session: ["cd"], entity: "u2" },
    ];
    const sent = contextSessionsOf(sessions);
    expect(sent.names).toEqual(["ls", "cd"]);
    expect(sessionsOfContext(structuredClone(sent))).toEqual([
      { session: ["ls", "cd", "ls"], weight: 2 },
      { session: [], weight: 1 },
      { session: ["cd"], weight: 1 },
    ]);
  });
});

describe("a worker given both views' requests", () => {
  it("decodes their sessions once: the second equal copy takes the first's decoding, then lets it go", () => {
    const sent = contextSessionsOf(typed);
    // Whatever an earlier request left is for other sessions.
    decodedOnce(contextSessionsOf([{ session: ["earlier"] }]));
    const first = decodedOnce(structuredClone(sent));
    expect(first).toEqual(sessionsOfContext(sent));
    expect(decodedOnce(structuredClone(sent))).toBe(first);
    // Used by both views: a third request decodes again.
    expect(decodedOnce(structuredClone(sent))).not.toBe(first);
    // Other sessions (one weight differs, even only in its sign) are decoded as their own.
    const zero = contextSessionsOf([{ session: ["ls"], weight: 0 }]);
    const negativeZero = contextSessionsOf([{ session: ["ls"], weight: -0 }]);
    const zeroDecoded = decodedOnce(zero);
    const other = decodedOnce(negativeZero);
    expect(other).not.toBe(zeroDecoded);
    expect(Object.is(other[0]?.weight, -0)).toBe(true);
  });
});

describe("threaded training is the detector's own property", () => {
  it("markov-novelty has one; detectors that train in one thread only have none", () => {
    expect(detectorEntry("markov-novelty").factory().threaded).toBeDefined();
    for (const method of ["markov-set", "adaptive", "reference", "entity-markov"])
      expect(detectorEntry(method).factory().threaded).toBeUndefined();
  });
});
