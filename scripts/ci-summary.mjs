// Adds up vitest's JSON report (both projects, unit and e2e, in one file) and the conformance scripts' last
// lines into one "N passed, N failed" (", N skipped" after it when vitest skipped any).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "test-artifacts";
let passed = 0;
let failed = 0;
let skipped = 0;
const report = join(dir, "vitest.json");
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  if (!r.success && r.numFailedTests === 0) failed += 1; // a suite that failed to load
} else {
  console.error("no vitest report: the tests did not run");
  failed += 1;
}
for (const f of readdirSync(dir).filter((n) => n.startsWith("conformance-"))) {
  const last = readFileSync(join(dir, f), "utf8").trim().split("\n").at(-1) ?? "";
  const m = /^(\d+) passed, (\d+) failed$/.exec(last);
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  } else {
    console.error(`${f}: no result line`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
