import { createRequire } from "node:module";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Log text is attacker-controlled: show control characters (ANSI escapes included) as visible codes. */
export function printable(text: string, max = 80): string {
  const safe = text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

/** A short hash of a text (FNV-1a, 6 hex digits): tells apart two long values shortened alike. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return ((h >>> 0) & 0xffffff).toString(16).padStart(6, "0");
}

/**
 * Text of at most `max` characters that keeps both ends (ARNs and e-mail addresses differ at their end,
 * paths at both): the middle becomes `…#hash…`, the hash of the whole, so two different long values never
 * look the same.
 */
export function shortenMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const mark = `…#${shortHash(text)}…`;
  const keep = Math.max(2, max - mark.length);
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}${mark}${text.slice(text.length - (keep - head))}`;
}

/** Identities longer than this are shortened in the middle (the table wraps the rest). */
const IDENTITY_MAX = 160;

/**
 * An identity as the terminal shows it: whole (the table wraps it, never cuts it), control characters made
 * visible; beyond {@link IDENTITY_MAX} characters shortened in the middle around a hash of the whole.
 */
export function identityText(text: string): string {
  return shortenMiddle(printable(text, Number.POSITIVE_INFINITY), IDENTITY_MAX);
}

/** A progress bar on stderr when it is a terminal and not quiet; otherwise nothing. */
export function progressBar(
  quiet: boolean,
): { update: (rows: number, total: number | null) => void; stop: () => void } | null {
  if (quiet || !process.stderr.isTTY) return null;
  // Loaded when a bar is shown, not at start.
  const cliProgress = createRequire(import.meta.url)("cli-progress") as typeof import("cli-progress");
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "reading {bar} {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}",
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let begun = false;
  return {
    update: (rows, total) => {
      if (!begun) {
        bar.start(total ?? 0, 0, { rate: 0 });
        begun = true;
      }
      const seconds = (Date.now() - started) / 1000;
      bar.update(rows, { rate: seconds > 0 ? Math.round(rows / seconds) : 0 });
    },
    stop: () => {
      if (begun) bar.stop();
    },
  };
}
