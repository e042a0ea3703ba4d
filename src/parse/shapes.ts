/**
 * Value shapes: values that differ on every line (GUIDs, SIDs, hashes, addresses, user names in profile
 * paths, temporary file names, long numbers) replaced by a placeholder naming their shape, so training and
 * scoring see `<GUID>` where the log had a fresh GUID each time. Pure: no I/O, browser-safe.
 *
 * Logs are attacker-controlled: every pattern here runs in time linear in the text (no nested or
 * overlapping quantifiers; every repetition is bounded, so each start position costs a bounded number of steps).
 */

/** One shape: what it matches and what it becomes. */
interface Shape {
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

// A placeholder's < > count as part of a word, so a shape never starts or ends next to one (idempotence).
const B = "(?<![0-9A-Za-z_<>])";
const E = "(?![0-9A-Za-z_<>])";

function isIpv4(text: string): boolean {
  return text.split(".").every((octet) => Number(octet) <= 255 && !(octet.length > 1 && octet[0] === "0"));
}

/** Placeholders, in the order they are tried: the more specific shapes first. */
const SHAPES: readonly Shape[] = [
  // Profile paths: the user's name is the varying part, the path above and below it is kept.
  {
    pattern: /([A-Za-z]:\\Users\\|\/home\/|\/Users\/)(?!<USER>)[^\\/\s"'<>|:*?]{1,64}/gi,
    replace: (_m, prefix) => `${prefix}<USER>`,
  },
  {
    pattern: new RegExp(`${B}\\{?[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\\}?${E}`, "g"),
    replace: () => "<GUID>",
  },
  // Domain and local account SIDs; well-known short ones (S-1-5-18, SYSTEM) say who and are kept.
  { pattern: new RegExp(`${B}S-1-5-21(?:-\\d{1,10}){3,4}${E}`, "gi"), replace: () => "<SID>" },
  {
    pattern: new RegExp(`${B}(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})${E}`, "g"),
    replace: () => "<HASH>",
  },
  {
    pattern: /(?<![0-9A-Za-z_.<>])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![0-9A-Za-z_.<>])/g,
    replace: (m) => (isIpv4(m.split(":")[0] as string) ? "<IP>" : m),
  },
  // IPv6: a run of hex groups and colons with a `::` or all eight groups; optionally [..]:port.
  {
    pattern:
      /(?<![0-9A-Za-z_:<>])\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[0-9A-Za-z]{1,16})?\]?(?::\d{1,5})?(?![0-9A-Za-z_:<>])/g,
    replace: (m) => {
      const core = m.replace(/^\[|\](?::\d+)?$|%.*$/g, "");
      const groups = core.split(":");
      const compressed = core.includes("::") && /[0-9A-Fa-f]/.test(core);
      return (compressed || groups.length === 8) && !core.includes(":::") ? "<IP>" : m;
    },
  },
  // Temporary files: mktemp's tmp.XXXXXXXXXX, Office's ~DF1234.tmp, anything.tmp.
  {
    pattern: new RegExp(`${B}(?:tmp\\.[0-9A-Za-z]{6,32}|~?[0-9A-Za-z$_-]{1,64}\\.tmp)${E}`, "gi"),
    replace: () => "<TMP>",
  },
  { pattern: new RegExp(`${B}\\d{5,64}${E}`, "g"), replace: () => "<NUM>" },
];

/**
 * The text with every value of a known shape replaced by its placeholder: `<GUID>`, `<SID>`
 * (S-1-5-21-...), `<HASH>` (md5, sha1, sha256 hex), `<IP>` (IPv4, IPv6, with or without a port),
 * `C:\Users\<USER>` and `/home/<USER>` (and `/Users/<USER>`), `<TMP>` (mktemp and `.tmp` names), `<NUM>`
 * (5 or more digits). Idempotent; never throws; linear in the text's length.
 */
export function shapeValue(text: string): string {
  let out = text;
  for (const shape of SHAPES) out = out.replace(shape.pattern, shape.replace as (m: string) => string);
  return out;
}
