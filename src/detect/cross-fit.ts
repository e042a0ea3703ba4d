import type { MarkovSetCounts } from "./markov-set.js";
import { markovSetCounter } from "./markov-set.js";
import { NumberColumn, type PassTraining } from "./passes.js";
import type { Detector } from "./types.js";

/**
 * Counts markov-set twice, each over every other training session (in pass order), once the categorical
 * parameters are known: the halves that {@link crossFitScores} scores each session against.
 */
export function* halvesCounting(
  counts: MarkovSetCounts,
): PassTraining<readonly [MarkovSetCounts, MarkovSetCounts]> {
  // Each half describes a session's presences through the whole's (each session described once, not twice
  // more), with the whole's entity prior: the halves stand for the whole trained model.
  const halves = [
    markovSetCounter(counts.presence.alike()),
    markovSetCounter(counts.presence.alike()),
  ] as const;
  let i = 0;
  yield (s) => {
    const half = halves[i % 2] as (typeof halves)[number];
    half.add(s, i++);
  };
  return [halves[0].counts, halves[1].counts];
}

/**
 * One pass: each training session's score by the half that did not count it (see {@link halvesCounting}).
 * markov-set's own held-out scores still count the session's steps and commands (only its whole set is
 * taken out), so a new session of a program whose sessions each hold rare commands looked rarer than any
 * training session; scored by the other half, training sessions meet their rare commands as new ones do.
 */
export function* crossFitScores(halves: readonly [Detector, Detector]): PassTraining<Float64Array> {
  const column = new NumberColumn();
  let i = 0;
  yield (s) => {
    const other = halves[1 - (i++ % 2)] as Detector;
    column.push(other.score([s])[0] as number);
  };
  return column.values();
}
