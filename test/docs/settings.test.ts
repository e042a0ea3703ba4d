// Every setting in one place: the environment is read only in src/io/settings.ts, and every variable it
// reads is in the README's "Settings" table.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const sources = sourceFiles(join(ROOT, "src")).map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, "utf8"),
}));

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const settingsSection = readme.slice(
  readme.indexOf("### Settings"),
  readme.indexOf("\n### ", readme.indexOf("### Settings") + 1),
);

describe("settings", () => {
  it("are read from the environment in src/io/settings.ts only", () => {
    const readers = sources.filter((s) => s.text.includes("process.env")).map((s) => s.path);
    expect(readers).toEqual(["src/io/settings.ts"]);
  });

  it("are each listed in the README's Settings table", () => {
    const settings = sources.find((s) => s.path === "src/io/settings.ts")?.text ?? "";
    const names = [...settings.matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThanOrEqual(5);
    const missing = names.filter((name) => !settingsSection.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
