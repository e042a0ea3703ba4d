// One worker thread of a parallel hunt (see threads.ts): runs the offloaded part of a detector's threaded
// training on request.
import { parentPort } from "node:worker_threads";
import { detectorEntry } from "../detect/registry.js";
import { SeqhuntError } from "../errors.js";
import type { ThreadReply, ThreadRequest } from "./thread-messages.js";

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

function handle(request: ThreadRequest): ThreadReply {
  const threaded = detectorEntry(request.method).factory().threaded;
  if (threaded === undefined) throw new Error(`the ${request.method} detector has no threaded training`);
  return { type: "worked", id: request.id, result: threaded.work(request.request) };
}

port.on("message", (request: ThreadRequest) => {
  try {
    port.postMessage(handle(request));
  } catch (err) {
    port.postMessage(failure(err, request.id));
  }
});
