/**
 * @module
 * Coalescing a burst of file-system notifications into `file_change` events, for
 * `edgeflow watch`. Per path, the notifications inside a window collapse to their net effect:
 * what existed before the first one against what exists after the last one. So a path
 * modified ten times is one `modified`; modified then deleted is `deleted` (the last event
 * wins); created then modified is `created` (the file is new to subscribers); deleted then
 * created, an editor's atomic save, is `modified`; and created then deleted is nothing at all.
 *
 * A path is emitted once it has been quiet for `windowMs` (trailing debounce), or once it has
 * been pending for `maxWaitMs` even if writes continue, so a log file written every 100 ms still
 * reports. Deterministic and clock-free: the caller passes each notification's time and `now`.
 */
import type { FileChangeKind, FileChangePayload } from "./event.ts";
import { normalizeFilePath } from "./file-pattern.ts";

export interface FileNotification {
  path: string;
  change: FileChangeKind;
  /** ms since the epoch */
  at: number;
}

export interface DebounceOptions {
  /** quiet time after the last notification of a path before it is emitted; default 200 ms */
  windowMs?: number;
  /** longest a path stays pending while notifications keep coming; default 10 × windowMs */
  maxWaitMs?: number;
}

export const DEFAULT_DEBOUNCE_WINDOW_MS = 200;

interface PendingPath {
  existedBefore: boolean;
  existsAfter: boolean;
  firstAt: number;
  lastAt: number;
}

/** The net change of a window from whether the path existed before it and exists after it. */
export function netChange(existedBefore: boolean, existsAfter: boolean): FileChangeKind | undefined {
  if (existedBefore) return existsAfter ? "modified" : "deleted";
  return existsAfter ? "created" : undefined;
}

export class FileChangeDebouncer {
  readonly #windowMs: number;
  readonly #maxWaitMs: number;
  readonly #pending = new Map<string, PendingPath>();

  constructor(options: DebounceOptions = {}) {
    this.#windowMs = options.windowMs ?? DEFAULT_DEBOUNCE_WINDOW_MS;
    this.#maxWaitMs = options.maxWaitMs ?? this.#windowMs * 10;
    if (!(this.#windowMs >= 0) || !(this.#maxWaitMs >= this.#windowMs)) {
      throw new RangeError("windowMs must be >= 0 and maxWaitMs >= windowMs");
    }
  }

  /** Paths with notifications not yet emitted. */
  get pending(): number {
    return this.#pending.size;
  }

  add(notification: FileNotification): void {
    const path = normalizeFilePath(notification.path);
    const existsAfter = notification.change !== "deleted";
    const current = this.#pending.get(path);
    if (current === undefined) {
      this.#pending.set(path, {
        existedBefore: notification.change !== "created",
        existsAfter,
        firstAt: notification.at,
        lastAt: notification.at,
      });
      return;
    }
    current.existsAfter = existsAfter;
    current.lastAt = Math.max(current.lastAt, notification.at);
  }

  /** The changes whose paths have settled by `now`, oldest first (ties by path); they leave the window. */
  flush(now: number): FileChangePayload[] {
    const settled: [string, PendingPath][] = [];
    for (const entry of this.#pending) {
      const [, pending] = entry;
      if (now - pending.lastAt >= this.#windowMs || now - pending.firstAt >= this.#maxWaitMs)
        settled.push(entry);
    }
    return this.#emit(settled);
  }

  /** Every pending change, settled or not (when the watcher stops). */
  flushAll(): FileChangePayload[] {
    return this.#emit([...this.#pending]);
  }

  /** When the next pending path settles, for the caller's timer; undefined when nothing is pending. */
  nextFlushAt(): number | undefined {
    let earliest: number | undefined;
    for (const pending of this.#pending.values()) {
      const due = Math.min(pending.lastAt + this.#windowMs, pending.firstAt + this.#maxWaitMs);
      if (earliest === undefined || due < earliest) earliest = due;
    }
    return earliest;
  }

  #emit(entries: [string, PendingPath][]): FileChangePayload[] {
    entries.sort(
      ([pathA, a], [pathB, b]) => a.firstAt - b.firstAt || (pathA < pathB ? -1 : pathA > pathB ? 1 : 0),
    );
    const changes: FileChangePayload[] = [];
    for (const [path, pending] of entries) {
      this.#pending.delete(path);
      const change = netChange(pending.existedBefore, pending.existsAfter);
      if (change !== undefined) changes.push({ path, change });
    }
    return changes;
  }
}

/** One burst collapsed at once: the net change of every path (all in one window). */
export function coalesceFileChanges(notifications: readonly FileNotification[]): FileChangePayload[] {
  const debouncer = new FileChangeDebouncer({ windowMs: 0, maxWaitMs: 0 });
  for (const notification of notifications) debouncer.add(notification);
  return debouncer.flushAll();
}
