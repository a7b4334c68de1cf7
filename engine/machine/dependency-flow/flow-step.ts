/**
 * @module
 * The `dependency_flow` step. `graph` is `{{ dependencies }}` (the default: the file's
 * `dependencies` block) or a template that gives a block of the same form at run time. The step
 * creates the graph's task records (the runtime stores them as rows, outside `RunState`), runs
 * what can run at once, and puts the main thread into a wait on the graph; when every task has
 * finished the main thread goes on by itself (see `finish.ts`). Only the main thread runs one.
 * Task threads run through `runThread`, which `advance.ts` passes in (see `pump.ts`).
 */
import { type DependencyGraph, dependencyGraphSchema } from "../../dialect/index.ts";
import { EngineError } from "../../errors.ts";
import { createGraphRun, graphFromDependencies, isGraphFinished, type TaskGraph } from "../../graph/index.ts";
import type { Frame } from "../run-model.ts";
import type { StepOf } from "../step-types.ts";
import type { StepOutcome } from "../steps/handler.ts";
import { renderValue, type ThreadScope } from "../thread-scope.ts";
import { finishFlow } from "./finish.ts";
import { flowContext, graphHooks } from "./flow-context.ts";
import { graphProgress } from "./progress.ts";
import { pumpGraph, type ThreadRunner } from "./pump.ts";
import { graphSession, startGraph } from "./session.ts";

/** Tasks running at once when the step sets no `parallel_limit`. */
export const DEFAULT_PARALLEL_LIMIT = 10;

const DEPENDENCIES_REFERENCE = /^\s*\{\{\s*dependencies\s*\}\}\s*$/;

export function runDependencyFlow(
  scope: ThreadScope,
  step: StepOf<"dependency_flow">,
  frame: Frame,
  runThread: ThreadRunner,
): StepOutcome {
  const { run, machine } = scope;
  if (scope.thread !== run.main) {
    throw new EngineError(
      "run.nested_dependency_flow",
      `step "${step.id}": dependency_flow runs only in the main thread, not in a task`,
    );
  }
  const graph = graphOf(scope, step);
  const session = graphSession(run);
  const previous = session.state;
  // While the new graph decides its first tasks, `tasks` is empty rather than the last graph's.
  session.state = undefined;
  let state: ReturnType<typeof createGraphRun>;
  try {
    state = createGraphRun(graph, { hooks: graphHooks(scope), now: machine.now });
  } catch (error) {
    session.state = previous;
    throw error;
  }
  startGraph(session, state);
  run.graph = {
    stepId: step.id,
    ref: [...frame.ref, frame.pc],
    status: "running",
    parallelLimit: step.parallel_limit ?? DEFAULT_PARALLEL_LIMIT,
    total: state.tasks.length,
    counts: { ...state.counts },
    startedAt: machine.now,
    threads: {},
  };
  scope.thread.waitingFor = { kind: "graph", stepId: step.id };
  const flow = flowContext(scope.definition, run, machine)!;
  pumpGraph(flow, runThread);
  if (isGraphFinished(state)) return finishFlow(flow);
  return { kind: "stop", next: graphProgress(flow) };
}

function graphOf(scope: ThreadScope, step: StepOf<"dependency_flow">): TaskGraph {
  const source = step.graph;
  if (source === undefined || (typeof source === "string" && DEPENDENCIES_REFERENCE.test(source))) {
    const block = scope.definition.dependencies;
    if (block === undefined || Object.keys(block).length === 0) {
      throw new EngineError(
        "step.no_dependencies",
        `step "${step.id}": the workflow has no dependencies block for dependency_flow to run`,
      );
    }
    return graphFromDependencies(block as DependencyGraph);
  }
  const value = renderValue(scope, source);
  const parsed = dependencyGraphSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new EngineError(
      "graph.invalid_task",
      `step "${step.id}": graph ${JSON.stringify(source)} did not give a dependencies block${where}: ${issue?.message}`,
    );
  }
  return graphFromDependencies(parsed.data);
}
