const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/i;

/**
 * Parses ISO 8601 text to epoch microseconds; a time without a zone is UTC.
 * Returns NaN when the text is not a valid date-time.
 */
export function parseIsoMicros(text: string): number {
  const m = ISO.exec(text.trim());
  if (m === null) return Number.NaN;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", , sign, oh = "0", om = "0"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (Number(oh) > 23 || Number(om) > 59) return Number.NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return Number.NaN;
  const micros = Number(frac.slice(0, 6).padEnd(6, "0"));
  const offsetMinutes = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}

/**
 * A time value as epoch microseconds: a `Date`, epoch milliseconds (number or bigint), or ISO 8601 text.
 * NaN when it is none of these.
 */
export function toMicros(value: unknown): number {
  if (value instanceof Date) return value.getTime() * 1000;
  if (typeof value === "number") return Number.isFinite(value) ? Math.round(value * 1000) : Number.NaN;
  if (typeof value === "bigint") return Number(value) * 1000;
  if (typeof value === "string") return parseIsoMicros(value);
  return Number.NaN;
}

/** A `Date` for epoch microseconds (millisecond precision, as `Date` has). */
export function microsToDate(micros: number): Date {
  return new Date(Math.floor(micros / 1000));
}
