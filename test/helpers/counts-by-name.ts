// The default detector's statistics keyed by names, so counts interned in different orders compare equal.
import type { Chain, ChainJson } from "../../src/detect/chain.js";
import type { Novelty } from "../../src/detect/novelty.js";
import type { Presence, PresenceJson } from "../../src/detect/presence.js";
import type { NGramCountsJson } from "../../src/model/ngram.js";

/** N-gram counts keyed by names: `context tokens -> next: count`, with the session count. */
export function ngramByName(j: NGramCountsJson): Record<string, number> {
  const out: Record<string, number> = { sessions: j.sessions };
  for (const [key, total, next] of j.contexts) {
    const ids = (key.split(":")[1] as string).split(",").filter((x) => x !== "");
    const context = ids.map((id) => j.tokens[Number(id)]).join(" ");
    out[`${context} total`] = total;
    for (let i = 0; i < next.length; i += 2)
      out[`${context} -> ${j.tokens[next[i] as number]}`] = next[i + 1] as number;
  }
  return out;
}

/** A chain's counts keyed by names. */
export function chainByName(c: Chain) {
  const j: ChainJson = c.toJSON();
  return {
    order: j.order,
    perEntity: j.perEntity,
    global: ngramByName(j.global),
    entities: Object.fromEntries(j.entities.map(([e, n]) => [e, ngramByName(n)])),
  };
}

/** Presence counts keyed by token names (set keys as their sorted token names). */
export function presenceByName(p: Presence) {
  const j: PresenceJson = p.toJSON();
  const counts = (c: PresenceJson["global"]) => ({
    sessions: c.sessions,
    seen: Object.fromEntries([...c.seen].sort()),
    sets: Object.fromEntries(
      c.sets.counts
        .map(([key, n]) => [
          key
            .split(",")
            .map((id) => j.tokenIds[Number(id)])
            .sort()
            .join(" | "),
          n,
        ])
        .sort(),
    ),
    setSessions: c.sets.sessions,
  });
  return {
    combine: j.combine,
    perEntity: j.perEntity,
    categorical: [...j.categorical].sort(),
    global: counts(j.global),
    entities: Object.fromEntries(j.entities.map(([e, c]) => [e, counts(c)])),
  };
}

/** Window counts in key order. */
export const noveltyByName = (n: Novelty) => ({
  window: n.window,
  counts: Object.fromEntries([...n.counts()].sort()),
});
