/**
 * @module
 * Moving one thread's position (its frames and the steps it has handed out) from one version of
 * the workflow to another by step ids. Each frame's list is found again by its id path
 * (`frame-address.ts`); the innermost frame goes on at the step it stands at (found by id in that
 * list); an outer frame keeps its offset from the step that owns the frame inside it (a loop or
 * branch's parent list stands just past its owner). A step handed out keeps its id, its new path
 * is looked up, and its type must be the same. Anything that does not map is a problem with a
 * code; nothing here evaluates an expression.
 */
import { MAX_WHILE_ITERATIONS, type Step, type WorkflowDefinition } from "../dialect/index.ts";
import { nodeAt, type Ref } from "../machine/definition.ts";
import { frameAddress, listRefOf, resolveList } from "../machine/frame-address.ts";
import type { Frame, PendingStep, Thread } from "../machine/run-model.ts";
import { isStepOf } from "../machine/step-types.ts";
import type { MigrationProblem, ThreadPosition } from "./migration-plan.ts";

/** Both versions' definitions and where each step of the target version is. */
export interface VersionPair {
  from: WorkflowDefinition;
  to: WorkflowDefinition;
  toVersion: string;
  toLocations: ReadonlyMap<string, Ref>;
}

export type MappedThread =
  | { ok: true; frames: Frame[]; pending: PendingStep[]; position: ThreadPosition }
  | { ok: false; problems: MigrationProblem[] };

/** `thread` (not modified) with frames and pending steps addressed in `pair.to`. */
export function mapThread(pair: VersionPair, thread: Thread, taskId?: string): MappedThread {
  const problems: MigrationProblem[] = [];
  const report = (problem: Omit<MigrationProblem, "task_id">): void => {
    // a step handed out is also the step its thread stands at: one problem for both
    if (problems.some((known) => known.code === problem.code && known.step_id === problem.step_id)) return;
    problems.push(taskId === undefined ? problem : { ...problem, task_id: taskId });
  };
  const refs = thread.frames.map((frame) => mapFrameList(pair, frame, report));
  const frames: Frame[] = [];
  let fromStep: string | null = null;
  thread.frames.forEach((frame, depth) => {
    const ref = refs[depth];
    if (ref === undefined) return;
    const inner = thread.frames[depth + 1];
    const innerRef = refs[depth + 1];
    let pc: number | undefined;
    if (inner === undefined) {
      const at = frameAddress(pair.from, frame)?.at;
      fromStep = at ?? null;
      pc = at === undefined ? listLength(pair.to, ref) : stepIndexIn(pair, ref, at, report);
    } else if (innerRef !== undefined) {
      // the owner of the inner frame's list sits in this list; keep the offset from it
      const oldOwner = Number(inner.ref[frame.ref.length]);
      pc = Number(innerRef[ref.length]) + (frame.pc - oldOwner);
    }
    if (pc !== undefined) frames.push(withLoopSettings(pair.to, { ...withoutAddress(frame), ref, pc }));
  });
  // a thread whose list is lost has its steps handed out lost with it: one problem is enough
  const framesLost = problems.length > 0;
  const pending = framesLost ? [] : thread.pending.map((step) => mapPending(pair, step, report));
  checkWaiting(pair, thread, report);
  if (problems.length > 0) return { ok: false, problems };
  const top = frames.at(-1);
  const topAddress = top === undefined ? undefined : frameAddress(pair.to, top);
  return {
    ok: true,
    frames,
    pending: pending.filter((step) => step !== undefined),
    position: {
      thread_id: thread.id,
      from_step_id: fromStep,
      step_id: topAddress?.at ?? null,
      list: topAddress?.list ?? [],
      pending: thread.pending.map((step) => step.id),
    },
  };
}

type Report = (problem: Omit<MigrationProblem, "task_id">) => void;

/** The new index path of `frame`'s list, or a problem naming what is gone. */
function mapFrameList(pair: VersionPair, frame: Frame, report: Report): Ref | undefined {
  const address = frameAddress(pair.from, frame);
  if (address === undefined) {
    report({
      code: "migrate.scope_changed",
      message: `the run stands in a step list (${frame.ref.join(".")}) its own version does not hold`,
    });
    return undefined;
  }
  const ref = listRefOf(pair.to, address.list);
  if (ref === undefined) {
    reportLostList(pair, frame, address.list, report);
    return undefined;
  }
  if (frame.loop !== undefined) {
    const owner = nodeAt(pair.to, ref.slice(0, -1)) as Step | undefined;
    const type = frame.loop.kind === "while" ? "while_loop" : "foreach";
    if (owner?.type !== type || owner.id !== frame.loop.stepId) {
      report({
        code: "migrate.scope_changed",
        message: `the run is inside ${type} "${frame.loop.stepId}", which is not a ${type} in version ${pair.toVersion}`,
        step_id: frame.loop.stepId,
      });
      return undefined;
    }
  }
  return ref;
}

/** Why the list at `list` (ids) has no place in the target version: the first segment that fails. */
function reportLostList(pair: VersionPair, frame: Frame, list: readonly string[], report: Report): void {
  const resolved = resolveList(pair.to, list);
  const failedAt = resolved.ok ? list.length - 1 : resolved.failedAt;
  const segment = list[failedAt]!;
  if (typeof frame.ref[failedAt] === "number") {
    const moved = pair.toLocations.has(segment);
    report({
      code: moved ? "migrate.step_moved" : "migrate.step_missing",
      message: moved
        ? `the run is inside step "${segment}", which version ${pair.toVersion} moved to another list`
        : `the run is inside step "${segment}", which version ${pair.toVersion} does not have`,
      step_id: segment,
    });
    return;
  }
  const owner = list
    .slice(0, failedAt)
    .filter((_id, index) => typeof frame.ref[index] === "number")
    .at(-1);
  report({
    code: "migrate.scope_changed",
    message:
      owner === undefined
        ? `the run is in ${list.slice(0, failedAt + 1).join(".")}, which version ${pair.toVersion} does not have`
        : `the run is in the ${segment} of step "${owner}", which version ${pair.toVersion} does not have`,
    ...(owner === undefined ? {} : { step_id: owner }),
  });
}

/** Index of step `id` in the list at `ref` of the target, or a problem (gone, or moved elsewhere). */
function stepIndexIn(pair: VersionPair, ref: Ref, id: string, report: Report): number | undefined {
  const steps = nodeAt(pair.to, ref) as { id?: unknown }[];
  const index = steps.findIndex((step) => step.id === id);
  if (index >= 0) return index;
  const moved = pair.toLocations.has(id);
  report({
    code: moved ? "migrate.step_moved" : "migrate.step_missing",
    message: moved
      ? `the run stands at step "${id}", which version ${pair.toVersion} moved out of the list the run is in`
      : `the run stands at step "${id}", which version ${pair.toVersion} does not have`,
    step_id: id,
  });
  return undefined;
}

function mapPending(pair: VersionPair, step: PendingStep, report: Report): PendingStep | undefined {
  const listAddress = frameAddress(pair.from, { ref: step.ref.slice(0, -1), pc: Number(step.ref.at(-1)) });
  const listRef = listAddress === undefined ? undefined : listRefOf(pair.to, listAddress.list);
  const steps = listRef === undefined ? [] : (nodeAt(pair.to, listRef) as { id?: unknown; type?: unknown }[]);
  const index = steps.findIndex((candidate) => candidate.id === step.id);
  if (listRef === undefined || index < 0) {
    const moved = pair.toLocations.has(step.id);
    report({
      code: moved ? "migrate.step_moved" : "migrate.step_missing",
      message: moved
        ? `step "${step.id}" is handed out and version ${pair.toVersion} moved it to another list`
        : `step "${step.id}" is handed out and version ${pair.toVersion} does not have it`,
      step_id: step.id,
    });
    return undefined;
  }
  const type = steps[index]!.type;
  if (type !== step.type) {
    report({
      code: "migrate.step_changed",
      message: `step "${step.id}" is handed out as a ${step.type} and is a ${String(type)} in version ${pair.toVersion}`,
      step_id: step.id,
    });
    return undefined;
  }
  return { ...step, ref: [...listRef, index] };
}

/** A thread waiting on a step (a timer, its tasks, an effect) needs that step in the target. */
function checkWaiting(pair: VersionPair, thread: Thread, report: Report): void {
  const waiting = thread.waitingFor;
  if (waiting === undefined || pair.toLocations.has(waiting.stepId)) return;
  report({
    code: "migrate.step_missing",
    message: `the run waits on step "${waiting.stepId}" (${waiting.kind}), which version ${pair.toVersion} does not have`,
    step_id: waiting.stepId,
  });
}

/**
 * A loop frame takes the settings its loop step has in the target (a `while_loop`'s
 * `max_iterations` and `on_max_iterations`, a `foreach`'s variable names); its pass and items stay.
 */
function withLoopSettings(definition: WorkflowDefinition, frame: Frame): Frame {
  if (frame.loop === undefined) return frame;
  const owner = nodeAt(definition, frame.ref.slice(0, -1)) as Step;
  if (isStepOf(owner, "while_loop")) {
    const maxIterations = Math.min(owner.max_iterations, MAX_WHILE_ITERATIONS);
    return { ...frame, loop: { ...frame.loop, maxIterations, onMaxIterations: owner.on_max_iterations } };
  }
  if (isStepOf(owner, "foreach")) {
    return {
      ...frame,
      loop: { ...frame.loop, variableName: owner.variable_name, indexName: owner.index_name },
    };
  }
  return frame;
}

function listLength(definition: WorkflowDefinition, ref: Ref): number {
  return (nodeAt(definition, ref) as unknown[]).length;
}

function withoutAddress(frame: Frame): Frame {
  const { address: _old, ...rest } = frame;
  return rest;
}
