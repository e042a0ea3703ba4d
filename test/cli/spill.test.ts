// A hunt over spilled sessions (two passes, memory bounded by the model) gives the in-memory hunt's output.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { CliSession } from "../../src/cli/sessions.js";
import { SpilledSessions } from "../../src/cli/spill.js";
import { Cmd } from "../../src/index.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { DEMO_CSV } from "../helpers/shared.js";

const dir = tempDir();
const demo = DEMO_CSV;
// Only the reference ranks in two passes (other detectors hold every session).
const cols = [
  "--user",
  "UserId,ClientIP",
  "--time",
  "TimeGenerated",
  "--event",
  "Operation",
  "--method",
  "reference",
];

async function huntIn(mode: "memory" | "spill", args: string[], out: string) {
  const run = await runCli(["hunt", demo, ...cols, ...args, "--top", "7", "--out", out], {
    env: {
      SEQHUNT_HUNT_MODE: mode,
    },
  });
  expect(run.code).toBe(0);
  return { stdout: run.stdout, file: readFileSync(out, "utf8") };
}

describe("hunt over spilled sessions", () => {
  for (const [mode, ext] of [
    ["none", "jsonl"],
    ["names", "csv"],
    ["values", "json"],
  ] as const) {
    it(`prints and writes what the in-memory hunt does (${mode}, .${ext})`, async () => {
      const args = ["--params", "Parameters", "--param-mode", mode];
      const memory = await huntIn("memory", args, join(dir, `memory-${mode}.${ext}`));
      const spilled = await huntIn("spill", args, join(dir, `spill-${mode}.${ext}`));
      expect(spilled.file).toBe(memory.file);
      expect(spilled.stdout).toBe(memory.stdout);
      expect(memory.file.length).toBeGreaterThan(10_000);
    });
  }

  it("writes the same report", async () => {
    const report = async (mode: "memory" | "spill") => {
      const path = join(dir, `report-${mode}.html`);
      const run = await runCli(["hunt", demo, ...cols, "--quiet", "--report", path], {
        env: {
          SEQHUNT_HUNT_MODE: mode,
        },
      });
      expect(run.code).toBe(0);
      // The report says when it was made: that alone may differ.
      return readFileSync(path, "utf8").replace(/"generated":"[^"]*"/, '"generated":""');
    };
    const memory = await report("memory");
    expect(memory).toContain('"generated":""');
    expect(await report("spill")).toBe(memory);
  });

  it("scores against a saved model too", async () => {
    const model = join(dir, "model.json");
    expect((await runCli(["train", demo, ...cols, "--out", model, "--quiet"])).code).toBe(0);
    const args = ["--model", model, "--window", "2", "--geo-mean"];
    const memory = await huntIn("memory", args, join(dir, "memory-model.jsonl"));
    const spilled = await huntIn("spill", args, join(dir, "spill-model.jsonl"));
    expect(spilled.file).toBe(memory.file);
  });
});

describe("hunt over spilled sessions with the default detector (trained in passes over the spill)", () => {
  const defaults = cols.slice(0, -2);
  const hunt = async (mode: "memory" | "spill", args: string[]) => {
    const reads = vi.spyOn(SpilledSessions.prototype, "batches");
    try {
      const run = await runCli(["hunt", demo, ...defaults, ...args], { env: { SEQHUNT_HUNT_MODE: mode } });
      expect(run.code).toBe(0);
      // Spilled: four passes to train the detector, one to score with the reference; in memory none.
      expect(reads).toHaveBeenCalledTimes(mode === "spill" ? 5 : 0);
      return run;
    } finally {
      reads.mockRestore();
    }
  };

  for (const [params, ext, entity] of [
    ["names", "csv", []],
    ["values", "jsonl", ["--entity", "UserId"]],
  ] as const) {
    it(`prints and writes what the in-memory hunt does (${params}, .${ext}${entity.length ? ", --entity" : ""})`, async () => {
      const args = ["--params", "Parameters", "--param-mode", params, "--top", "9", ...entity];
      const files = {
        memory: join(dir, `default-memory-${params}.${ext}`),
        spill: join(dir, `default-spill-${params}.${ext}`),
      };
      const memory = await hunt("memory", [...args, "--out", files.memory]);
      const spilled = await hunt("spill", [...args, "--out", files.spill]);
      expect(spilled.stdout).toBe(memory.stdout);
      expect(memory.stdout).toContain("markov-novelty score");
      const written = readFileSync(files.memory, "utf8");
      expect(readFileSync(files.spill, "utf8")).toBe(written);
      expect(written).toContain("markov-novelty");
      expect(written.length).toBeGreaterThan(10_000);
    });
  }

  it("writes the same report", async () => {
    const report = async (mode: "memory" | "spill") => {
      const path = join(dir, `default-report-${mode}.html`);
      await hunt(mode, ["--quiet", "--report", path]);
      return readFileSync(path, "utf8").replace(/"generated":"[^"]*"/, '"generated":""');
    };
    const memory = await report("memory");
    expect(memory).toContain("markov-novelty");
    expect(await report("spill")).toBe(memory);
  });

  it("reads in one thread when --threads asks for more, and says so", async () => {
    // In memory --threads 2 prints what one thread does (test/cli/threads.test.ts).
    const memory = await hunt("memory", ["--top", "5"]);
    const spilled = await hunt("spill", ["--threads", "2", "--top", "5"]);
    expect(spilled.stdout).toBe(memory.stdout);
    expect(spilled.stderr).toContain("read in one thread");
  });
});

describe("train over spilled sessions", () => {
  it("writes the model file the in-memory train writes (default detector, --entity), reading the spill in passes", async () => {
    const train = async (mode: "memory" | "spill") => {
      const reads = vi.spyOn(SpilledSessions.prototype, "batches");
      try {
        const out = join(dir, `train-${mode}.json`);
        const args = ["train", demo, ...cols.slice(0, -2), "--params", "Parameters", "--entity", "UserId"];
        const run = await runCli([...args, "--out", out], { env: { SEQHUNT_HUNT_MODE: mode } });
        expect(run.code).toBe(0);
        // Spilled: one pass for the fingerprint, four to train the detector.
        expect(reads).toHaveBeenCalledTimes(mode === "spill" ? 5 : 0);
        return { file: readFileSync(out, "utf8"), stderr: run.stderr };
      } finally {
        reads.mockRestore();
      }
    };
    const memory = await train("memory");
    const spilled = await train("spill");
    expect(spilled.stderr.replace("train-spill", "train-memory")).toBe(memory.stderr);
    // The detector, entity and fingerprint byte for byte; the reference model is built as sessions close
    // (as a spilled hunt builds it), so its vocabularies may list the same words in another order.
    const { reference: _m, ...detector } = JSON.parse(memory.file);
    const { reference: _s, ...spilledDetector } = JSON.parse(spilled.file);
    expect(JSON.stringify(spilledDetector)).toBe(JSON.stringify(detector));
    expect(detector.detector.method).toBe("markov-novelty");
    // Either file scores every session the same, and recognises the sessions it was trained on.
    const scored = async (mode: "memory" | "spill") => {
      const out = join(dir, `scored-${mode}.csv`);
      const args = ["hunt", demo, ...cols.slice(0, -2), "--params", "Parameters", "--quiet"];
      const run = await runCli([...args, "--model", join(dir, `train-${mode}.json`), "--out", out]);
      expect(run.code).toBe(0);
      return readFileSync(out, "utf8");
    };
    expect(await scored("spill")).toBe(await scored("memory"));
  });
});

describe("score over spilled sessions with a model file of the default detector", () => {
  const model = join(dir, "default-model.json");
  const inputs = [...cols.slice(0, -2), "--params", "Parameters", "--param-mode", "values"];
  const score = async (mode: "memory" | "spill", args: string[]) => {
    const reads = vi.spyOn(SpilledSessions.prototype, "batches");
    try {
      const run = await runCli(["score", demo, ...inputs, "--model", model, ...args], {
        env: { SEQHUNT_HUNT_MODE: mode },
      });
      // Spilled: the fingerprint, the detector's scores, the reference's scores; in memory none.
      if (run.code === 0) expect(reads).toHaveBeenCalledTimes(mode === "spill" ? 3 : 0);
      return run;
    } finally {
      reads.mockRestore();
    }
  };

  it("prints and writes what the in-memory score does (the training sessions held out)", async () => {
    const train = ["train", demo, ...inputs, "--entity", "UserId", "--out", model, "--quiet"];
    expect((await runCli(train)).code).toBe(0);
    const out = (mode: string) => join(dir, `default-score-${mode}.csv`);
    const memory = await score("memory", ["--top", "6", "--out", out("memory")]);
    const spilled = await score("spill", ["--top", "6", "--out", out("spill")]);
    expect(memory.code).toBe(0);
    expect(spilled.stdout).toBe(memory.stdout);
    expect(memory.stdout).toContain("markov-novelty score");
    expect(readFileSync(out("spill"), "utf8")).toBe(readFileSync(out("memory"), "utf8"));
    // --method naming another detector than the file's is refused either way, in the same words.
    const [wrong, wrongSpilled] = [
      await score("memory", ["--method", "markov"]),
      await score("spill", ["--method", "markov"]),
    ];
    expect(wrong.code).not.toBe(0);
    expect(wrongSpilled.stderr).toBe(wrong.stderr);
    expect(wrong.stderr).toContain("holds a markov-novelty detector, not markov");
  });
});

describe("score over spilled sessions with a model file of a detector that does not train in passes", () => {
  it("scores the training sessions held out all together, as in memory (adaptive)", async () => {
    const model = join(dir, "adaptive-model.json");
    const inputs = [...cols.slice(0, -2), "--params", "Parameters"];
    const train = ["train", demo, ...inputs, "--method", "adaptive", "--out", model, "--quiet"];
    expect((await runCli(train)).code).toBe(0);
    const score = async (mode: "memory" | "spill") => {
      const out = join(dir, `adaptive-score-${mode}.csv`);
      const run = await runCli(["score", demo, ...inputs, "--model", model, "--top", "5", "--out", out], {
        env: { SEQHUNT_HUNT_MODE: mode },
      });
      expect(run.stderr).not.toContain("scores held out only");
      expect(run.code).toBe(0);
      return { stdout: run.stdout, file: readFileSync(out, "utf8") };
    };
    const memory = await score("memory");
    expect(memory.stdout).toContain("adaptive score");
    expect(await score("spill")).toEqual(memory);
  });
});

describe("SpilledSessions", () => {
  it("gives sessions back whole, in order and by index, whatever their text", async () => {
    const spill = new SpilledSessions();
    try {
      const sessions = Array.from({ length: 10_000 }, (_, i) => ({
        identity: [i % 3 === 0 ? null : `usér-${i}`, "10.0.0.1"],
        start: i * 1000,
        end: i * 1000 + 5,
        commands: [
          `cmd\n${i}`,
          new Cmd(
            "Set-Mailbox",
            Object.fromEntries([
              ["__proto__", "x"],
              ["Identity", `✓${i}`],
            ]),
          ),
          new Cmd("Get-Mailbox", new Set(["Identity", "Force"])),
        ],
        fields: {},
      }));
      for (const s of sessions) spill.append(s);
      expect(spill.count).toBe(sessions.length);
      const again = [...spill.batches(999)].flat();
      expect(again.map((s) => JSON.stringify(s))).toEqual(sessions.map((s) => JSON.stringify(s)));
      const picked = spill.read([9_998, 0, 4_243]);
      expect(picked.map((s) => s.identity[0])).toEqual(["usér-9998", null, "usér-4243"]);
      const [first, , third] = picked as [CliSession, CliSession, CliSession];
      const params = (first.commands[1] as Cmd).params as Record<string, string>;
      expect(Object.keys(params)).toEqual(["__proto__", "Identity"]);
      expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
      expect((third.commands[2] as Cmd).params).toEqual(new Set(["Identity", "Force"]));
    } finally {
      spill.close();
    }
  });
});
