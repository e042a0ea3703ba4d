// One worker thread of a parallel hunt, score or train (see threads.ts): reads and sessionizes its share of
// the events, hands the sessions to the main thread, and scores and explains them on request.
import { parentPort, workerData } from "node:worker_threads";
import { loadDetector } from "../detect/detector.js";
import { MarkovNoveltyPartCounter } from "../detect/markov-novelty-parts.js";
import type { Detector, DetectorExplanation, SavedDetector, WeightedSession } from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { weightedSessions } from "./detect-glue.js";
import type { InputOptions } from "./sessions.js";
import { loadSessions } from "./sessions.js";
import { decodeSession, encodeSession } from "./spill.js";
import type { ThreadReply, ThreadRequest, ThreadSetup } from "./thread-messages.js";

/** Encoded sessions per message: large enough to cost little per message, small enough to stream. */
const BATCH = 4096;

const port = parentPort;
if (port === null) throw new Error("thread-worker.ts runs only as a worker thread");
const setup = workerData as ThreadSetup;
/** The worker's sessions as sent (encodeSession text): a fraction of the objects' memory, decoded on request. */
const lines: string[] = [];
let identityColumns: readonly string[] = [];

const send = (reply: ThreadReply) => port.postMessage(reply);

/** An error as the main thread rebuilds it: a SeqhuntError keeps its words and place, anything else is internal. */
function failure(err: unknown): Extract<ThreadReply, { type: "error" }> {
  if (err instanceof SeqhuntError)
    return { type: "error", seqhunt: true, message: err.message, location: err.location };
  return {
    type: "error",
    seqhunt: false,
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  };
}

async function load(): Promise<void> {
  const options: InputOptions = { ...setup.options, partition: setup.partition };
  const loaded = await loadSessions(setup.files, options, (rows, total) =>
    send({ type: "progress", rows, total }),
  );
  identityColumns = loaded.identityColumns;
  // Sent batch by batch as encoded: the main thread decodes one while this thread encodes the next.
  for (let from = 0; from < loaded.sessions.length; from += BATCH) {
    const batch = loaded.sessions.slice(from, from + BATCH).map(encodeSession);
    for (const line of batch) lines.push(line);
    send({ type: "sessions", lines: batch });
  }
  const { read, used, skipped } = loaded.stats;
  send({ type: "loaded", read, used, skipped: [...skipped] });
}

/** The detector of the requests to come, and the entity column its sessions are scored with. */
let current: { detector: Detector; entity: string | null } | null = null;

/** markov-novelty's counting of this worker's sessions, between its two steps. */
let counting: { counter: MarkovNoveltyPartCounter; sessions: WeightedSession[] } | null = null;

function handle(request: ThreadRequest): ThreadReply {
  if (request.type === "count") {
    const sessions = weightedSessions(
      { sessions: lines.map(decodeSession), identityColumns },
      request.entity,
    );
    counting = { counter: new MarkovNoveltyPartCounter(), sessions };
    return { type: "categorical", id: request.id, parts: counting.counter.first(sessions) };
  }
  if (request.type === "count-with") {
    if (counting === null) throw new Error("a worker thread was asked to count before its first step");
    const part = counting.counter.second(counting.sessions, new Set(request.categorical));
    counting = null;
    return { type: "counted", id: request.id, part };
  }
  if (request.type === "detector") {
    current = {
      detector: loadDetector(JSON.parse(request.detector) as SavedDetector),
      entity: request.entity,
    };
    return { type: "ready", id: request.id };
  }
  if (current === null) throw new Error("a worker thread was asked to score before it was given a detector");
  const { detector, entity } = current;
  const picked = Array.from(request.indices, (i) => decodeSession(lines[i] as string));
  const weighted = weightedSessions({ sessions: picked, identityColumns }, entity);
  if (request.type === "score") {
    const scores = request.heldOut ? detector.scoreHeldOut(weighted) : detector.score(weighted);
    return { type: "scores", id: request.id, scores: Float64Array.from(scores) };
  }
  const explanations: DetectorExplanation[] = weighted.map((s) => detector.explain(s));
  return { type: "explanations", id: request.id, explanations };
}

port.on("message", (request: ThreadRequest) => {
  try {
    send(handle(request));
  } catch (err) {
    send({ ...failure(err), id: request.id });
  }
});

load().catch((err: unknown) => send(failure(err)));
