/**
 * @module
 * Evaluating expressions, conditions and templates for one thread: builds the bindings from the
 * thread's state, its loop frames, the run's event and, once the run has a dependency graph, its
 * `tasks`, and hands them to the sandbox. Tenant secrets are never among them.
 */

import type { WorkflowDefinition } from "../dialect/index.ts";
import { hasTemplate, renderDeep, renderTemplate } from "../expressions/template.ts";
import { buildBindings, recompute } from "../state/index.ts";
import type { EvaluationContext, LoopContext } from "../state/state-data.ts";
import { computedFieldsFor } from "./definition.ts";
import { graphSession } from "./dependency-flow/session.ts";
import { tasksScopeView } from "./dependency-flow/tasks-scope.ts";
import type { GraphTaskThread, MachineContext, RunState, SubAgentTaskThread, Thread } from "./run-model.ts";

/** Everything an evaluation in one thread needs. */
export interface ThreadScope {
  machine: MachineContext;
  definition: WorkflowDefinition;
  run: RunState;
  thread: Thread | SubAgentTaskThread;
}

/** The loop variables in force: every enclosing loop, the innermost winning. */
export function loopContextOf(thread: Thread): LoopContext | undefined {
  let loop: LoopContext | undefined;
  for (const frame of thread.frames) {
    const info = frame.loop;
    if (!info) continue;
    const names: Record<string, unknown> = { ...loop?.names };
    const next: LoopContext = { iteration: info.iteration, names };
    if (info.kind === "foreach") {
      const index = info.iteration - 1;
      next.item = info.items?.[index];
      next.index = index;
      names[info.variableName ?? "item"] = next.item;
      names[info.indexName ?? "index"] = index;
    }
    loop = next;
  }
  return loop;
}

export function evaluationContext(scope: ThreadScope, locals?: Record<string, unknown>): EvaluationContext {
  const { thread, run, definition } = scope;
  const context: EvaluationContext = { config: definition.config ?? {}, event: run.event };
  const loop = loopContextOf(thread);
  if (loop) context.loop = loop;
  const graph = graphSession(run).state;
  if (graph !== undefined) context.tasks = tasksScopeView(graph);
  context.locals = { ...threadLocals(thread), ...locals };
  return context;
}

/** `task_id` (and a sub-agent task's or a `for_each` branch's `item` and `index`). */
function threadLocals(thread: Thread | SubAgentTaskThread): Record<string, unknown> {
  if ("task" in thread) return { task_id: thread.id, item: thread.item, index: thread.index };
  if (!("graphTask" in thread)) return {};
  const graphThread = thread as GraphTaskThread;
  if (graphThread.index === undefined) return { task_id: graphThread.graphTask };
  return { task_id: graphThread.graphTask, item: graphThread.item, index: graphThread.index };
}

/** Evaluates a bare expression (no `{{ }}`) in the thread's scope. */
export function evaluateExpression(
  scope: ThreadScope,
  source: string,
  locals?: Record<string, unknown>,
  loop?: LoopContext,
): unknown {
  return scope.machine.evaluator.evaluate(source, bindingsFor(scope, locals, loop));
}

/** Renders a value: every `{{ }}` inside strings, objects and arrays evaluated. */
export function renderValue(
  scope: ThreadScope,
  value: unknown,
  locals?: Record<string, unknown>,
  loop?: LoopContext,
): unknown {
  let bindings: Record<string, unknown> | undefined;
  const evaluate = (source: string) => {
    bindings ??= bindingsFor(scope, locals, loop);
    return scope.machine.evaluator.evaluate(source, bindings);
  };
  if (typeof value === "string") return hasTemplate(value) ? renderTemplate(value, evaluate) : value;
  return renderDeep(value, evaluate);
}

/** A condition: a template or a bare expression, judged by JavaScript truthiness. */
export function evaluateCondition(scope: ThreadScope, condition: unknown): boolean {
  if (typeof condition === "string") {
    const value = hasTemplate(condition)
      ? renderValue(scope, condition)
      : evaluateExpression(scope, condition);
    return Boolean(value);
  }
  return Boolean(condition);
}

function bindingsFor(
  scope: ThreadScope,
  locals?: Record<string, unknown>,
  loop?: LoopContext,
): Record<string, unknown> {
  const context = evaluationContext(scope, locals);
  if (loop) context.loop = loop;
  const computed = computedFieldsFor(scope.definition, scope.thread);
  if (context.loop) {
    // Computed fields may read `loop.*`: bring them up to date for this iteration (fields whose
    // inputs did not change are not re-evaluated). Their errors surface when state is written.
    scope.thread.state = recompute(scope.thread.state, computed, scope.machine.evaluator, context).data;
  }
  return buildBindings(scope.thread.state, context, computed);
}
