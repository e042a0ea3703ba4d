// The model core's once-per-run loops stay optimized from one training to the next: V8 (Node 20) compiled a
// function mid-loop and kept that code, and code after the loop that had not yet run had no feedback, so the
// code dropped back to the interpreter there on every later call. Each such loop is now a function of its own.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/core-graph.js";

const LIBRARY = pathToFileURL(join(ROOT, "dist", "index.js")).href;

/** Twenty trainings on the same sessions of parameter names, in one process that logs every deoptimization. */
const SCRIPT = `
const { Cmd, Model } = await import(${JSON.stringify(LIBRARY)});
const sessions = [];
let x = 1;
const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
for (let made = 0; made < 100000; ) {
  const length = 1 + Math.floor(next() * 19);
  const session = [];
  for (let i = 0; i < length; i++) {
    const c = Math.floor(next() * 200);
    session.push(new Cmd("Cmd" + c, new Set(Array.from({ length: 1 + (c % 4) }, (_, k) => "P" + ((c + k) % 60)))));
  }
  sessions.push(session);
  made += length;
}
for (let run = 0; run < 20; run++) {
  const model = new Model(sessions);
  model.train();
  model.computeRarestWindows(3);
}
`;

/** Deoptimizations per function name in the log. */
function deoptsByFunction(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of log.matchAll(/deoptimizing 0x[0-9a-f]+ <JSFunction ([^ >]*)/g)) {
    const name = m[1] as string;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

describe("the model core's loops", () => {
  it("do not drop back to the interpreter on every training", () => {
    // Single-threaded: compiled where the same run reaches the same point, so the log is the same every time.
    const log = execFileSync(
      process.execPath,
      ["--single-threaded", "--trace-deopt", "--input-type=module", "-e", SCRIPT],
      { encoding: "utf8", maxBuffer: 1 << 28 },
    );
    const deopts = deoptsByFunction(log);
    // Warming up deoptimizes a function a few times; once per training (20) is the fault.
    const loops = ["add", "flush", "addCells", "SmoothedCounts", "buildDense", "#rowIndex", "encodeOrRefuse"];
    for (const name of loops) {
      expect(deopts.get(name) ?? 0, name).toBeLessThan(10);
    }
  });
});
