import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeqhuntError } from "../../src/errors.js";
import {
  EPOCH_UNITS,
  epochMicros,
  parseIsoMicros,
  parseTimeText,
  parseUsMicros,
  timeFormatParser,
  timeFormatsFitting,
  timeParser,
} from "../../src/parse/time.js";
import { toMicros } from "../../src/sessionize/time.js";

const at = (iso: string) => Date.parse(iso) * 1000;
const T = at("2026-09-30T17:45:27Z");

describe("ISO 8601", () => {
  it.each([
    ["2026-09-30T17:45:27Z", T],
    ["2026-09-30 17:45:27", T],
    ["2026-09-30T17:45:27.0000000Z ", T],
    ["  2026-09-30T17:45:27.0000000Z", T],
    ["2026-09-30T17:45:27.1234567Z", T + 123_456],
    ["2026-09-30T17:45:27.123456789Z", T + 123_456],
    ["2026-09-30T17:45:27.5Z", T + 500_000],
    ["2026-09-30T17:45:27,25Z", T + 250_000],
    ["2026-09-30T19:45:27+02:00", T],
    ["2026-09-30T19:45:27+0200", T],
    ["2026-09-30T19:45:27+02", T],
    ["2026-09-30T12:15:27-05:30", T],
    ["2026-09-30t17:45:27z", T],
    ["2026-09-30T17:45Z", T - 27_000_000],
    ["2026-09-30", at("2026-09-30T00:00:00Z")],
  ])("%j", (text, micros) => {
    expect(parseTimeText(text)).toBe(micros);
    expect(parseIsoMicros(text)).toBe(micros);
  });

  it.each([
    "2026-02-30T00:00:00Z",
    "2026-13-01",
    "2026-09-30T24:00:00Z",
    "2026-09-30T17:60:00Z",
    "2026-09-30T17:45:27+24:00",
    "2026-09-30T17:45:27 UTC+",
    "yesterday",
    "",
  ])("refuses %j", (text) => {
    expect(parseTimeText(text)).toBeNaN();
  });
});

describe("the Azure portal's US format", () => {
  it.each([
    ["9/30/2026, 5:45:27.226 PM", T + 226_000],
    ["9/30/2026, 5:45:27 PM", T],
    ["9/30/2026 5:45:27 PM", T],
    ["09/30/2026, 05:45:27.226 pm", T + 226_000],
    ["9/30/2026, 5:45 PM", T - 27_000_000],
    ["9/30/2026, 17:45:27", T],
    ["9/30/2026, 12:00:00 AM", at("2026-09-30T00:00:00Z")],
    ["9/30/2026, 12:00:00 PM", at("2026-09-30T12:00:00Z")],
  ])("%j", (text, micros) => {
    expect(parseTimeText(text)).toBe(micros);
    expect(parseUsMicros(text)).toBe(micros);
  });

  it.each([
    "30/9/2026, 5:45:27 PM",
    "9/30/2026, 13:45:27 PM",
    "9/30/2026, 0:45:27 AM",
    "9/31/2026, 1:00 AM",
    // A 24-hour clock and a day of 12 or less: day first (Excel outside the US) reads the same.
    "10/5/2026 17:45:27",
    "01/02/2026, 00:30",
  ])("refuses %j", (text) => {
    expect(parseTimeText(text)).toBeNaN();
  });
});

describe("epoch numbers told apart by magnitude", () => {
  it.each([
    ["1790790327", T],
    ["1790790327.5", T + 500_000],
    ["1790790327226", T + 226_000],
    ["1790790327226123", T + 226_123],
    ["1790790327226123456", T + 226_123],
    ["1790790327226123999", T + 226_123],
    ["0", 0],
    ["-86400", -86_400_000_000],
    ["99999999999", 99_999_999_999_000_000],
    ["100000000000", 100_000_000_000_000],
  ])("%j", (text, micros) => {
    expect(parseTimeText(text)).toBe(micros);
  });

  it("has the documented ranges, in order, each covering 1973 to 5138", () => {
    expect(EPOCH_UNITS.map((u) => [u.unit, u.below])).toEqual([
      ["s", 1e11],
      ["ms", 1e14],
      ["us", 1e17],
      ["ns", Number.POSITIVE_INFINITY],
    ]);
    for (const u of EPOCH_UNITS.slice(0, 3)) {
      expect(new Date((u.below * u.micros) / 1000).getUTCFullYear()).toBe(5138);
      expect(new Date(((u.below / 1000) * u.micros) / 1000).getUTCFullYear()).toBe(1973);
    }
  });

  it("reads microseconds and nanoseconds as the same instant as seconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100_000_000, max: 99_999_999_999 }), (s) => {
        const micros = s * 1e6;
        expect(epochMicros(s)).toBe(micros);
        expect(epochMicros(s * 1000)).toBe(micros);
        expect(parseTimeText(String(s * 1e6))).toBe(micros);
        expect(parseTimeText(`${s}000000000`)).toBe(micros);
      }),
    );
  });

  it("refuses what is beyond a Date", () => {
    expect(parseTimeText("9".repeat(25))).toBeNaN();
    expect(epochMicros(Number.POSITIVE_INFINITY)).toBeNaN();
  });
});

describe("--time-format", () => {
  it.each([
    ["%d/%m/%Y %H:%M:%S", "30/09/2026 17:45:27", T],
    ["%m/%d/%Y, %I:%M:%S.%f %p", "9/30/2026, 5:45:27.226 PM", T + 226_000],
    ["%Y%m%d%H%M%S", "20260930174527", T],
    ["%Y-%m-%dT%H:%M:%S%z", "2026-09-30T19:45:27+0200", T],
    ["%Y-%m-%dT%H:%M:%S%z", "2026-09-30T17:45:27Z", T],
    ["%d %b %Y %T", "30 Sep 2026 17:45:27", T],
    ["%d %B %Y %T", "30 September 2026 17:45:27", T],
    ["%b %e %H:%M:%S", "Jan  5 10:00:00", at("1970-01-05T10:00:00Z")],
    ["%a %b %d %T %Y", "Wed Sep 30 17:45:27 2026", T],
    ["%Y.%j %H:%M", "2026.273 17:45", T - 27_000_000],
    ["%y-%m-%d", "26-09-30", at("2026-09-30T00:00:00Z")],
    ["%y-%m-%d", "69-09-30", at("1969-09-30T00:00:00Z")],
    ["%F %R", "2026-09-30 17:45", T - 27_000_000],
    ["[%d/%b/%Y:%H:%M:%S %z]", "[30/Sep/2026:19:45:27 +0200]", T],
    ["%s.%f", "1790790327.25", T + 250_000],
    ["100%% %Y", "100% 2026", at("2026-01-01T00:00:00Z")],
  ])("%j reads %j", (format, text, micros) => {
    expect(timeFormatParser(format)(text)).toBe(micros);
    expect(timeParser({ format })(text)).toBe(micros);
  });

  it.each([
    ["%d/%m/%Y", "31/02/2026"],
    ["%d/%m/%Y", "30/09/2026 extra"],
    ["%H:%M", "25:00"],
    ["%I %p", "13 PM"],
    ["%Y-%j", "2026-366"],
    ["%Y", "26"],
  ])("%j refuses %j", (format, text) => {
    expect(timeFormatParser(format)(text)).toBeNaN();
  });

  it("names a directive it does not know, and a lone %", () => {
    expect(() => timeFormatParser("%Y %Q")).toThrow(SeqhuntError);
    expect(() => timeFormatParser("%Y %Q")).toThrow(/%Q is not a directive/);
    expect(() => timeFormatParser("%Y %")).toThrow(/lone %/);
  });

  it("without a format reads every known format", () => {
    expect(timeParser({})("9/30/2026, 5:45:27.226 PM")).toBe(T + 226_000);
  });
});

describe("never throws, bounded work on long text", () => {
  it("returns a number or NaN for any text", () => {
    const parse = timeFormatParser("%Y-%m-%d %H:%M:%S.%f %z %p %b");
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(typeof parseTimeText(text)).toBe("number");
        expect(typeof parse(text)).toBe("number");
      }),
    );
  });

  it("refuses a megabyte of digits or spaces without reading it as a time", () => {
    expect(parseTimeText("1".repeat(1e6))).toBeNaN();
    expect(parseTimeText(`2026-09-30T17:45:27${" ".repeat(1e6)}x`)).toBeNaN();
    expect(timeFormatParser("%Y %Y")(`2026${" ".repeat(1e6)}`)).toBeNaN();
  });
});

describe("sessionize's toMicros", () => {
  it("keeps numbers as epoch milliseconds, as the library always read them", () => {
    expect(toMicros(1790790327)).toBe(1_790_790_327_000);
    expect(toMicros("2026-09-30T17:45:27Z")).toBe(T);
    expect(toMicros("9/30/2026, 5:45:27 PM")).toBe(T);
  });
});

describe("timeFormatsFitting (the advice for a time no format reads)", () => {
  it.each([
    ["30/11/2026, 17:02:03.123", ["%d/%m/%Y, %H:%M:%S.%f"]],
    ["01/02/2026 17:03", ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"]],
    ["30.11.2026 17:02:03", ["%d.%m.%Y %H:%M:%S"]],
    ["30-11-2026 5:02 PM", ["%d-%m-%Y %I:%M %p"]],
    ["30/11/2026 17:02:03 +01:00", ["%d/%m/%Y %H:%M:%S %z"]],
    ["30/11/2026", ["%d/%m/%Y"]],
    ["Nov 30 2026 17:02", []],
    ["31/31/2026 17:02", []],
  ])("%j", (text, formats) => {
    expect(timeFormatsFitting(text)).toEqual(formats);
    for (const format of formats) expect(timeParser({ format })(text)).not.toBeNaN();
  });
});
