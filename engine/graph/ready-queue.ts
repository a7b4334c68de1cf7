/**
 * @module
 * The ready tasks as a binary heap of task indices keyed by (-priority, index): the top is the
 * highest priority, and among equal priorities the earliest declared. O(log n) push and pop.
 * Entries whose task is no longer `ready` (it went back to waiting when a dynamic edge was added
 * into it) are left in place and dropped when they surface.
 */
import type { GraphRunState, TaskRecord } from "./run-state.ts";

function before(tasks: readonly TaskRecord[], a: number, b: number): boolean {
  const pa = tasks[a]!.priority;
  const pb = tasks[b]!.priority;
  return pa > pb || (pa === pb && a < b);
}

export function pushReady(state: GraphRunState, task: number): void {
  const { ready: heap, tasks } = state;
  let at = heap.length;
  heap.push(task);
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!before(tasks, task, heap[parent]!)) break;
    heap[at] = heap[parent]!;
    at = parent;
  }
  heap[at] = task;
}

/** The best ready task, removed from the heap; stale entries are dropped on the way. */
export function popReady(state: GraphRunState): number | undefined {
  for (;;) {
    const top = popTop(state);
    if (top === undefined || state.tasks[top]!.status === "ready") return top;
  }
}

function popTop(state: GraphRunState): number | undefined {
  const { ready: heap, tasks } = state;
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let at = 0;
  const size = heap.length;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && before(tasks, heap[right]!, heap[left]!) ? right : left;
    if (!before(tasks, heap[child]!, last)) break;
    heap[at] = heap[child]!;
    at = child;
  }
  heap[at] = last;
  return top;
}

/** Rebuilds the heap from the records (a restore): O(n). */
export function rebuildReady(state: GraphRunState): void {
  state.ready = [];
  for (const task of state.tasks) if (task.status === "ready") state.ready.push(task.index);
  state.ready.sort((a, b) => (before(state.tasks, a, b) ? -1 : before(state.tasks, b, a) ? 1 : 0));
}
