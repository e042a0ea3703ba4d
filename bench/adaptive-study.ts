// Studies of the adaptive detector: each variant x each public set (and the spliced long-trace proxy).
// Usage: node bench-dist/bench/adaptive-study.js [--sets SEA,HDFS] [variant ...]; variants are named below,
// or method:NAME for another detector of trainDetector.
import { AdaptiveDetector, type AdaptiveOptions } from "../src/detect/adaptive.js";
import { trainDetector } from "../src/detect/detector.js";
import { evaluate } from "../src/eval/metrics.js";
import { type Dataset, hdfs, lpr, sea, splicedLpr } from "./datasets.js";

const VARIANTS: Record<string, AdaptiveOptions> = {
  default: {},
  order1: { order: 1 },
  likelihood: { orderBy: "likelihood" },
  "total+max+set": { views: ["total", "max", "set"] },
  mean: { views: ["mean"] },
  "mean+max": { views: ["mean", "max"] },
  "mean+rawmax": { views: ["mean", "rawmax"] },
  "mean+set": { views: ["mean", "set"] },
  "mean+rawmax+set": { views: ["mean", "rawmax", "set"] },
  "mean+setw": { views: ["mean", "setw"] },
  "total+set": { views: ["total", "set"] },
  "total+setw": { views: ["total", "setw"] },
  "mean+total+setw": { views: ["mean", "total", "setw"] },
  order5: { order: 5 },
  "max-order4": { maxOrder: 4 },
  "max-order12": { maxOrder: 12 },
  "entity-order0": { entityOrder: 0 },
  "entity-order2": { entityOrder: 2 },
};

const sets: [string, () => Dataset][] = [
  ["SEA", sea],
  ["HDFS", () => hdfs(1)],
  ["UNM", () => lpr("unm", 1)],
  ["MIT", () => lpr("mit", 1)],
  ["splice", () => splicedLpr(1)],
];
// --sets SEA,HDFS limits the data sets.
const args = process.argv.slice(2);
const setsFlag = args.indexOf("--sets");
const only = setsFlag >= 0 ? (args.splice(setsFlag, 2)[1] ?? "").split(",") : undefined;
const wanted = args;
const names = wanted.length > 0 ? wanted : Object.keys(VARIANTS);
const data = sets
  .filter(([name]) => only === undefined || only.includes(name))
  .map(([name, make]) => [name, make()] as const);
console.log(`| variant | ${data.map(([n]) => `${n} AUC / F1 / @1% / @5% (order, events/s)`).join(" | ")} |`);
for (const name of names) {
  const cells = data.map(([, d]) => {
    const t0 = performance.now();
    const method = name.startsWith("method:") ? name.slice(7) : undefined;
    const detector =
      method === undefined
        ? new AdaptiveDetector(d.train, VARIANTS[name])
        : { ...trainDetector(method, d.train), order: "-" };
    const scores = detector.score(d.test);
    const seconds = (performance.now() - t0) / 1000;
    let events = 0;
    for (const s of [...d.train, ...d.test]) events += s.session.length;
    const m = evaluate(
      scores,
      d.test.map((t) => t.label),
      d.test.map((t) => t.weight ?? 1),
    );
    return `${m.auc.toFixed(4)} / ${m.bestF1.toFixed(3)} / ${m.hitRateAtFalseAlarm["0.01"].toFixed(3)} / ${m.hitRateAtFalseAlarm["0.05"].toFixed(3)} (${detector.order}, ${Math.round(events / seconds)})`;
  });
  console.log(`| ${name} | ${cells.join(" | ")} |`);
}
