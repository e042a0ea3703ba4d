// Work this thread does while it waits for worker threads, a step at a time, so their reply is taken as
// soon as it comes.
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * `promise`'s value, with the steps of `work` taken while it is pending: one step, then a turn of the event
 * loop (where a worker's reply settles it), until it settles or the work is done. What is left of the work
 * is for whoever reads it later; nothing is taken once it has settled.
 */
export async function meanwhile<T>(promise: Promise<T>, work: Iterator<unknown> | undefined): Promise<T> {
  if (work === undefined) return promise;
  let settled = false;
  const settle = () => {
    settled = true;
  };
  promise.then(settle, settle);
  await nextTurn();
  while (!settled && work.next().done !== true) await nextTurn();
  return promise;
}

/**
 * Each item's value as JSON text (a session's commands, as the output writes them), made in steps of `step`
 * items (see {@link meanwhile}): slot i holds item i's once made.
 */
export function preparedJson<T>(
  items: readonly T[],
  written: (item: T) => unknown,
  step = 256,
): { readonly texts: (string | undefined)[]; readonly work: Iterator<unknown> } {
  const texts = new Array<string | undefined>(items.length);
  function* work() {
    for (let from = 0; from < items.length; from += step) {
      const to = Math.min(items.length, from + step);
      for (let i = from; i < to; i++) texts[i] = JSON.stringify(written(items[i] as T));
      yield;
    }
  }
  return { texts, work: work() };
}
