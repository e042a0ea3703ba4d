// Global setup of the e2e project only (vitest.config.ts): the unit project needs no build and no server.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { chromiumBinary } from "./helpers/browser.js";

const CLICKHOUSE = resolve("scripts", "clickhouse.sh");

async function clickHouseAnswers(): Promise<boolean> {
  try {
    return (await fetch("http://127.0.0.1:18123/ping")).ok;
  } catch {
    return false;
  }
}

function clickHouseInstalled(): boolean {
  const dirs = (process.env.PATH ?? "").split(delimiter).concat("/usr/bin");
  return dirs.some((dir) => dir !== "" && existsSync(join(dir, "clickhouse-server")));
}

/** The servers' state for the ClickHouse tests, and whether this setup started them (so stops them). */
async function clickHouse(): Promise<{ up: boolean; started: boolean }> {
  if (await clickHouseAnswers()) return { up: true, started: false };
  if (!clickHouseInstalled()) {
    const missing = "clickhouse-server is not installed (apt-get install clickhouse-server; .ci/run does)";
    // CI must run every test: there a missing server is a failure, not a skip.
    if (process.env.CI === "true") throw new Error(`${missing}: CI runs the ClickHouse tests`);
    console.warn(`ClickHouse tests skipped: ${missing}.`);
    return { up: false, started: false };
  }
  execFileSync("bash", [CLICKHOUSE, "start"], { stdio: "inherit" });
  return { up: true, started: true };
}

/**
 * Builds the CLI from nothing (the e2e tests spawn it), unpacks the packaged Chromium when Debian's is
 * missing, and starts the two ClickHouse servers of scripts/clickhouse.sh unless they are up already
 * (stopped afterwards only if started here).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  // From nothing, as on a fresh clone: a file left by an earlier build would hide what the build misses.
  rmSync("dist", { recursive: true, force: true });
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  // Once, before the workers that launch it start, so none reads a half-written binary.
  await chromiumBinary();
  const servers = await clickHouse();
  project.provide("clickHouseUp", servers.up);
  return () => {
    if (servers.started) execFileSync("bash", [CLICKHOUSE, "stop"], { stdio: "inherit" });
  };
}
