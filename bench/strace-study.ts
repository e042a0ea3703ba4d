// The system-call traces made here (bench/strace-traces.sh): which programs each method finds at 1% and 5% false
// alarms, and which normal programs raise the false alarms. Run: node bench-dist/bench/strace-study.js [seed] [methods]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { trainDetector } from "../src/detect/detector.js";
import { straceTraces } from "./datasets.js";

const seed = Number(process.argv[2] ?? 1);
const methods = (process.argv[3] ?? "markov-set,markov-novelty").split(",");
const programs = (label: string) =>
  gunzipSync(readFileSync(join(process.cwd(), "bench", "strace", `${label}.jsonl.gz`)))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { program: string }).program);
const d = straceTraces(seed);
// The test holds the shuffled normal processes, then the attacks in file order: programs of the attacks only.
const attackPrograms = programs("attack");
const attacks = d.test.filter((t) => t.label === 1).length;
const firstAttack = d.test.length - attacks;
for (const method of methods) {
  const scores = trainDetector(method, d.train).score(d.test);
  const normal = scores.slice(0, firstAttack).sort((a, b) => b - a);
  for (const rate of [0.01, 0.05]) {
    const threshold = normal[Math.floor(rate * normal.length)] as number;
    const found = new Map<string, [number, number]>();
    for (let i = firstAttack; i < d.test.length; i++) {
      const p = attackPrograms[i - firstAttack] as string;
      const f = found.get(p) ?? [0, 0];
      f[1]++;
      if ((scores[i] as number) > threshold) f[0]++;
      found.set(p, f);
    }
    console.log(`${method} @${rate * 100}%: ${[...found].map(([p, [h, n]]) => `${p} ${h}/${n}`).join(", ")}`);
  }
}
