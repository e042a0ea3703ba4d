import { parseTimeText } from "../parse/time.js";

/**
 * A time value as epoch microseconds: a `Date`, epoch milliseconds (number or bigint), or text that
 * {@link parseTimeText} reads (ISO 8601, the Azure portal's US format, epoch numbers told by magnitude).
 * NaN when it is none of these.
 */
export function toMicros(value: unknown): number {
  if (value instanceof Date) return value.getTime() * 1000;
  if (typeof value === "number") return Number.isFinite(value) ? Math.round(value * 1000) : Number.NaN;
  if (typeof value === "bigint") return Number(value) * 1000;
  if (typeof value === "string") return parseTimeText(value);
  return Number.NaN;
}

/** A `Date` for epoch microseconds (millisecond precision, as `Date` has). */
export function microsToDate(micros: number): Date {
  return new Date(Math.floor(micros / 1000));
}
