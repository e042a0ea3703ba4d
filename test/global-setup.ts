import { execFileSync } from "node:child_process";

/** The end-to-end tests spawn the built CLI: build it once, fresh, before any test runs. */
export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
