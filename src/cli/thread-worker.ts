// One worker thread of a parallel hunt (see threads.ts): holds the sessions the main thread hands it and
// counts markov-novelty's statistics over them on request.
import { parentPort } from "node:worker_threads";
import { MarkovNoveltyPartCounter } from "../detect/markov-novelty-parts.js";
import type { WeightedSession } from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { weightedSessionOf } from "./detect-glue.js";
import { decodeSession } from "./spill.js";
import type { ThreadReply, ThreadRequest } from "./thread-messages.js";

const port = parentPort;
if (port === null) throw new Error("thread-worker.ts runs only as a worker thread");
/** The worker's sessions as sent (encodeSession text), decoded when counting starts. */
let lines: string[] = [];

/** An error as the main thread rebuilds it: a SeqhuntError keeps its words and place, anything else is internal. */
function failure(err: unknown, id: number): ThreadReply {
  if (err instanceof SeqhuntError)
    return { type: "error", id, seqhunt: true, message: err.message, location: err.location };
  return {
    type: "error",
    id,
    seqhunt: false,
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  };
}

/** markov-novelty's counting of this worker's sessions, between its two steps. */
let counting: { counter: MarkovNoveltyPartCounter; sessions: WeightedSession[] } | null = null;

function handle(request: ThreadRequest): ThreadReply | null {
  if (request.type === "take") {
    for (const line of request.lines) lines.push(line);
    return null;
  }
  if (request.type === "count") {
    const weighted = weightedSessionOf(request.identityColumns, request.entity);
    const sessions = lines.map((line) => weighted(decodeSession(line)));
    // The text is not needed again: the decoded sessions are counted twice, then dropped.
    lines = [];
    counting = { counter: new MarkovNoveltyPartCounter(), sessions };
    return { type: "categorical", id: request.id, parts: counting.counter.first(sessions) };
  }
  if (counting === null) throw new Error("a worker thread was asked to count before its first step");
  const part = counting.counter.second(counting.sessions, new Set(request.categorical));
  counting = null;
  return { type: "counted", id: request.id, part };
}

port.on("message", (request: ThreadRequest) => {
  try {
    const reply = handle(request);
    if (reply !== null) port.postMessage(reply);
  } catch (err) {
    port.postMessage(failure(err, request.id));
  }
});
