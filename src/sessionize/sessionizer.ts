import { SeqhuntError } from "../errors.js";
import type { SortedEvents } from "./order.js";

/** A session as the sessionizer closes it. */
export interface BuiltSession<E> {
  /** Identity values (null for missing). */
  readonly identity: readonly unknown[];
  /** First event time, epoch microseconds. */
  readonly startMicros: number;
  /** Last event time, epoch microseconds. */
  readonly endMicros: number;
  /** Events in time order. */
  readonly events: E[];
}

/** The two splitting rules of the reference, in minutes. */
export interface SessionLimits {
  readonly maxSessionTimeMins: number;
  readonly maxEventSeparationMins: number;
}

/** Checks the limits are positive finite numbers of minutes. */
export function checkLimits(limits: SessionLimits): void {
  for (const key of ["maxSessionTimeMins", "maxEventSeparationMins"] as const) {
    const v = limits[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new SeqhuntError(`${key} must be a number of minutes >= 0, got ${String(v)}`, { field: key });
    }
  }
}

/**
 * The one sessionizing state machine: fed events sorted by identity then time, it emits a session
 * whenever the identity changes, the gap to the previous event is greater than the max separation,
 * or the time since the session's first event is greater than the max session time (equal is not greater).
 */
export class Sessionizer<E> {
  readonly #maxGap: number;
  readonly #maxDuration: number;
  readonly #emit: (session: BuiltSession<E>) => void;
  #identity: readonly unknown[] | null = null;
  #start = 0;
  #last = 0;
  #events: E[] = [];

  constructor(limits: SessionLimits, emit: (session: BuiltSession<E>) => void) {
    checkLimits(limits);
    this.#maxGap = limits.maxEventSeparationMins * 60_000_000;
    this.#maxDuration = limits.maxSessionTimeMins * 60_000_000;
    this.#emit = emit;
  }

  /** Adds one event; `identity` must not be mutated afterwards. Throws when events arrive out of order. */
  push(identity: readonly unknown[], timeMicros: number, event: E): void {
    if (this.#continues(identity, timeMicros)) {
      this.#events.push(event);
      return;
    }
    this.#close();
    this.#open(identity, timeMicros);
    this.#events = [event];
  }

  /**
   * Adds many events at once, already in order (identity then time, as `sortEvents` leaves them):
   * event k has identity `identities[sorted.groups[k]]`, time `sorted.times[k]` and value `sorted.events[k]`.
   * The same rules as {@link push}, but each session's events are gathered into one array of its exact
   * length instead of pushed one by one.
   */
  pushSorted(identities: readonly (readonly unknown[])[], sorted: SortedEvents<E>): void {
    const { groups, times, events } = sorted;
    const n = times.length;
    const gather = (from: number, to: number): E[] => {
      const list: E[] = new Array(to - from);
      for (let k = from; k < to; k++) list[k - from] = events[k] as E;
      return list;
    };
    // Start of the current session, or -1 while it began before this call.
    let from = -1;
    for (let k = 0; k < n; k++) {
      const identity = identities[groups[k] as number] as readonly unknown[];
      const time = times[k] as number;
      if (this.#continues(identity, time)) continue;
      if (from >= 0) this.#events = gather(from, k);
      else for (let j = 0; j < k; j++) this.#events.push(events[j] as E);
      this.#close();
      this.#open(identity, time);
      from = k;
    }
    if (from >= 0) this.#events = gather(from, n);
    else for (const event of events) this.#events.push(event);
  }

  /** Emits the session in flight, if any. */
  finish(): void {
    this.#close();
    this.#identity = null;
  }

  /** Whether an event continues the session in flight (same identity, within both limits); moves its end if so. */
  #continues(identity: readonly unknown[], timeMicros: number): boolean {
    const current = this.#identity;
    if (current === null || !sameIdentity(current, identity)) return false;
    if (timeMicros < this.#last) {
      throw new SeqhuntError("events must be sorted by identity then time: a later event is earlier");
    }
    if (timeMicros - this.#last > this.#maxGap || timeMicros - this.#start > this.#maxDuration) return false;
    this.#last = timeMicros;
    return true;
  }

  #open(identity: readonly unknown[], timeMicros: number): void {
    this.#identity = identity;
    this.#start = timeMicros;
    this.#last = timeMicros;
  }

  #close(): void {
    if (this.#identity === null) return;
    this.#emit({
      identity: this.#identity,
      startMicros: this.#start,
      endMicros: this.#last,
      events: this.#events,
    });
  }
}

function sameIdentity(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
