import { defineConfig } from "vitest/config";

// Two projects: `npm run test:unit` (no build, no server, no spawned binary; fast) and `npm run test:e2e`
// (test/e2e: the built CLI, Chromium, ClickHouse; its global setup builds and starts them). `npm test` runs both.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**"] },
      },
      {
        extends: true,
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], globalSetup: ["test/global-setup.ts"] },
      },
    ],
  },
});
