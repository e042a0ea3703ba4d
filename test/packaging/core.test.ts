// The core package is pure: its import graph stays out of Node, native packages and the CLI layers
// (test/e2e/packaging/core-compile.test.ts compiles it with no Node types).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CORE, coreGraph } from "../helpers/core-graph.js";

const corePackage = JSON.parse(readFileSync(resolve(CORE, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
};

describe("the core package", () => {
  const graph = coreGraph();

  it("reaches the model, the sessionizer and their types", () => {
    // A walk that found nothing would pass every check below.
    expect(graph.files).toEqual(
      expect.arrayContaining(["index.ts", "model/model.ts", "sessionize/sessionize.ts", "types.ts"]),
    );
  });

  it("reaches no file of the CLI, the readers, the report, the engines or the demo", () => {
    const outside = graph.files.filter((f) => /^(cli|io|report|engine|demo)\//.test(f) || f === "version.ts");
    expect(outside).toEqual([]);
  });

  it("imports no Node module and no package but its own dependencies", () => {
    const allowed = new Set(Object.keys(corePackage.dependencies ?? {}));
    const foreign = graph.external.filter(({ specifier }) => {
      const name = specifier.startsWith("@")
        ? specifier.split("/").slice(0, 2).join("/")
        : specifier.split("/")[0];
      return !allowed.has(name ?? "");
    });
    expect(foreign).toEqual([]);
  });
});
