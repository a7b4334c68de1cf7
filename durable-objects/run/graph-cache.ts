/**
 * @module
 * The run's dependency graph in memory. The task records live in SQLite (`graph-store.ts`);
 * rebuilding them costs O(tasks), so the RunDO keeps the graph between requests and hands it to
 * every transition, which updates it in place. Restored from the rows on first need after a wake,
 * and dropped (to be restored again) whenever a transition or its write fails, since the records
 * may then be ahead of the checkpoint.
 */
import type { GraphRunState } from "../../engine/graph/index.ts";
import type { GraphChanges, RunState } from "../../engine/machine/run-model.ts";
import { readGraph } from "./graph-store.ts";

export class GraphCache {
  #graph: GraphRunState | undefined;
  #loaded = false;

  /** The graph of `run` as its last checkpoint left it, or undefined when the run has none. */
  of(sql: SqlStorage, run: RunState): GraphRunState | undefined {
    if (run.graph === undefined) return undefined;
    if (!this.#loaded) {
      this.#graph = readGraph(sql);
      this.#loaded = true;
    }
    return this.#graph;
  }

  /** A transition's graph was written: it is the current one. */
  keep(changes: GraphChanges | undefined): void {
    if (changes === undefined) return;
    this.#graph = changes.state;
    this.#loaded = true;
  }

  drop(): void {
    this.#graph = undefined;
    this.#loaded = false;
  }
}
