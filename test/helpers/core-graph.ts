import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

/** The repository's root folder. */
export const ROOT = resolve(import.meta.dirname, "..", "..");

/** The core package's folder (npm workspace `packages/core`). */
export const CORE = resolve(ROOT, "packages", "core");

/** The source files the core is built from, and every import that leaves them. */
export interface CoreGraph {
  /** Paths relative to src/, e.g. `model/model.ts`, sorted. */
  readonly files: string[];
  /** Each import that is not a relative path (a package or a Node module), with the file importing it. */
  readonly external: { from: string; specifier: string }[];
}

// Static imports and re-exports (`from "x"`), side-effect imports (`import "x"`) and dynamic `import("x")`;
// type-only imports count too: the core should not even name a Node or CLI type.
const SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g;

/**
 * Walks the imports of the core's entry (the file packages/core/tsconfig.json compiles) through every
 * relative import it reaches.
 */
export function coreGraph(): CoreGraph {
  const config = JSON.parse(readFileSync(resolve(CORE, "tsconfig.json"), "utf8")) as { files: string[] };
  const src = resolve(ROOT, "src");
  const seen = new Set<string>();
  const external: { from: string; specifier: string }[] = [];
  const pending = config.files.map((f) => resolve(CORE, f));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const [, specifier = ""] of text.matchAll(SPECIFIER)) {
      if (!specifier.startsWith(".")) {
        external.push({ from: relative(src, file), specifier });
        continue;
      }
      const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"));
      if (!existsSync(target)) throw new Error(`${relative(src, file)}: cannot resolve ${specifier}`);
      pending.push(target);
    }
  }
  return { files: [...seen].map((f) => relative(src, f)).sort(), external };
}
