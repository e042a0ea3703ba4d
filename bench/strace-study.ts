// The system-call traces made here (bench/strace-traces.sh): how many processes of each kind of attack each
// method finds at 1% and 5% false alarms. Run: node bench-dist/bench/strace-study.js [seed] [methods]
import { trainDetector } from "../src/detect/detector.js";
import { straceProcesses, straceTraces } from "./datasets.js";

const seed = Number(process.argv[2] ?? 1);
const methods = (process.argv[3] ?? "markov-set,markov-novelty").split(",");
const d = straceTraces(seed);
// The test holds the shuffled normal processes, then the attacks in file order: programs of the attacks only.
const attackPrograms = straceProcesses("attack").map((p) => p.program);
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
