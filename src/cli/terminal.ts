import { createRequire } from "node:module";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Log text is attacker-controlled: show control characters (ANSI escapes included) as visible codes. */
export function printable(text: string, max = 80): string {
  const safe = text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
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
