import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium (apt-get install chromium; .ci/run installs it). */
export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/** The Chromium the browser tests launch and the environment it needs. */
export interface ChromiumBinary {
  readonly path: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Debian's Chromium when installed, otherwise the headless Chromium that the devDependency
 * @sparticuz/chromium ships inside its tarball, so the browser tests run on a machine with nothing installed.
 * The packaged one is unpacked into the temp folder on the first call (test/global-setup.ts makes that call
 * once, before the test workers start, so they never race on a half-written file).
 */
export async function chromiumBinary(): Promise<ChromiumBinary> {
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, env: {} };
  const { default: packaged } = await import("@sparticuz/chromium");
  const path = await packaged.executablePath();
  // Its fonts are unpacked beside it; the machine may have none.
  return { path, env: { FONTCONFIG_PATH: join(tmpdir(), "fonts") } };
}

/** Headless Chromium with its background networking off (the machine has no network). */
export async function launch(): Promise<Browser> {
  const binary = await chromiumBinary();
  return chromium.launch({
    executablePath: binary.path,
    env: { ...process.env, ...binary.env },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Opens a file, recording page errors and every request that is not the file itself (and blocking it). */
export async function open(
  browser: Browser,
  path: string,
): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const url = `file://${path}`;
  await page.route("**/*", (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  await page.waitForSelector("body[data-ready=timeline]", { timeout: 30_000 });
  return { page, errors, requests };
}
