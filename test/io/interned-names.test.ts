import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { readEvents } from "../../src/io/read-events.js";
import type { Command } from "../../src/types.js";
import { tempDir } from "../helpers/cli.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap bytes in use after a full collection. */
function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

describe("events read to sort in memory", () => {
  const dir = tempDir();
  it("keep one copy of each event name, not one per row", async () => {
    // 2,000 rows naming one of two 5,000-character commands: 10 MB of names as copies, 10 kB shared.
    const names = ["A", "B"].map((c) => c.repeat(5000));
    const path = join(dir, "long-names.csv");
    const lines = ["UserId,TimeGenerated,Operation"];
    for (let i = 0; i < 2000; i++) lines.push(`u${i % 7},${1767225600 + i},${names[i % 2]}`);
    writeFileSync(path, `${lines.join("\n")}\n`);
    const read = async (commands: Command[]) =>
      readEvents(
        [path],
        {
          identity: ["UserId"],
          time: "TimeGenerated",
          event: "Operation",
          params: null,
          paramsFormat: "exchange",
          paramMode: "none",
          onBadRow: "fail",
          sortInMemory: true,
        },
        (_identity, _time, command) => commands.push(command),
      );
    await read([]); // the first read loads DuckDB
    const before = heapUsed();
    const commands: Command[] = [];
    await read(commands);
    const kept = heapUsed() - before;
    expect(commands).toHaveLength(2000);
    expect(new Set(commands)).toEqual(new Set(names));
    expect(kept).toBeLessThan(4e6);
  });
});
