// A deliberately naive, independent transcription of the reference's ALGORITHM.md (the project's shared reference folder), used as an oracle:
// string-keyed Maps, smoothing by looping over every pair, likelihoods as direct products. Slow on purpose.
import type { Command } from "../../src/types.js";

const START = "##START##";
const END = "##END##";
const UNK = "##UNK##";

type Row = Map<string, number>;
type Table = Map<string, Row>;

const bump = (m: Row, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
const row = (t: Table, k: string): Row => {
  let r = t.get(k);
  if (!r) {
    r = new Map();
    t.set(k, r);
  }
  return r;
};
const get1 = (m: Row, k: string): number => (m.has(k) ? (m.get(k) as number) : (m.get(UNK) as number));
const get2 = (t: Table, a: string, b: string): number => get1((t.get(a) ?? t.get(UNK)) as Row, b);
const sum = (m: Row) => [...m.values()].reduce((x, y) => x + y, 0);

export interface NaiveModel {
  type: "cmds_only" | "cmds_params_only" | "cmds_params_values";
  modellable: Set<string>;
  seq1: Row;
  seq2: Table;
  param: Row;
  cmdParam: Table;
  value: Row;
  paramValue: Table;
  prior: Row;
  trans: Table;
  paramCond: Table;
  valueCond: Table;
}

const nameOf = (c: Command) => (typeof c === "string" ? c : c.name);
function paramsOf(c: Command): Map<string, string | null> {
  if (typeof c === "string") return new Map();
  if (c.params instanceof Set) return new Map([...c.params].map((p) => [p, null]));
  return new Map(Object.entries(c.params as Record<string, string | null>));
}

export function naiveTrain(sessions: Command[][], modellableGiven?: Set<string>): NaiveModel {
  const first = sessions[0]?.[0] as Command;
  const type =
    typeof first === "string"
      ? "cmds_only"
      : first.params instanceof Set
        ? "cmds_params_only"
        : "cmds_params_values";
  const seq1: Row = new Map();
  const seq2: Table = new Map();
  const param: Row = new Map();
  const cmdParam: Table = new Map();
  const value: Row = new Map();
  const paramValue: Table = new Map();
  for (const s of sessions) {
    let prev = START;
    bump(seq1, START);
    for (const c of s) {
      const n = nameOf(c);
      bump(seq1, n);
      bump(row(seq2, prev), n);
      prev = n;
      for (const [p, v] of paramsOf(c)) {
        bump(param, p);
        bump(row(cmdParam, n), p);
        if (type === "cmds_params_values" && v) {
          bump(value, v);
          bump(row(paramValue, p), v);
        }
      }
    }
    bump(row(seq2, prev), END);
    bump(seq1, END);
  }
  let modellable = new Set<string>();
  if (type === "cmds_params_values") {
    if (modellableGiven) modellable = modellableGiven;
    else
      for (const [p, vals] of paramValue) {
        const d = vals.size;
        const n = param.get(p) as number;
        if (d <= 20 && n >= 20 && (100 * d) / n <= 10) modellable.add(p);
      }
  }
  // smoothing on copies
  const s1 = new Map(seq1);
  const s2: Table = new Map([...seq2].map(([k, r]) => [k, new Map(r)]));
  const C = [...seq1.keys()];
  if (!C.includes(UNK)) C.push(UNK);
  for (const a of C)
    for (const b of C) {
      if (a === END || b === START) continue;
      bump(s1, a);
      bump(row(s2, a), b);
      bump(s1, b);
    }
  const sp = new Map(param);
  const scp: Table = new Map([...cmdParam].map(([k, r]) => [k, new Map(r)]));
  const P = [...param.keys()];
  if (!P.includes(UNK)) P.push(UNK);
  for (const a of C)
    for (const p of P) {
      if (cmdParam.get(a)?.has(p) || p === UNK) {
        bump(sp, p);
        bump(row(scp, a), p);
      }
    }
  const sv = new Map(value);
  const spv: Table = new Map([...paramValue].map(([k, r]) => [k, new Map(r)]));
  const V = [...value.keys()];
  if (!V.includes(UNK)) V.push(UNK);
  for (const p of P)
    for (const v of V) {
      if (paramValue.get(p)?.has(v) || v === UNK) {
        bump(sv, v);
        bump(row(spv, p), v);
      }
    }
  const total1 = sum(s1);
  const prior = new Map([...s1].map(([k, n]) => [k, n / total1]));
  const trans: Table = new Map(
    [...s2].map(([a, r]) => [a, new Map([...r].map(([b, n]) => [b, n / sum(r)]))]),
  );
  const paramCond: Table = new Map(
    [...scp].map(([a, r]) => [a, new Map([...r].map(([p, n]) => [p, n / (s1.get(a) as number)]))]),
  );
  const valueCond: Table = new Map(
    [...spv].map(([p, r]) => [p, new Map([...r].map(([v, n]) => [v, n / sum(r)]))]),
  );
  return {
    type,
    modellable,
    seq1: s1,
    seq2: s2,
    param: sp,
    cmdParam: scp,
    value: sv,
    paramValue: spv,
    prior,
    trans,
    paramCond,
    valueCond,
  };
}

export function naiveParamSetProb(m: NaiveModel, c: Command, geo: boolean): number {
  const params = paramsOf(c);
  if (params.size === 0) return 1;
  const ref = (m.paramCond.get(nameOf(c)) ?? m.paramCond.get(UNK)) as Row;
  let lik = 1;
  let num = 0;
  for (const [p, prob] of ref) {
    if (params.has(p)) {
      lik *= prob;
      if (m.type === "cmds_params_values" && m.modellable.has(p)) {
        num += 1;
        const v = params.get(p);
        lik *= get2(m.valueCond, p, v ?? "\u0000none");
      }
    } else lik *= 1 - prob;
  }
  const k = ref.size + num;
  return geo && k > 0 ? lik ** (1 / k) : lik;
}

export function naiveWindowLikelihood(
  m: NaiveModel,
  w: Command[],
  useStart: boolean,
  useEnd: boolean,
): number {
  if (w.length === 0) return Number.NaN;
  const e = (c: Command) => (m.type === "cmds_only" ? 1 : naiveParamSetProb(m, c, true));
  const n0 = nameOf(w[0] as Command);
  let prob = (useStart ? get2(m.trans, START, n0) : get1(m.prior, n0)) * e(w[0] as Command);
  for (let i = 1; i < w.length; i++)
    prob *= get2(m.trans, nameOf(w[i - 1] as Command), nameOf(w[i] as Command)) * e(w[i] as Command);
  if (useEnd) prob *= get2(m.trans, nameOf(w[w.length - 1] as Command), END);
  return prob;
}

export function naiveRarestWindow(
  m: NaiveModel,
  session: Command[],
  k: number,
  tokens: boolean,
  geo: boolean,
): { likelihood: number; starts: number[] } {
  const seq: Command[] = [...session];
  if (tokens)
    seq.push(m.type === "cmds_only" ? END : ({ name: END, params: new Set() } as unknown as Command));
  const liks: number[] = [];
  for (let i = 0; i + k <= seq.length; i++) {
    let lik = naiveWindowLikelihood(m, seq.slice(i, i + k), i === 0 && tokens, false);
    if (geo) lik = lik ** (1 / k);
    liks.push(lik);
  }
  if (liks.length === 0) return { likelihood: Number.NaN, starts: [] };
  const min = Math.min(...liks);
  const starts = liks.flatMap((l, i) => (Math.abs(l - min) <= 1e-9 * Math.max(l, min) ? [i] : []));
  return { likelihood: min, starts };
}
