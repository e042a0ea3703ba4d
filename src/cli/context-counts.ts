/**
 * Where `--engine clickhouse` counts the default detector's context chain: a module of its own, so that the
 * command line reads the default without loading the ClickHouse path at start-up.
 */

/** In ClickHouse (each shard its own sessions' steps), or in seqhunt as the sessions stream back. */
export type ContextCountsWhere = "clickhouse" | "stream";

/**
 * Where the context chain is counted unless told: in the stream, which measured cheaper at 1M events (less
 * seqhunt CPU, and no shard work) than replaying the shards' steps (docs/SCALE.md).
 */
export const DEFAULT_CONTEXT_COUNTS: ContextCountsWhere = "stream";
