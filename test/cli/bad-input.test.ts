// Each kind of bad input: a clear message naming file, line and value, exit code 1; skip mode counts every row.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

const dir = tempDir();
const cols = ["--user", "user", "--time", "t", "--event", "ev"];
const good = [
  "user,t,ev,p",
  "a,2026-01-01T00:00:00Z,x,[]",
  "a,2026-01-01T00:00:30Z,y,[]",
  "b,2026-01-01T00:00:00Z,x,[]",
];
function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("bad input stops with a clear message (exit 1)", () => {
  it("a missing file", async () => {
    const r = await runCli(["hunt", join(dir, "nope.csv"), ...cols]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.csv: no such file");
  });

  it("a missing column, listing the columns that exist", async () => {
    const r = await runCli([
      "hunt",
      file("cols.csv", good),
      "--user",
      "UserId",
      "--time",
      "t",
      "--event",
      "ev",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no identity column "UserId"; the columns are: "user", "t", "ev", "p"');
  });

  it("an unparseable time, with file, line, field and value", async () => {
    const path = file("time.csv", [...good, 'c,"multi', 'line",x,[]', "c,last tuesday,x,[]"]);
    const r = await runCli(["hunt", path, ...cols]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:5: column "t": unparseable time: "multi\\nline"`);
  });

  it("bad params JSON", async () => {
    const path = file("params.csv", [...good, 'a,2026-01-01T00:01:00Z,z,"[{""Name"": "']);
    const r = await runCli(["hunt", path, ...cols, "--params", "p", "--param-mode", "values"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:5: column "p": bad params JSON`);
  });

  it("a row with the wrong number of fields", async () => {
    const path = file("fields.csv", [...good, "a,2026-01-01T00:01:00Z,z,[],extra"]);
    const r = await runCli(["hunt", path, ...cols]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${path}:5: too many columns: the header has 4 fields, this row 5`));
  });

  it("a bad JSON line", async () => {
    const path = file("bad.jsonl", ['{"user":"a","t":"2026-01-01T00:00:00Z","ev":"x"}', "", "{not json"]);
    const r = await runCli(["hunt", path, ...cols]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:3: bad JSON (`);
    expect(r.stderr).toContain('the line starts "{not json"');
  });

  it("a missing event", async () => {
    const path = file("event.jsonl", [
      '{"user":"a","t":"2026-01-01T00:00:00Z","ev":"x"}',
      '{"user":"a","t":"2026-01-01T00:00:01Z"}',
    ]);
    const r = await runCli(["hunt", path, ...cols]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:2: column "ev": missing event`);
  });

  it("an output file that cannot be written", async () => {
    const r = await runCli([
      "hunt",
      file("out.csv", good),
      ...cols,
      "--out",
      join(dir, "no", "such", "folder", "x.jsonl"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/x\.jsonl: cannot write: the folder .* does not exist/);
    expect(r.stderr).not.toContain("internal error");
  });

  it("a damaged model file", async () => {
    const model = file("model.json", ['{"format": "seqhunt-model", "version": 1}']);
    const r = await runCli(["score", file("ok.csv", good), ...cols, "--model", model]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("model.json: not a valid seqhunt model");
  });

  it("a model file with one field damaged, in the reference model or the detector, naming the field", async () => {
    const trained = join(dir, "trained.json");
    expect((await runCli(["train", file("train.csv", good), ...cols, "--out", trained])).code).toBe(0);
    type Saved = {
      reference: { seq1: unknown[] };
      detector: {
        state: {
          model: { markovSet: { model: { presence: { global: { sets: { counts: unknown[][] } } } } } };
        };
      };
    };
    const damage = async (name: string, change: (json: Saved) => void) => {
      const json = JSON.parse(readFileSync(trained, "utf8")) as Saved;
      change(json);
      const r = await runCli([
        "score",
        file("ok.csv", good),
        ...cols,
        "--model",
        file(name, [JSON.stringify(json)]),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain("internal error");
      return r.stderr;
    };
    expect(
      await damage("seq1.json", (json) => {
        json.reference.seq1[3] = "1";
      }),
    ).toContain("seq1.json: not a valid seqhunt model: seq1[3] must be a count");
    expect(
      await damage("sets.json", (json) => {
        json.detector.state.model.markovSet.model.presence.global.sets.counts[0] = [5, 1];
      }),
    ).toContain(
      "sets.json: not a valid saved occurrence view: global.sets.counts[0] must be a [text, count] pair",
    );
  });
});

describe("bad rows are found the same way in both reading modes", () => {
  it.each(["batches", "rows"])("%s", async (mode) => {
    const path = file(`modes-${mode}.csv`, [...good, "a,never,z,[]", 'a,2026-01-01T00:01:10Z,z,"{bad"']);
    const skip = await runCli(
      ["hunt", path, ...cols, "--params", "p", "--param-mode", "names", "--on-bad-row", "skip"],
      {
        env: {
          SEQHUNT_READ_MODE: mode,
        },
      },
    );
    expect(skip.stderr).toContain("read 5 rows: used 3, skipped 2 (bad params JSON: 1, unparseable time: 1)");
    const fail = await runCli(["hunt", path, ...cols, "--params", "p", "--param-mode", "names"], {
      env: {
        SEQHUNT_READ_MODE: mode,
      },
    });
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(
      /:5: column "t": unparseable time: "never"|:6: column "p": bad params JSON: "\{bad"/,
    );
  });
});

describe("--on-bad-row skip", () => {
  it("goes on and ends with a summary of every row read", async () => {
    const path = file("mixed.csv", [
      ...good,
      "a,never,z,[]",
      "a,2026-01-01T00:01:00Z,z,[],extra",
      'a,2026-01-01T00:01:10Z,z,"{bad"',
      "a,,z,[]",
    ]);
    const r = await runCli([
      "hunt",
      path,
      ...cols,
      "--params",
      "p",
      "--param-mode",
      "names",
      "--on-bad-row",
      "skip",
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "read 7 rows: used 3, skipped 4 (bad params JSON: 1, missing time: 1, too many columns: 1, unparseable time: 1)",
    );
  });

  it("still prints the summary with --quiet when rows were skipped", async () => {
    const path = file("skip-quiet.jsonl", ['{"user":"a","t":"2026-01-01T00:00:00Z","ev":"x"}', "oops"]);
    const r = await runCli(["hunt", path, ...cols, "--on-bad-row", "skip", "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe("read 2 rows: used 1, skipped 1 (bad JSON: 1)");
  });
});

describe("usage errors (exit 2)", () => {
  it.each([
    [["hunt", "x.csv", "--window", "abc"], "--window must be a whole number"],
    [["hunt", "x.csv", "--param-mode", "all"], "Allowed choices are none, names, values"],
    [["hunt", "x.csv", "--bogus"], "unknown option '--bogus'"],
    [["score", "x.csv"], "score needs --model FILE"],
    [["train", "x.csv"], "train needs --out FILE (or --update MODEL)"],
    [["frobnicate"], "unknown command 'frobnicate'"],
  ])("%j", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
