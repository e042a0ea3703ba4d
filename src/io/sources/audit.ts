import { AUDIT_FIELDS } from "../../parse/audit.js";
import { parsedLinesSource } from "./parsed-lines.js";
import type { InputSource } from "./types.js";

/**
 * A Linux audit log (audit.log, raw or enriched), read from its JSON Lines copy (see `parsedCopies`): one
 * record per system call, numbered by the line of the log it is on, so errors name that line.
 */
export const auditSource: InputSource = parsedLinesSource("audit", AUDIT_FIELDS.line);
