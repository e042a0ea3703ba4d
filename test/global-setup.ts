import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { chromiumBinary } from "./helpers/browser.js";

const CLICKHOUSE = resolve("scripts", "clickhouse.sh");

async function clickHouseUp(): Promise<boolean> {
  try {
    return (await fetch("http://127.0.0.1:18123/ping")).ok;
  } catch {
    return false;
  }
}

/**
 * The end-to-end tests spawn the built CLI: build it once, fresh, before any test runs. The ClickHouse
 * tests need the two loopback servers of scripts/clickhouse.sh: start them unless already up (CI starts
 * them itself), and stop them afterwards only if started here.
 */
export default async function setup(): Promise<() => void> {
  // From nothing, as on a fresh clone: a file left by an earlier build would hide what the build misses.
  rmSync("dist", { recursive: true, force: true });
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  // Unpacks the packaged Chromium (when Debian's is missing) once, before the workers that launch it start.
  await chromiumBinary();
  let started = false;
  if (!(await clickHouseUp())) {
    try {
      execFileSync("bash", [CLICKHOUSE, "start"], { stdio: "inherit" });
      started = true;
    } catch {
      // Only the ClickHouse tests need the servers: they fail with this message, the others run.
      process.env.SEQHUNT_CLICKHOUSE_DOWN =
        "the ClickHouse servers of scripts/clickhouse.sh did not start: is Debian's clickhouse-server installed (apt-get install clickhouse-server)?";
    }
  }
  return () => {
    if (started) execFileSync("bash", [CLICKHOUSE, "stop"], { stdio: "inherit" });
  };
}
