/**
 * @module
 * The workflow a `workflow_start` starts, remembered per TenantDO instance (issue 16, "Runs"):
 * which version is the default, and each version's parsed and checked definition, so that a start
 * does not read the version's row, parse its JSON and check it against the dialect's schema again.
 * A stored version never changes (workflow-store.ts); what can change is which version is the
 * default and which are yanked, only by a publish, a yank or a release change, each of which calls
 * `invalidate()` right after its transaction (before any other request runs), and an erasure,
 * which builds a new instance. So an answer from here is always what the rows say now. At most
 * `MAX_ENTRIES` entries; past that it starts again empty. `EDGEFLOW_RUN_START_CACHE=off` reads the
 * rows on every start (the benchmark's same-run comparison).
 */
import type { StoredWorkflow } from "./contracts.ts";
import { assertStartable } from "./workflow-release.ts";
import { getVersion } from "./workflow-store.ts";

const MAX_ENTRIES = 256;

export class StartDefinitions {
  readonly #enabled: boolean;
  /** `name@version` (an explicit, startable version) or `name@` (the default) → the stored version */
  readonly #entries = new Map<string, StoredWorkflow>();
  /** how many times the rows were read (for tests: a cached start reads none) */
  #reads = 0;

  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  /**
   * The version a start of `name` gets: `version` when given (refused when yanked:
   * `workflow.version_yanked`), else the default; `workflow.not_found` when there is none.
   */
  get(sql: SqlStorage, name: string, version?: string): StoredWorkflow {
    const key = `${name}@${version ?? ""}`;
    const cached = this.#enabled ? this.#entries.get(key) : undefined;
    if (cached !== undefined) return cached;
    this.#reads += 1;
    const stored = getVersion(sql, name, version);
    if (version !== undefined) assertStartable(sql, stored.name, stored.version);
    if (this.#enabled) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(key, stored);
    }
    return stored;
  }

  /** A publish, yank or release change committed: the default or a yank may have moved. */
  invalidate(): void {
    this.#entries.clear();
  }

  get reads(): number {
    return this.#reads;
  }
}

/** Whether the cache is on (`EDGEFLOW_RUN_START_CACHE=off` turns it off). */
export function startCacheOn(setting: string | undefined): boolean {
  return setting !== "off";
}
