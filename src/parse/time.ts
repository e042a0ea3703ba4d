import { SeqhuntError } from "../errors.js";

/**
 * Time text as security products export it, to epoch microseconds. Pure: no I/O, browser-safe.
 * Every parser returns NaN for text it cannot read; the caller names file, line, column and value.
 */

/** One unit of epoch numbers: values whose magnitude is below `below` are counted in this unit. */
export interface EpochUnit {
  /** The unit's name: seconds, milliseconds, microseconds or nanoseconds. */
  readonly unit: "s" | "ms" | "us" | "ns";
  /** Exclusive upper bound of |value| read in this unit. */
  readonly below: number;
  /** Microseconds in one of this unit. */
  readonly micros: number;
}

/**
 * How an epoch number's magnitude tells its unit. |x| < 1e11 is seconds (up to year 5138), < 1e14
 * milliseconds (1973 to 5138), < 1e17 microseconds (1973 to 5138), anything larger nanoseconds; so every
 * unit covers 1973 to 5138 and no date of that span is ambiguous.
 */
export const EPOCH_UNITS: readonly EpochUnit[] = [
  { unit: "s", below: 1e11, micros: 1e6 },
  { unit: "ms", below: 1e14, micros: 1e3 },
  { unit: "us", below: 1e17, micros: 1 },
  { unit: "ns", below: Number.POSITIVE_INFINITY, micros: 1e-3 },
];

/** Microseconds of the largest time a `Date` holds (year 275760): beyond it a time is not a time. */
const MAX_MICROS = 8.64e15 * 1000;

function inRange(micros: number): number {
  return Number.isFinite(micros) && Math.abs(micros) <= MAX_MICROS ? micros : Number.NaN;
}

/** The unit an epoch number of this magnitude is counted in (see {@link EPOCH_UNITS}). */
export function epochUnitOf(value: number): EpochUnit {
  const size = Math.abs(value);
  return EPOCH_UNITS.find((u) => size < u.below) ?? (EPOCH_UNITS[EPOCH_UNITS.length - 1] as EpochUnit);
}

/** An epoch number in seconds, milliseconds, microseconds or nanoseconds (told by magnitude) as microseconds. */
export function epochMicros(value: number): number {
  if (!Number.isFinite(value)) return Number.NaN;
  return inRange(Math.round(value * epochUnitOf(value).micros));
}

const EPOCH_TEXT = /^-?\d{1,25}(?:\.\d{1,12})?$/;

/** Epoch number text; whole nanoseconds are cut textually so microseconds stay exact past 2^53. */
function epochTextMicros(text: string): number {
  if (!EPOCH_TEXT.test(text)) return Number.NaN;
  const value = Number(text);
  if (epochUnitOf(value).unit === "ns" && !text.includes(".")) {
    // 1.7e18 ns is beyond a double's exact integers; its first digits, as microseconds, are not.
    const micros = Number(text.slice(0, -3));
    return inRange(micros);
  }
  return epochMicros(value);
}

/** Microseconds of a civil UTC date-time, or NaN when a field is out of range (30 February, hour 24). */
function civilMicros(fields: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  offsetMinutes: number;
}): number {
  const { year, month, day, hour, minute, second } = fields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return Number.NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return Number.NaN;
  return inRange((check.getTime() - fields.offsetMinutes * 60_000) * 1000 + fields.micros);
}

/** Fraction digits as microseconds: any number of digits, cut (not rounded) after the sixth. */
function fractionMicros(digits: string): number {
  return Number(digits.slice(0, 6).padEnd(6, "0"));
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/i;

/**
 * ISO 8601 text as epoch microseconds: `T` or a space, any fraction (kept to the microsecond), offset
 * `Z`, `+hh:mm`, `+hhmm` or `+hh`; UTC when no zone. NaN when it is not a valid date-time.
 */
export function parseIsoMicros(text: string): number {
  const m = ISO.exec(text.trim());
  if (m === null) return Number.NaN;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", , sign, oh = "0", om = "0"] = m;
  if (Number(oh) > 23 || Number(om) > 59) return Number.NaN;
  return civilMicros({
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
    micros: fractionMicros(frac),
    offsetMinutes: sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)),
  });
}

const US =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*([AaPp])[Mm])?$/;

/**
 * The US date-time the Azure portal exports, month first, in UTC: `9/30/2026, 5:45:27.226 PM`, also
 * without the milliseconds, the seconds or the comma, and on a 24-hour clock when there is no AM/PM. On
 * a 24-hour clock a date whose day is 12 or less is refused (NaN): it may be written day first (Excel and
 * portals outside the US write `01/02/2026 17:03`), and only `--time-format` can say which.
 */
export function parseUsMicros(text: string): number {
  const m = US.exec(text.trim());
  if (m === null) return Number.NaN;
  const [, mo, d, y, h, mi, s = "0", frac = "", half] = m;
  if (half === undefined && Number(d) <= 12) return Number.NaN;
  let hour = Number(h);
  if (half !== undefined) {
    if (hour < 1 || hour > 12) return Number.NaN;
    hour = (hour % 12) + (half.toUpperCase() === "P" ? 12 : 0);
  }
  return civilMicros({
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour,
    minute: Number(mi),
    second: Number(s),
    micros: fractionMicros(frac),
    offsetMinutes: 0,
  });
}

/** Texts longer than this are no time any product writes; they are refused before any pattern runs. */
const MAX_TIME_TEXT = 64;

/**
 * Time text as products export it, as epoch microseconds: ISO 8601 ({@link parseIsoMicros}), the Azure
 * portal's US format ({@link parseUsMicros}), or an epoch number whose unit its magnitude tells
 * ({@link EPOCH_UNITS}). Surrounding spaces are ignored. NaN when it is none of these.
 */
export function parseTimeText(text: string): number {
  const t = text.trim();
  if (t.length > MAX_TIME_TEXT) return Number.NaN;
  if (EPOCH_TEXT.test(t)) return epochTextMicros(t);
  const iso = parseIsoMicros(t);
  return Number.isNaN(iso) ? parseUsMicros(t) : iso;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/** Fields a format fills in as it reads; unset ones take their defaults (1 January 1970, midnight, UTC). */
interface Fields {
  year: number;
  month: number;
  day: number;
  yearDay: number;
  hour: number;
  half: "" | "A" | "P";
  minute: number;
  second: number;
  micros: number;
  offsetMinutes: number;
  epochSeconds: number;
}

/** Reads one directive at `at` in `text`; returns the position after it, or -1 when the text does not fit. */
type Reader = (text: string, at: number, f: Fields) => number;

/** A numeric field of {@link Fields}. */
type NumberField = "year" | "month" | "day" | "yearDay" | "hour" | "minute" | "second" | "micros";

/** Reads `min` to `max` digits into `field`, as `value` maps them; the text does not fit outside `lo`..`hi`. */
function digits(
  min: number,
  max: number,
  field: NumberField,
  range: readonly [number, number],
  value: (n: number, raw: string) => number = (n) => n,
): Reader {
  return (text, at, f) => {
    let end = at;
    while (end < text.length && end - at < max && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57)
      end++;
    if (end - at < min) return -1;
    const raw = text.slice(at, end);
    const n = Number(raw);
    if (n < range[0] || n > range[1]) return -1;
    f[field] = value(n, raw);
    return end;
  };
}

function word(names: readonly string[], minLength: number, set: (f: Fields, index: number) => void): Reader {
  return (text, at, f) => {
    const lower = text.slice(at, at + 9).toLowerCase();
    // Full names first, so "may" and "march" are not read as their first three letters.
    let best = -1;
    let length = 0;
    names.forEach((name, i) => {
      if (lower.startsWith(name) && name.length > length) [best, length] = [i, name.length];
      else if (length === 0 && lower.startsWith(name.slice(0, minLength))) [best, length] = [i, minLength];
    });
    if (best < 0) return -1;
    set(f, best);
    return at + length;
  };
}

const readZone: Reader = (text, at, f) => {
  const c = text[at];
  if (c === "Z" || c === "z") {
    f.offsetMinutes = 0;
    return at + 1;
  }
  const m = /^([+-])(\d{2})(?::?(\d{2}))?/.exec(text.slice(at, at + 6));
  if (m === null) return -1;
  const [all, sign, h, mm = "0"] = m;
  if (Number(h) > 23 || Number(mm) > 59) return -1;
  f.offsetMinutes = (sign === "-" ? -1 : 1) * (Number(h) * 60 + Number(mm));
  return at + all.length;
};

const readHalf: Reader = (text, at, f) => {
  const two = text.slice(at, at + 2).toUpperCase();
  if (two !== "AM" && two !== "PM") return -1;
  f.half = two === "AM" ? "A" : "P";
  return at + 2;
};

const readSpaces: Reader = (text, at) => {
  let end = at;
  while (end < text.length && /\s/.test(text[end] as string)) end++;
  return end;
};

/** The directives `--time-format` knows, as strftime writes them. */
const DIRECTIVES: Readonly<Record<string, Reader>> = {
  Y: digits(4, 4, "year", [0, 9999]),
  y: digits(2, 2, "year", [0, 99], (n) => (n < 69 ? 2000 + n : 1900 + n)),
  m: digits(1, 2, "month", [1, 12]),
  d: digits(1, 2, "day", [1, 31]),
  j: digits(1, 3, "yearDay", [1, 366]),
  H: digits(1, 2, "hour", [0, 23]),
  I: digits(1, 2, "hour", [1, 12]),
  M: digits(1, 2, "minute", [0, 59]),
  S: digits(1, 2, "second", [0, 60]),
  f: digits(1, 9, "micros", [0, 999_999_999], (_n, raw) => fractionMicros(raw)),
  s: (text, at, f) => {
    const m = /^-?\d{1,12}/.exec(text.slice(at, at + 13));
    if (m === null) return -1;
    f.epochSeconds = Number(m[0]);
    return at + m[0].length;
  },
  z: readZone,
  Z: readZone,
  p: readHalf,
  b: word(MONTHS, 3, (f, i) => (f.month = i + 1)),
  B: word(MONTH_NAMES, 3, (f, i) => (f.month = i + 1)),
  a: word(DAYS, 3, () => undefined),
  A: word(DAYS, 3, () => undefined),
};
// Aliases and compounds, as strftime defines them.
const COMPOUND: Readonly<Record<string, string>> = {
  h: "%b",
  e: "%d",
  k: "%H",
  l: "%I",
  T: "%H:%M:%S",
  R: "%H:%M",
  D: "%m/%d/%y",
  F: "%Y-%m-%d",
};

function compile(format: string): Reader[] {
  const readers: Reader[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (/\s/.test(c)) {
      // As in strptime, white space in the format matches any run of white space, or none.
      if (readers[readers.length - 1] !== readSpaces) readers.push(readSpaces);
      continue;
    }
    if (c !== "%") {
      readers.push((text, at) => (text[at] === c ? at + 1 : -1));
      continue;
    }
    const d = format[++i];
    if (d === undefined)
      throw new SeqhuntError(`time format ${JSON.stringify(format)} ends in a lone %`, {
        field: "--time-format",
      });
    if (d === "%") readers.push((text, at) => (text[at] === "%" ? at + 1 : -1));
    else if (Object.hasOwn(COMPOUND, d)) readers.push(...compile(COMPOUND[d] as string));
    else if (Object.hasOwn(DIRECTIVES, d)) readers.push(DIRECTIVES[d] as Reader);
    else
      throw new SeqhuntError(
        `time format ${JSON.stringify(format)}: %${d} is not a directive seqhunt knows (${Object.keys(
          DIRECTIVES,
        )
          .concat(Object.keys(COMPOUND))
          .map((k) => `%${k}`)
          .join(" ")})`,
        { field: "--time-format" },
      );
  }
  return readers;
}

function fieldsMicros(f: Fields): number {
  if (!Number.isNaN(f.epochSeconds)) return inRange(f.epochSeconds * 1e6 + f.micros - f.offsetMinutes * 6e7);
  let hour = f.hour;
  if (f.half !== "") {
    if (hour < 1 || hour > 12) return Number.NaN;
    hour = (hour % 12) + (f.half === "P" ? 12 : 0);
  }
  let { month, day } = f;
  if (f.yearDay > 0) {
    const d = new Date(Date.UTC(f.year, 0, 1) + (f.yearDay - 1) * 86_400_000);
    if (d.getUTCFullYear() !== f.year) return Number.NaN;
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  return civilMicros({
    year: f.year,
    month,
    day,
    hour,
    minute: f.minute,
    second: Math.min(f.second, 59),
    micros: f.micros,
    offsetMinutes: f.offsetMinutes,
  });
}

/**
 * A parser for one strftime-like format (`--time-format`): `%Y %y %m %d %e %j %H %I %M %S %f` (1-9
 * fraction digits) `%p %z` (`Z`, `+hh:mm`, `+hhmm`, `+hh`) `%b %B %a %A %s %T %R %D %F %%`; white space
 * matches any run of white space; other characters match themselves. Fields not in the format default to
 * 1 January 1970, midnight, UTC. The returned parser gives epoch microseconds, NaN for text that does not
 * fit the whole format. Throws a SeqhuntError for a directive it does not know.
 */
export function timeFormatParser(format: string): (text: string) => number {
  const readers = compile(format);
  return (text) => {
    const t = text.trim();
    if (t.length > MAX_TIME_TEXT * 2) return Number.NaN;
    const f: Fields = {
      year: 1970,
      month: 1,
      day: 1,
      yearDay: 0,
      hour: 0,
      half: "",
      minute: 0,
      second: 0,
      micros: 0,
      offsetMinutes: 0,
      epochSeconds: Number.NaN,
    };
    let at = 0;
    for (const read of readers) {
      at = read(t, at, f);
      if (at < 0) return Number.NaN;
    }
    return at === t.length ? fieldsMicros(f) : Number.NaN;
  };
}

/** A date written with its day and month as numbers, then the year, and what follows it. */
const NUMERIC_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(.*)$/;

/** The strftime-like format of what follows a date (`, 5:45:27.226 PM`, ` 17:45`, `T17:45:27Z`), or undefined. */
function clockFormat(rest: string): string | undefined {
  const m =
    /^([,\sT]*)(\d{1,2}):(\d{2})(:\d{2})?(\.\d{1,9})?(\s*[AaPp][Mm])?(\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?$/.exec(
      rest,
    );
  if (m === null) return rest.trim() === "" ? "" : undefined;
  const [, lead = "", , , seconds, fraction, half, zone] = m;
  const hour = half === undefined ? "%H" : "%I";
  // Spaces before AM/PM or the zone as written (the format's white space matches one or more).
  const spaced = (part: string | undefined, directive: string) =>
    part === undefined ? "" : `${/^\s*/.exec(part)?.[0] ?? ""}${directive}`;
  return `${lead}${hour}:%M${seconds ? ":%S" : ""}${fraction ? ".%f" : ""}${spaced(half, "%p")}${spaced(zone, "%z")}`;
}

/**
 * The `--time-format` values that read `text` whole when no format seqhunt knows does: a numeric date
 * day first and month first (only those that fit: `30/09/2026` is day first only), with its clock.
 * Empty when its shape is none of these.
 */
export function timeFormatsFitting(text: string): string[] {
  const m = NUMERIC_DATE.exec(text.trim());
  if (m === null) return [];
  const [, , sep, , , rest = ""] = m;
  const clock = clockFormat(rest);
  if (clock === undefined) return [];
  return [`%d${sep}%m${sep}%Y${clock}`, `%m${sep}%d${sep}%Y${clock}`].filter(
    (format) => !Number.isNaN(timeFormatParser(format)(text)),
  );
}

/** Options of {@link timeParser}. */
export interface TimeParserOptions {
  /** A strftime-like format (see {@link timeFormatParser}); absent: {@link parseTimeText}'s formats. */
  readonly format?: string | undefined;
}

/** The parser of time text the options ask for: one format, or every format {@link parseTimeText} knows. */
export function timeParser(options: TimeParserOptions): (text: string) => number {
  return options.format === undefined ? parseTimeText : timeFormatParser(options.format);
}
