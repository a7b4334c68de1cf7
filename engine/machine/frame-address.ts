/**
 * @module
 * A frame's place by step ids instead of list indexes, so a run can be mapped onto another
 * version of its workflow (engine/versions/). `ref` `["steps", 3, "then_steps"]` with `pc` 1 is
 * the address `{ list: ["steps", "check", "then_steps"], at: "<id of then_steps[1]>" }`: every
 * index of a list is replaced by the id of the step there; keys (`steps`, `body`, `then_steps`,
 * `sub_agent_tasks`, a task name) stay as they are. Pure lookups in a definition: no evaluation.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { nodeAt, type Ref } from "./definition.ts";
import type { Frame, FrameAddress, RunState, Thread } from "./run-model.ts";

/** The address of `frame` in `definition`, or undefined when its list is not in the definition
 * (a dynamic dependency task's `run`, or a definition the run does not belong to). */
export function frameAddress(
  definition: WorkflowDefinition,
  frame: Pick<Frame, "ref" | "pc">,
): FrameAddress | undefined {
  // one walk down the path (checkpoints address every frame on every write)
  const list: string[] = [];
  let node: unknown = definition;
  for (const [at, key] of frame.ref.entries()) {
    if (typeof key === "number") {
      const step = Array.isArray(node) ? node[key] : undefined;
      if (!isRecord(step) || typeof step.id !== "string") return undefined;
      list.push(step.id);
      node = step;
    } else {
      list.push(key);
      // a prompt-only sub-agent task's `steps` exist only as the machine builds them
      node =
        isRecord(node) && Object.hasOwn(node, key)
          ? node[key]
          : nodeAt(definition, frame.ref.slice(0, at + 1));
    }
  }
  if (!Array.isArray(node)) return undefined;
  if (frame.pc >= node.length) return { list };
  const step: unknown = node[frame.pc];
  return isRecord(step) && typeof step.id === "string" ? { list, at: step.id } : undefined;
}

/**
 * The index path of the list at `list` (an address's `list`) in `definition`, or undefined when
 * some step id or key on the way is not there (a removed step, a branch the step no longer has).
 */
export function listRefOf(definition: WorkflowDefinition, list: readonly string[]): Ref | undefined {
  const resolved = resolveList(definition, list);
  return resolved.ok ? resolved.ref : undefined;
}

/**
 * `listRefOf` that says where it stopped: `failedAt` is the index in `list` of the first segment
 * (a step id, or a key such as `else_steps`) that `definition` does not hold there.
 */
export function resolveList(
  definition: WorkflowDefinition,
  list: readonly string[],
): { ok: true; ref: Ref } | { ok: false; failedAt: number } {
  const ref: Ref = [];
  for (const [at, segment] of list.entries()) {
    const node = nodeAt(definition, ref);
    if (Array.isArray(node)) {
      const index = node.findIndex((step) => isRecord(step) && step.id === segment);
      if (index < 0) return { ok: false, failedAt: at };
      ref.push(index);
    } else if (isRecord(node) && (Object.hasOwn(node, segment) || segment === "steps")) {
      ref.push(segment);
    } else return { ok: false, failedAt: at };
  }
  return Array.isArray(nodeAt(definition, ref))
    ? { ok: true, ref }
    : { ok: false, failedAt: list.length - 1 };
}

/** `run` with every frame of every thread given its address in `definition` (a shallow copy). */
export function addressRun(definition: WorkflowDefinition, run: RunState): RunState {
  const tasks = Object.fromEntries(
    Object.entries(run.tasks).map(([id, thread]) => [id, addressThread(definition, thread)]),
  );
  const addressed: RunState = { ...run, main: addressThread(definition, run.main), tasks };
  if (run.graph !== undefined) {
    const threads = Object.fromEntries(
      Object.entries(run.graph.threads).map(([id, thread]) => [id, addressThread(definition, thread)]),
    );
    addressed.graph = { ...run.graph, threads };
  }
  return addressed;
}

function addressThread<T extends Thread>(definition: WorkflowDefinition, thread: T): T {
  const frames = thread.frames.map((frame) => {
    const { address: _stale, ...rest } = frame;
    const address = frameAddress(definition, frame);
    return address === undefined ? rest : { ...rest, address };
  });
  return { ...thread, frames };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
