// Preloaded (node --import) into the processes the start-up bench times: as the process exits, writes
// the CPU seconds it used (user + system, every thread) and its peak RSS in MB to fd 3, which the bench reads.
import { writeSync } from "node:fs";

process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  writeSync(3, `${(user + system) / 1e6} ${Math.round(process.resourceUsage().maxRSS / 1024)}`);
});
