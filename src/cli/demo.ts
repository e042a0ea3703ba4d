import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { generateExchangeLog } from "../demo/generate.js";
import { writeRecords } from "../io/write.js";
import { type HuntOptions, hunt, type Io } from "./commands.js";

/** demo: generate a sample log with injected attacks, hunt it, write scores, and say where the attacks ranked. */
export async function demo(options: { out: string; seed: number; quiet: boolean }, io: Io): Promise<void> {
  mkdirSync(options.out, { recursive: true });
  const { events, attacks } = generateExchangeLog({ seed: options.seed });
  const logPath = join(options.out, "exchange_admin_log.csv");
  await writeRecords(logPath, events as unknown as Record<string, unknown>[], [
    "TimeGenerated",
    "UserId",
    "ClientIP",
    "Operation",
    "Parameters",
  ]);
  if (!options.quiet)
    io.err(`generated ${events.length} events with ${attacks.length} injected attack sessions: ${logPath}`);
  const huntOptions: HuntOptions = {
    user: ["UserId", "ClientIP"],
    time: "TimeGenerated",
    event: "Operation",
    params: "Parameters",
    paramsFormat: "exchange",
    paramMode: "values",
    maxGap: 2,
    maxDuration: 20,
    sessions: false,
    onBadRow: "fail",
    window: 3,
    tokens: true,
    geoMean: false,
    top: 10,
    out: join(options.out, "scores.jsonl"),
    report: join(options.out, "report.html"),
    quiet: options.quiet,
  };
  const result = await hunt([logPath], huntOptions, io);
  const ranks = attacks.map((a) => {
    const found = result.ranked.find(
      (r) =>
        r.session.identity[0] === a.UserId &&
        r.session.identity[1] === a.ClientIP &&
        r.session.start === Date.parse(a.start) * 1000,
    );
    return { ...a, rank: found?.rank ?? null };
  });
  const total = result.ranked.length;
  io.out(`\nInjected attack sessions, by rank among ${total} sessions:`);
  for (const a of [...ranks].sort((x, y) => (x.rank ?? Infinity) - (y.rank ?? Infinity))) {
    io.out(`  rank ${a.rank ?? "not found"}: ${a.description} (${a.UserId} from ${a.ClientIP})`);
  }
  io.out(`\nScores of every session: ${huntOptions.out}\nReport: ${huntOptions.report}`);
}
