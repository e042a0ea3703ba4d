// One worker thread of a parallel hunt, score or train (see threads.ts): reads and sessionizes its share of
// the events, hands the sessions to the main thread, and scores and explains them on request.
import { parentPort, workerData } from "node:worker_threads";
import { loadDetector } from "../detect/detector.js";
import type { DetectorExplanation, SavedDetector } from "../detect/types.js";
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
let lines: string[] = [];
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
  lines = loaded.sessions.map(encodeSession);
  for (let from = 0; from < lines.length; from += BATCH)
    send({ type: "sessions", lines: lines.slice(from, from + BATCH) });
  const { read, used, skipped } = loaded.stats;
  send({ type: "loaded", read, used, skipped: [...skipped] });
}

let detector: { text: string; entity: string | null; loaded: ReturnType<typeof loadDetector> } | null = null;

/** The detector of a request, loaded once per saved text. */
function detectorOf(saved: string, entity: string | null) {
  if (detector === null || detector.text !== saved || detector.entity !== entity)
    detector = { text: saved, entity, loaded: loadDetector(JSON.parse(saved) as SavedDetector) };
  return detector.loaded;
}

function handle(request: ThreadRequest): ThreadReply {
  const d = detectorOf(request.detector, request.entity);
  const picked = Array.from(request.indices, (i) => decodeSession(lines[i] as string));
  const weighted = weightedSessions({ sessions: picked, identityColumns }, request.entity);
  if (request.type === "score") {
    const scores = request.heldOut ? d.scoreHeldOut(weighted) : d.score(weighted);
    return { type: "scores", id: request.id, scores: Float64Array.from(scores) };
  }
  const explanations: DetectorExplanation[] = weighted.map((s) => d.explain(s));
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
