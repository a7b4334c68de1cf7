/**
 * @module
 * The migration planner: what moving one run to another version of its workflow would do, as
 * data, without doing it. Pure: no clock (`now` comes in), no I/O; the input run is never
 * modified, so a dry run is this call and an apply stores the plan's `run` (the RunDO side).
 *
 * - Threads: the main thread and every sub-agent task thread are mapped by step ids
 *   (`thread-positions.ts`); a task thread needs its `sub_agent_task` in the target version,
 *   unless it has run to its end (no frames, nothing handed out: it is kept as it is and has no
 *   position).
 * - Dependency graphs: a run whose `dependency_flow` is still running is refused
 *   (`migrate.graph_running`): its tasks' steps live in the graph's rows, which the planner does
 *   not see, and a graph is short-lived; migrate it once the flow has finished. A finished
 *   graph's marker is re-addressed to its step in the target (which must still be a
 *   `dependency_flow`).
 * - State: the main thread's (`migrate-state.ts`); sub-agent task threads keep theirs.
 * - The plan's run is on `to.version`, `seq` one past the input's, `updatedAt` = `now`, its
 *   frames addressed in the target definition. Timers, effects and the transition log stay.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { nodeAt } from "../machine/definition.ts";
import { addressRun } from "../machine/frame-address.ts";
import type { GraphMarker, RunState, SubAgentTaskThread } from "../machine/run-model.ts";
import { migrateState } from "./migrate-state.ts";
import type { MigrationInput, MigrationPlan, MigrationProblem, ThreadPosition } from "./migration-plan.ts";
import { stateChanges } from "./state-changes.ts";
import { stepLocations } from "./step-locations.ts";
import { mapThread, type VersionPair } from "./thread-positions.ts";

export function planMigration(input: MigrationInput): MigrationPlan {
  const refused = preconditions(input);
  if (refused.length > 0) return { ok: false, problems: refused };
  const original = input.run;
  const pair: VersionPair = {
    from: input.from.definition,
    to: input.to.definition,
    toVersion: input.to.version,
    toLocations: stepLocations(input.to.definition),
  };
  const problems: MigrationProblem[] = [];
  const positions: ThreadPosition[] = [];
  const run = structuredClone(original);

  const main = mapThread(pair, original.main);
  if (main.ok) {
    Object.assign(run.main, { frames: main.frames, pending: main.pending });
    positions.push(main.position);
  } else problems.push(...main.problems);

  for (const id of Object.keys(original.tasks).sort()) {
    const thread = original.tasks[id]!;
    // a task that has run to its end stands nowhere: it keeps its state and result as they are
    if (thread.frames.length === 0 && thread.pending.length === 0) continue;
    if (!Object.hasOwn(pair.to.sub_agent_tasks ?? {}, thread.task)) {
      problems.push({
        code: "migrate.scope_changed",
        message: `sub-agent task ${id} runs sub_agent_task "${thread.task}", which version ${pair.toVersion} does not have`,
        task_id: id,
      });
      continue;
    }
    const mapped = mapThread(pair, thread, id);
    if (!mapped.ok) {
      problems.push(...mapped.problems);
      continue;
    }
    const task: SubAgentTaskThread = run.tasks[id]!;
    Object.assign(task, { frames: mapped.frames, pending: mapped.pending });
    positions.push(mapped.position);
  }

  if (original.graph !== undefined) {
    const marker = remapGraph(pair, original.graph, problems);
    if (marker !== undefined) run.graph = marker;
  }

  const state = migrateState({
    data: original.main.state,
    from: input.from.definition,
    to: input.to.definition,
    fromVersion: original.version,
    toVersion: input.to.version,
    evaluator: input.evaluator,
    event: original.event,
    stateLimit: original.stateLimit,
  });
  if (!state.ok) problems.push(...state.problems);
  if (problems.length > 0 || !state.ok) return { ok: false, problems };

  run.main.state = state.data;
  run.version = input.to.version;
  run.seq = original.seq + 1;
  run.updatedAt = input.now;
  return {
    ok: true,
    run: addressRun(input.to.definition, run),
    positions,
    stateChanges: stateChanges(original.main.state, state.data),
    migrations: state.applied,
    warnings: warningsOf(input.to.definition, original),
  };
}

/** Runs that cannot move at all, whatever the target holds. */
function preconditions(input: MigrationInput): MigrationProblem[] {
  const { run } = input;
  if (run.status === "completed" || run.status === "failed" || run.status === "cancelled") {
    return [
      {
        code: "migrate.run_finished",
        message: `the run has ended (${run.status}); only a live run migrates`,
      },
    ];
  }
  if (input.to.definition.name !== run.workflow || input.from.definition.name !== run.workflow) {
    return [
      {
        code: "migrate.workflow_mismatch",
        message: `the run belongs to workflow ${run.workflow}, not ${input.to.definition.name}`,
      },
    ];
  }
  for (const side of [input.from, input.to]) {
    if (side.version !== side.definition.version) {
      return [
        {
          code: "migrate.workflow_mismatch",
          message: `version ${side.version} was given with the definition of version ${side.definition.version}`,
        },
      ];
    }
  }
  if (input.from.version !== run.version) {
    return [
      {
        code: "migrate.workflow_mismatch",
        message: `the run is on version ${run.version}, not ${input.from.version}`,
      },
    ];
  }
  if (run.graph?.status === "running") {
    return [
      {
        code: "migrate.graph_running",
        message: `the run is inside dependency_flow "${run.graph.stepId}"; migrate it once the flow has finished`,
        step_id: run.graph.stepId,
      },
    ];
  }
  return [];
}

function remapGraph(
  pair: VersionPair,
  marker: GraphMarker,
  problems: MigrationProblem[],
): GraphMarker | undefined {
  const ref = pair.toLocations.get(marker.stepId);
  const step = ref === undefined ? undefined : (nodeAt(pair.to, ref) as { type?: unknown });
  if (ref === undefined || step?.type !== "dependency_flow") {
    problems.push({
      code: "migrate.step_missing",
      message: `the run's finished dependency_flow "${marker.stepId}" is not a dependency_flow step in version ${pair.toVersion}`,
      step_id: marker.stepId,
    });
    return undefined;
  }
  return { ...structuredClone(marker), ref: [...ref] };
}

/** The most step ids or deprecated entries one migration warning names; past it, "and N more". */
const MAX_WARNING_ITEMS = 20;
/** The longest migration warning, in characters. */
const MAX_WARNING_LENGTH = 500;

function listed(items: readonly string[], separator: string): string {
  const more =
    items.length > MAX_WARNING_ITEMS ? `${separator}and ${items.length - MAX_WARNING_ITEMS} more` : "";
  return `${items.slice(0, MAX_WARNING_ITEMS).join(separator)}${more}`;
}

function bounded(warning: string): string {
  return warning.length <= MAX_WARNING_LENGTH ? warning : `${warning.slice(0, MAX_WARNING_LENGTH - 1)}…`;
}

function warningsOf(to: WorkflowDefinition, run: RunState): string[] {
  const warnings: string[] = [];
  const handedOut = [run.main, ...Object.values(run.tasks)].flatMap((thread) =>
    thread.pending.map((step) => step.id),
  );
  if (handedOut.length > 0) {
    warnings.push(
      `steps handed out before the migration keep the instructions they were given: ${listed([...new Set(handedOut)].sort(), ", ")}`,
    );
  }
  const deprecated = (to.deprecated_features ?? [])
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (deprecated.length > 0) {
    warnings.push(`version ${to.version} deprecates: ${listed(deprecated, "; ")}`);
  }
  return warnings.map(bounded);
}
