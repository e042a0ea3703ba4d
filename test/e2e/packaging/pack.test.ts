// Both packages are ready to publish: `npm pack` lists what a user needs and nothing else, and the
// tarballs, installed into a project outside the repository, run.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../../../src/index.js";
import { tempDir } from "../../helpers/cli.js";
import { CORE, coreGraph, ROOT } from "../../helpers/core-graph.js";

interface PackageJson {
  name: string;
  version: string;
  main: string;
  types: string;
  bin?: Record<string, string>;
  exports: Record<string, string | { types: string; import: string }>;
  dependencies?: Record<string, string>;
}

interface Packed {
  filename: string;
  files: { path: string; mode: number }[];
}

const readPackage = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
const root = readPackage(ROOT);
const core = readPackage(CORE);

/** `npm pack` of the root package or of a workspace, as JSON; scripts off: the tests run on a fresh build. */
function pack(options: { workspace?: string; destination?: string }): Packed {
  const args = ["pack", "--json", "--ignore-scripts"];
  if (options.workspace !== undefined) args.push("--workspace", options.workspace);
  if (options.destination === undefined) args.push("--dry-run");
  else args.push("--pack-destination", options.destination);
  const [packed] = JSON.parse(execFileSync("npm", args, { cwd: ROOT, encoding: "utf8" })) as Packed[];
  if (packed === undefined) throw new Error(`npm ${args.join(" ")} listed no package`);
  return packed;
}

/** Every file a package.json points a user at: main, types, bin and each export. */
function entryPoints(pkg: PackageJson): string[] {
  const exported = Object.values(pkg.exports).flatMap((e) =>
    typeof e === "string" ? [e] : [e.types, e.import],
  );
  return [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {}), ...exported].map((p) =>
    p.replace(/^\.\//, ""),
  );
}

/** What no user needs: sources, source maps, tests, benchmarks, scripts, fixtures. */
const NOT_FOR_USERS = /(^|\/)(src|test|bench|scripts|examples|docs)\/|\.map$|(?<!\.d)\.ts$|\.test\.|tsconfig/;

describe("npm pack", () => {
  it("the CLI package holds its build, README and package.json only; the binary is executable", () => {
    const { files } = pack({});
    const paths = files.map((f) => f.path);
    expect(paths.filter((p) => !p.startsWith("dist/") && p !== "README.md" && p !== "package.json")).toEqual(
      [],
    );
    expect(paths.filter((p) => NOT_FOR_USERS.test(p))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(entryPoints(root)));
    const bin = files.find((f) => f.path === "dist/cli/main.js");
    expect((bin?.mode ?? 0) & 0o111).not.toBe(0);
  });

  it("the core package holds exactly the compiled core, with types, README and package.json", () => {
    const { files } = pack({ workspace: core.name });
    const compiled = coreGraph().files.flatMap((f) => {
      const base = `dist/${f.replace(/\.ts$/, "")}`;
      return [`${base}.js`, `${base}.d.ts`];
    });
    const paths = files.map((f) => f.path);
    expect(paths.sort()).toEqual(["README.md", ...compiled, "package.json"].sort());
    expect(paths).toEqual(expect.arrayContaining(entryPoints(core)));
  });

  it("the core keeps the CLI package's version and dependency versions", () => {
    expect(core.version).toBe(root.version);
    for (const [name, version] of Object.entries(core.dependencies ?? {}))
      expect(root.dependencies?.[name]).toBe(version);
  });
});

describe("the packed tarballs, installed outside the repository", () => {
  const dir = tempDir();
  const app = join(dir, "app");
  const modules = join(app, "node_modules");

  /** Unpacks a tarball as npm installs it, and links its dependencies to the repository's copies. */
  function install(pkg: PackageJson, tarball: string): void {
    const target = join(modules, pkg.name);
    mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components", "1"]);
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      mkdirSync(resolve(modules, name, ".."), { recursive: true });
      try {
        symlinkSync(join(ROOT, "node_modules", name), join(modules, name), "dir");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
  }

  it("the library scores as the sources do, imported by its package name", () => {
    install(core, join(dir, pack({ workspace: core.name, destination: dir }).filename));
    const sessions = [
      ["Get-Mailbox", "Set-Mailbox"],
      ["Get-Mailbox", "Set-Mailbox", "Get-User"],
      ["Get-User", "New-InboxRule", "Set-Mailbox"],
    ];
    const script = `
      import { Model } from "@seqhunt/core";
      const model = new Model(${JSON.stringify(sessions)});
      model.train();
      console.log(JSON.stringify(model.score(${JSON.stringify(sessions)}, { windowLength: 2 })));`;
    writeFileSync(join(app, "score.mjs"), script);
    const scored = JSON.parse(execFileSync(process.execPath, [join(app, "score.mjs")], { encoding: "utf8" }));
    const model = new Model(sessions);
    model.train();
    expect(scored).toEqual(JSON.parse(JSON.stringify(model.score(sessions, { windowLength: 2 }))));
  });

  it("the CLI starts and hunts", () => {
    install(root, join(dir, pack({ destination: dir }).filename));
    const cli = join(modules, "seqhunt", "dist", "cli", "main.js");
    expect(execFileSync(cli, ["--version"], { encoding: "utf8" }).trim()).toBe(root.version);
    const log = ["UserId,TimeGenerated,Operation"];
    for (let i = 0; i < 30; i++)
      log.push(
        `u${i % 3},2026-01-01T00:00:${String(i).padStart(2, "0")}Z,${i % 4 === 0 ? "Get-User" : "Set-User"}`,
      );
    writeFileSync(join(app, "log.csv"), `${log.join("\n")}\n`);
    const out = join(app, "scores.jsonl");
    execFileSync(cli, ["hunt", join(app, "log.csv"), "--quiet", "--out", out]);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(3);
  });
});
