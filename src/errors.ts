/** Where in the input an error was found; every field is optional. */
export interface SeqhuntErrorLocation {
  /** Index of the session (0-based) in the list given to the model. */
  readonly session?: number;
  /** Index of the command (0-based) inside that session. */
  readonly command?: number;
  /** Index of the row (0-based) in the rows given to a function. */
  readonly row?: number;
  /** File the bad value came from. */
  readonly file?: string;
  /** Line (1-based) of that file. */
  readonly line?: number;
  /** Column or field holding the bad value. */
  readonly field?: string;
}

/**
 * The one error type seqhunt throws for bad input or misuse.
 * Its message names where the problem is (session and command index, or file, line and field).
 */
export class SeqhuntError extends Error {
  /** Where the problem is, when it is tied to a place in the input. */
  readonly location: SeqhuntErrorLocation;

  constructor(message: string, location: SeqhuntErrorLocation = {}) {
    super(message);
    this.name = "SeqhuntError";
    this.location = location;
  }
}
