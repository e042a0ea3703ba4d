// The core package compiles against the browser's library with no Node types at all: what an import walk
// cannot see (`process`, `Buffer`, `require` as globals) fails the compile.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CORE, ROOT } from "../../helpers/core-graph.js";

describe("the core package", () => {
  it("compiles with no Node types, against ES2022 and the DOM only", () => {
    const tsc = resolve(ROOT, "node_modules", "typescript", "bin", "tsc");
    const config = resolve(CORE, "tsconfig.json");
    const compiled = JSON.parse(
      execFileSync(process.execPath, [tsc, "-p", config, "--showConfig"], { encoding: "utf8" }),
    ) as { compilerOptions: { types: string[]; lib: string[] } };
    expect(compiled.compilerOptions.types).toEqual([]);
    expect(compiled.compilerOptions.lib.map((l) => l.toLowerCase())).toEqual(["es2022", "dom"]);
    execFileSync(process.execPath, [tsc, "-p", config, "--noEmit"], { encoding: "utf8" });
  });
});
