import { studySets } from "./datasets.js";
import { addCells, viewRarities } from "./views.js";

const _pct = (x: number) => `${(100 * x).toFixed(1)}`;
const seed = Number(process.argv[2] ?? 1);
const sets = studySets(seed).filter(([name]) => seed === 1 || name !== "SEA");
const rows = new Map<string, string[]>();
for (const [name, make] of sets) {
  const d = make();
  const { set: setR, novelty: novR, chain: chR, trust, contextChain: chain, chainMs } = viewRarities(d);
  const g = chain.gain;
  console.error(
    `${name}: order ${chain.order} gain ${g.toFixed(3)} trust ${trust.toFixed(3)} chain ${chainMs.toFixed(0)} ms`,
  );
  const combos: [string, (i: number) => number][] = [
    ["A current", (i) => Math.max(setR[i] as number, trust * (novR[i] as number))],
    ["chain alone", (i) => chR[i] as number],
    ["B +chain", (i) => Math.max(setR[i] as number, trust * (novR[i] as number), chR[i] as number)],
    [
      "C +gain*chain",
      (i) => Math.max(setR[i] as number, trust * (novR[i] as number), g * (chR[i] as number)),
    ],
    [
      "D (1-g)set,g chain",
      (i) => Math.max((1 - g) * (setR[i] as number), trust * (novR[i] as number), g * (chR[i] as number)),
    ],
    [
      "D1 (1-gt)set, gt chain",
      (i) =>
        Math.max(
          (1 - g * trust) * (setR[i] as number),
          trust * (novR[i] as number),
          g * trust * (chR[i] as number),
        ),
    ],
    [
      "D2 (1-gt)set, g chain",
      (i) =>
        Math.max((1 - g * trust) * (setR[i] as number), trust * (novR[i] as number), g * (chR[i] as number)),
    ],
    [
      "F gt split",
      (i) =>
        Math.max(
          (1 - g * trust) * Math.max(setR[i] as number, trust * (novR[i] as number)),
          g * trust * (chR[i] as number),
        ),
    ],
    [
      "F2 g split",
      (i) =>
        Math.max((1 - g) * Math.max(setR[i] as number, trust * (novR[i] as number)), g * (chR[i] as number)),
    ],
    [
      "G (1-gt)set, gt max(t nov, chain)",
      (i) =>
        Math.max(
          (1 - g * trust) * (setR[i] as number),
          g * trust * Math.max(trust * (novR[i] as number), chR[i] as number),
        ),
    ],
    [
      "G2 (1-gt)set, gt max(nov, chain)",
      (i) =>
        Math.max(
          (1 - g * trust) * (setR[i] as number),
          g * trust * Math.max(novR[i] as number, chR[i] as number),
        ),
    ],
    ["D5 sum", (i) => (1 - g) * (setR[i] as number) + trust * (novR[i] as number) + g * (chR[i] as number)],
    [
      "E (1-g)set, chain",
      (i) => Math.max((1 - g) * (setR[i] as number), trust * (novR[i] as number), chR[i] as number),
    ],
  ];
  addCells(rows, name, d, combos);
}
console.log(`| combo | ${sets.map(([n]) => n).join(" | ")} |`);
for (const [c, cells] of rows) console.log(`| ${c} | ${cells.join(" | ")} |`);
