import { existsSync, readdirSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { SeqhuntError } from "../errors.js";
import { formatOf } from "./formats.js";

/** True when the name is one of the formats seqhunt reads (optionally compressed). */
function supported(path: string): boolean {
  try {
    formatOf(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Folders CloudTrail writes beside its logs in the same S3 tree, holding no principal's calls: digest files
 * (hashes of the log files, no Records) and Insights events (CloudTrail's own findings, no userIdentity).
 * Walking a folder or a glob does not enter them; a file or folder named on the command line is read.
 */
const NOT_EVENT_FOLDERS = new Set(["CloudTrail-Digest", "CloudTrail-Insight"]);

/** Every supported file beneath a folder, recursively, in sorted path order; `passed`: folders not entered. */
function filesBeneath(dir: string): { found: string[]; passed: number } {
  const found: string[] = [];
  let passed = 0;
  const walk = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) {
        if (NOT_EVENT_FOLDERS.has(e.name)) passed++;
        else walk(path);
      } else if (e.isFile() && supported(path)) found.push(path);
    }
  };
  walk(dir);
  return { found, passed };
}

const GLOB_CHARS = /[*?[{]/;

/** A glob as a regular expression: `**` any folders, `*` and `?` within one name, `{a,b}`, `[abc]`. */
function globRegex(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = glob.indexOf("}", i);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(",")
          .map((s) => s.replace(/[.+^$()|\\[\]]/g, "\\$&").replace(/\*/g, "[^/]*"))
          .join("|")})`;
        i = end;
      }
    } else if (c === "[") {
      const end = glob.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += glob.slice(i, end + 1);
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The files a glob matches, sorted: the folders before its first wildcard are walked. */
function globFiles(glob: string): string[] {
  const normal = glob.split(sep).join("/");
  const parts = normal.split("/");
  const firstWild = parts.findIndex((p) => GLOB_CHARS.test(p));
  const base = parts.slice(0, firstWild).join("/") || (normal.startsWith("/") ? "/" : ".");
  if (!existsSync(base) || !statSync(base).isDirectory()) return [];
  const re = globRegex(normal.startsWith("./") ? normal.slice(2) : normal);
  const prefix = base === "." ? "" : `${base.replace(/\/$/, "")}/`;
  const all: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = `${d === "." ? "" : `${d.replace(/\/$/, "")}/`}${e.name}`;
      if (e.isDirectory()) {
        if (!NOT_EVENT_FOLDERS.has(e.name)) walk(path);
      } else if (e.isFile()) all.push(path);
    }
  };
  walk(base);
  return all.filter((p) => re.test(p) && p.startsWith(prefix)).sort();
}

/**
 * The files to read: files as given, every supported file beneath a folder (recursively, sorted), and
 * the files a glob matches (`'AWSLogs/**\/*.json.gz'`, quoted so the shell leaves it to seqhunt); the walk
 * enters no CloudTrail digest or Insights folder.
 */
export function inputFiles(inputs: readonly string[]): string[] {
  if (inputs.length === 0) throw new SeqhuntError("no input files given");
  const files: string[] = [];
  for (const input of inputs) {
    if (existsSync(input)) {
      const stat = statSync(input);
      if (stat.isDirectory()) {
        const { found, passed } = filesBeneath(input);
        if (found.length === 0)
          throw new SeqhuntError(
            `${input}: no .csv, .tsv, .jsonl, .ndjson, .json or .parquet files (optionally .gz) in this folder${passed > 0 ? " (CloudTrail-Digest and CloudTrail-Insight folders are not read: name one to read it)" : ""}`,
            { file: input },
          );
        files.push(...found);
      } else if (stat.isFile()) files.push(input);
      else throw new SeqhuntError(`${input}: not a file`, { file: input });
    } else if (GLOB_CHARS.test(input)) {
      const matched = globFiles(input);
      if (matched.length === 0)
        throw new SeqhuntError(`${input}: no file matches this pattern`, { file: input });
      files.push(...matched);
    } else throw new SeqhuntError(`${input}: no such file`, { file: input });
  }
  return files;
}
