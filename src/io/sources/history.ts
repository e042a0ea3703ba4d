import { HISTORY_FIELDS } from "../../parse/history.js";
import { parsedLinesSource } from "./parsed-lines.js";
import type { InputSource } from "./types.js";

/**
 * A shell history file (bash, zsh, fish), read from its JSON Lines copy (see `parsedCopies`): one record
 * per command, numbered by the line of the history file it starts on, so errors name that line.
 */
export const historySource: InputSource = parsedLinesSource("history", HISTORY_FIELDS.line);
