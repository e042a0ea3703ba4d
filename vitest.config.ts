import { defineConfig } from "vitest/config";

// Two projects. `npm run test:unit`: the library, sessionizing, readers, properties, fixtures (no build, no server,
// no spawned process; fast). `npm run test:e2e`: whole commands from file to output, in process (test/cli and
// test/errors, through runCli) or as a user runs them (test/e2e: the built CLI, npx, Chromium, ClickHouse, packaging); its
// global setup builds and starts what they need. `npm test` runs both.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/cli/**", "test/errors/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/cli/**/*.test.ts", "test/errors/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          // A guard against hangs, not a speed check: spawned processes and servers take minutes on a busy machine.
          testTimeout: 180_000,
        },
      },
    ],
  },
});
