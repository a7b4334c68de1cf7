/**
 * @module
 * Finding things in a workflow definition by reference. Frames keep paths such as
 * `["steps", 3, "then_steps"]` instead of object pointers, so a checkpointed run can be resumed
 * against the same definition after a restart. No evaluation happens here.
 */
import type { ComputedField, Step, StepType, SubAgentTask, WorkflowDefinition } from "../dialect/index.ts";
import { EngineError } from "../errors.ts";
import type { Thread } from "./run-model.ts";
import { isStepOf, type StepOf } from "./step-types.ts";

export type Ref = (string | number)[];

/** The list of steps at `ref`. */
export function stepListAt(definition: WorkflowDefinition, ref: Ref): Step[] {
  const list = walk(definition, ref);
  if (!Array.isArray(list)) throw new EngineError("run.bad_reference", `no step list at ${ref.join(".")}`);
  return list as Step[];
}

/** The step at `ref` (a list path followed by an index). */
export function stepAt(definition: WorkflowDefinition, ref: Ref): Step {
  const step = walk(definition, ref);
  if (step === null || typeof step !== "object" || Array.isArray(step)) {
    throw new EngineError("run.bad_reference", `no step at ${ref.join(".")}`);
  }
  return step as Step;
}

/**
 * The step at `ref`, which the run's own bookkeeping says is of type `type` (the loop a frame
 * belongs to, the step a thread waits on); anything else is a broken reference.
 */
export function stepOfTypeAt<T extends StepType>(
  definition: WorkflowDefinition,
  ref: Ref,
  type: T,
): StepOf<T> {
  const step = stepAt(definition, ref);
  if (!isStepOf(step, type)) {
    throw new EngineError("run.bad_reference", `the step at ${ref.join(".")} is not a ${type} step`);
  }
  return step;
}

/** Whatever the definition holds at `ref` (a list, a step, a branch), or undefined. */
export function nodeAt(definition: WorkflowDefinition, ref: Ref): unknown {
  return walk(definition, ref);
}

function walk(root: unknown, ref: Ref): unknown {
  let node = root;
  let parent: unknown;
  for (const key of ref) {
    if (node === null || typeof node !== "object") return undefined;
    parent = node;
    node = (node as Record<string | number, unknown>)[key];
    if (node === undefined && key === "steps" && isPromptOnlyTask(parent))
      node = promptSteps(parent, parent.prompt_template);
  }
  return node;
}

const promptStepsByTask = new WeakMap<SubAgentTask, Step[]>();

function isPromptOnlyTask(node: unknown): node is SubAgentTask & { prompt_template: string } {
  return typeof (node as SubAgentTask).prompt_template === "string";
}

/** A sub-agent task given only a `prompt_template` runs as one `agent_prompt` step with id `prompt`. */
function promptSteps(task: SubAgentTask, prompt: string): Step[] {
  let steps = promptStepsByTask.get(task);
  if (!steps) {
    steps = [{ id: "prompt", type: "agent_prompt", prompt }];
    promptStepsByTask.set(task, steps);
  }
  return steps;
}

export function subAgentTask(definition: WorkflowDefinition, name: string): SubAgentTask {
  const task = definition.sub_agent_tasks?.[name];
  if (!task) throw new EngineError("run.unknown_sub_agent_task", `sub_agent_task "${name}" is not defined`);
  return task;
}

/** The computed fields that apply to a thread: the workflow's, or its sub-agent task's. */
export function computedFieldsFor(
  definition: WorkflowDefinition,
  thread: Thread & { task?: string },
): Record<string, ComputedField> {
  if (thread.task !== undefined) return subAgentTask(definition, thread.task).state_schema?.computed ?? {};
  return definition.state_schema?.computed ?? {};
}
