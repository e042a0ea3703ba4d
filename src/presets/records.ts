import { trustedCmd } from "../model/cmd.js";
import { toMicros } from "../sessionize/time.js";
import type { Command } from "../types.js";
import { fieldValue } from "./field-names.js";
import { type ParamMode, type ParamsFormat, paramsFromJson } from "./params.js";
import type { RecordFold, RecordOrder } from "./presets.js";

/**
 * What joins several event fields into one command: `iam.amazonaws.com:CreateUser` reads as AWS's own
 * `service:Action`, and `create:pods:exec` keeps every part visible.
 */
export const DEFAULT_EVENT_JOINER = ":";

/** Which fields of a record make an event (a {@link SourcePreset} is one). Names may be dotted paths. */
export interface EventFieldNames {
  /** Identity fields (who ran the events). */
  readonly identity: readonly string[];
  /** Time field: a `Date`, epoch milliseconds or ISO 8601 text. */
  readonly time: string;
  /** Fields joined into one command, missing or empty parts left out. */
  readonly event: readonly string[];
  /** What joins the event fields (default {@link DEFAULT_EVENT_JOINER}). */
  readonly eventJoiner?: string;
  /** Parameters field, read with `paramMode` other than `"none"`. */
  readonly params?: string | null;
  /** How the parameters are written (default `exchange`). */
  readonly paramsFormat?: ParamsFormat;
  /** Records of one request or event counted once (a Kubernetes audit log's stages, copies of one record); absent: every record counts. */
  readonly fold?: RecordFold | undefined;
}

/** One event made from a record. */
export interface RecordEvent {
  /** Position of the record (0-based) among those given. */
  readonly record: number;
  /** Identity values in the order of the identity fields (null where missing). */
  readonly identity: (string | null)[];
  /** Epoch microseconds. */
  readonly timeMicros: number;
  /** The joined event fields, with parameters when asked for. */
  readonly command: Command;
}

/** A record that made no event, and why. */
export interface RecordProblem {
  /** Position of the record (0-based) among those given. */
  readonly record: number;
  /** The field at fault, as named. */
  readonly field: string;
  /** What is wrong: missing time, unparseable time, missing event, bad params... */
  readonly reason: string;
  /** The value found. */
  readonly value: unknown;
}

/** The events made from records, and the records that made none. */
export interface RecordEvents {
  /** One event per good record, in record order. */
  readonly events: RecordEvent[];
  /** One problem per record that made no event. */
  readonly problems: RecordProblem[];
  /** Records folded into another record of the same request (0 without a fold). */
  readonly folded: number;
}

/** A field's value as text: strings as they are, other values as JSON; null when missing. */
function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The command of a record: its event fields joined, missing or empty parts left out; "" when none. */
export function joinedEvent(record: unknown, fields: EventFieldNames): string {
  const parts: string[] = [];
  for (const name of fields.event) {
    const part = text(fieldValue(record, name));
    if (part !== null && part !== "") parts.push(part);
  }
  return parts.join(fields.eventJoiner ?? DEFAULT_EVENT_JOINER);
}

/** A record's place among those of its key: its `by` value's position in `prefer`, unlisted last; 0 without an order. */
function foldRank(record: unknown, order: RecordOrder | undefined): number {
  if (order === undefined) return 0;
  const by = text(fieldValue(record, order.by));
  const listed = by === null ? -1 : order.prefer.indexOf(by);
  return listed === -1 ? order.prefer.length : listed;
}

/**
 * Which records a fold keeps: of those sharing a key, the first whose `by` value comes earliest in its
 * order's `prefer` (values not listed after them), or the first without an order; every record without a
 * key. As the CLI's reader folds in SQL.
 */
export function keptByFold(records: readonly unknown[], fold: RecordFold): boolean[] {
  const best = new Map<string, { index: number; rank: number }>();
  const kept = records.map(() => true);
  for (const [index, record] of records.entries()) {
    const key = text(fieldValue(record, fold.key));
    if (key === null || key === "") continue;
    const rank = foldRank(record, fold.order);
    const held = best.get(key);
    if (held !== undefined && held.rank <= rank) {
      kept[index] = false;
      continue;
    }
    if (held !== undefined) kept[held.index] = false;
    best.set(key, { index, rank });
  }
  return kept;
}

/** Parameters text read as JSON (a list or object as it is). */
function paramsJson(value: unknown): unknown {
  if (typeof value !== "string") return value ?? null;
  if (value === "") return null;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * Turns parsed log records (CloudTrail records, Okta events, CSV rows as objects...) into events, reading
 * the fields a preset or the caller names; no I/O. Records without a time or an event become problems, not
 * events. Feed the events to {@link ModelBuilder} through the sessionizer, or to {@link sessionize}.
 */
export function eventsFromRecords(
  records: Iterable<unknown>,
  fields: EventFieldNames,
  options: { readonly paramMode?: ParamMode } = {},
): RecordEvents {
  const mode = options.paramMode ?? "none";
  const events: RecordEvent[] = [];
  const problems: RecordProblem[] = [];
  const all = [...records];
  const kept = fields.fold === undefined ? null : keptByFold(all, fields.fold);
  let folded = 0;
  for (const [index, record] of all.entries()) {
    if (kept !== null && kept[index] === false) {
      folded++;
      continue;
    }
    const time = fieldValue(record, fields.time);
    const timeMicros = toMicros(time);
    if (!Number.isFinite(timeMicros)) {
      const reason = time === undefined || time === null ? "missing time" : "unparseable time";
      problems.push({ record: index, field: fields.time, reason, value: time });
      continue;
    }
    const event = joinedEvent(record, fields);
    if (event === "") {
      problems.push({ record: index, field: fields.event.join(","), reason: "missing event", value: null });
      continue;
    }
    let command: Command = event;
    if (mode !== "none") {
      const raw = fields.params ? fieldValue(record, fields.params) : null;
      const parsed = paramsJson(raw);
      const params =
        parsed === undefined
          ? "bad params JSON"
          : paramsFromJson(parsed, fields.paramsFormat ?? "exchange", mode);
      if (typeof params === "string") {
        problems.push({ record: index, field: fields.params ?? "", reason: params, value: raw });
        continue;
      }
      command = trustedCmd(event, params);
    }
    const identity = fields.identity.map((name) => text(fieldValue(record, name)));
    events.push({ record: index, identity, timeMicros, command });
  }
  return { events, problems, folded };
}
