// One worker thread of a parallel hunt, train or score (see threads.ts): runs the offloaded part of a
// detector's threaded training, or scores sessions with a model file's detector, on request.
import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { loadDetector } from "../detect/detector.js";
import type { ModelFileV2 } from "../detect/model-file.js";
import { detectorEntry } from "../detect/registry.js";
import type { Detector, WeightedSession } from "../detect/types.js";
import { SeqhuntError } from "../errors.js";
import { trustedCmd } from "../model/cmd.js";
import type { ScoredSessions, ScoreRequest, ThreadReply, ThreadRequest } from "./thread-messages.js";

const port = parentPort;
if (port === null) throw new Error("thread-worker.ts runs only as a worker thread");

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

/** The model file this worker scores with, loaded once: the main thread read and checked the same file. */
let loaded: { readonly path: string; readonly detector: Detector } | null = null;

function detectorOf(path: string): Detector {
  if (loaded?.path !== path) {
    try {
      // Only the detector: the reference model stays with the main thread.
      const file = JSON.parse(readFileSync(path, "utf8")) as ModelFileV2;
      loaded = { path, detector: loadDetector(file.detector) };
    } catch (err) {
      // In the file's words, as the main thread's loading says them.
      throw new SeqhuntError(`${path}: ${(err as Error).message}`, { file: path });
    }
  }
  return loaded.detector;
}

function scored(request: ScoreRequest): ScoredSessions {
  const detector = detectorOf(request.model);
  const sessions: WeightedSession[] = request.sessions.map((s) => ({
    // A Cmd crossed as a plain object: made again (its parts were checked where it was read).
    session: s.session.map((c) => (typeof c === "string" ? c : trustedCmd(c.name, c.params))),
    entity: s.entity,
  }));
  const scores = request.heldOut ? detector.scoreHeldOut(sessions) : detector.score(sessions);
  return {
    scores: Float64Array.from(scores),
    percentiles: Float64Array.from(scores, (x) => detector.percentile(x)),
    reasons: sessions.map((s) => detector.explain(s).reason),
  };
}

function handle(request: ThreadRequest | ScoreRequest): ThreadReply {
  if (request.type === "score") return { type: "worked", id: request.id, result: scored(request) };
  const threaded = detectorEntry(request.method).factory().threaded;
  if (threaded === undefined) throw new Error(`the ${request.method} detector has no threaded training`);
  return { type: "worked", id: request.id, result: threaded.work(request.request) };
}

port.on("message", (request: ThreadRequest | ScoreRequest) => {
  try {
    port.postMessage(handle(request));
  } catch (err) {
    port.postMessage(failure(err, request.id));
  }
});
