/**
 * @module
 * The `tasks` scope of expressions while a run has a dependency graph: `tasks.<name>.status`,
 * `.result`, `.error` and, for a `for_each` task, `.results`. A read-only view computed from the
 * task records on each access, so it is current even in the middle of a scheduler call (a
 * condition evaluated while a completion propagates sees every task finished so far) and costs
 * nothing per task until read: a graph of 100,000 tasks is not copied per evaluation. The
 * sandbox copies only the tasks an expression names (`tasks.build.result` sends `build`).
 */
import { findTask, type GraphRunState, type TaskScopeEntry, taskScopeEntry } from "../../graph/index.ts";

const views = new WeakMap<GraphRunState, Record<string, TaskScopeEntry>>();

export function tasksScopeView(state: GraphRunState): Record<string, TaskScopeEntry> {
  let view = views.get(state);
  if (view === undefined) {
    view = new Proxy(Object.create(null) as Record<string, TaskScopeEntry>, viewHandler(state));
    views.set(state, view);
  }
  return view;
}

function viewHandler(state: GraphRunState): ProxyHandler<Record<string, TaskScopeEntry>> {
  const entry = (key: string | symbol): TaskScopeEntry | undefined => {
    if (typeof key !== "string") return undefined;
    const task = findTask(state, key);
    return task === undefined || task.origin === "branch" ? undefined : taskScopeEntry(task);
  };
  return {
    get: (_target, key) => entry(key),
    has: (_target, key) => entry(key) !== undefined,
    ownKeys: () => state.tasks.filter((task) => task.origin !== "branch").map((task) => task.id),
    getOwnPropertyDescriptor: (_target, key) => {
      const value = entry(key);
      return value === undefined
        ? undefined
        : { value, writable: false, enumerable: true, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  };
}
