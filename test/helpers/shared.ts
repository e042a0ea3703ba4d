import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Cmd } from "../../src/index.js";
import type { Command } from "../../src/types.js";

/** The repository's copies of the shared reference files the tests read (test/fixtures/README.md). */
export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** A file of test/fixtures. */
export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** The reference's Exchange Online demo events (CSV). */
export const DEMO_CSV = fixturePath("data", "demo_exchange_data.csv");

/** Reads a JSON file of test/fixtures. */
export function readFixture<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), "utf8")) as T;
}

/** A command as fixtures write it. */
export type FixtureCommand = string | { name: string; params: string[] | Record<string, string | null> };

/** Decodes a fixture command: a list of params is a Set, an object is a record of values. */
export function decodeCommand(c: FixtureCommand): Command {
  if (typeof c === "string") return c;
  return new Cmd(c.name, Array.isArray(c.params) ? new Set(c.params) : { ...c.params });
}

/** Decodes fixture sessions. */
export function decodeSessions(sessions: FixtureCommand[][]): Command[][] {
  return sessions.map((s) => s.map(decodeCommand));
}

/** Fixtures write NaN as null. */
export function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

/** Relative closeness as the fixtures define it. */
export function close(actual: number, expected: number | null, rel = 1e-9, abs = 1e-300): boolean {
  if (expected === null) return Number.isNaN(actual);
  if (Number.isNaN(actual)) return false;
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.max(Math.abs(actual), Math.abs(expected)));
}
