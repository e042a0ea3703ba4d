// Events per second of training and scoring, adaptive against markov-set and markov-order5, on UNM lpr
// (long sessions) and HDFS seed 1 (short, repeated sessions; each distinct session once).
import { trainDetector } from "../src/detect/detector.js";
import type { WeightedSession } from "../src/detect/types.js";
import { hdfs, lpr } from "./datasets.js";

const events = (xs: readonly WeightedSession[]) => xs.reduce((n, s) => n + s.session.length, 0);
for (const [name, d] of [
  ["UNM lpr", lpr("unm", 1)],
  ["HDFS", hdfs(1)],
] as const) {
  for (const method of ["adaptive", "markov-set", "markov-order5"]) {
    const t0 = performance.now();
    const detector = trainDetector(method, d.train);
    const t1 = performance.now();
    detector.score(d.test);
    const t2 = performance.now();
    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString("en");
    console.log(
      `| ${name} | ${method} | ${rate(events(d.train), t1 - t0)} | ${rate(events(d.test), t2 - t1)} |`,
    );
  }
}
