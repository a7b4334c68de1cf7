/**
 * @module
 * The step machine's data: a run's checkpointable state, the events that move it, and what each
 * transition hands back (instructions for the agent, timers for the runtime). All plain JSON.
 *
 * The machine is a pure function `(definition, run, event, context) → Transition`; the RunDO
 * stores `Transition.run` after every call and arms its alarm for the earliest of `run.timers`.
 */
import type { ErrorShape } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import type { LoopContext, StateData } from "../state/types.ts";

export type RunStatus = "running" | "waiting" | "completed" | "failed" | "cancelled";
export type ThreadStatus = "ready" | "blocked" | "waiting" | "completed" | "failed";

/** Where execution stands inside one list of steps. `ref` is the path of that list in the definition. */
export interface Frame {
  /** e.g. ["steps"], ["steps", 3, "then_steps"], ["sub_agent_tasks", "process_file", "steps"] */
  ref: (string | number)[];
  /** index of the next step to run in that list */
  pc: number;
  loop?: LoopFrame;
}

export interface LoopFrame {
  kind: "while" | "foreach";
  /** id of the loop step that owns this frame */
  stepId: string;
  iteration: number;
  items?: unknown[];
  variableName?: string;
  indexName?: string;
  maxIterations?: number;
}

/** A client step handed to an agent and not yet completed. */
export interface PendingStep {
  id: string;
  type: string;
  /** attempt number, 1 for the first hand-out */
  attempt: number;
  issuedAt: number;
  /** the step as rendered when it was handed out (templates evaluated) */
  definition: Record<string, unknown>;
  /** path of the step itself in the definition, e.g. ["steps", 2] */
  ref: (string | number)[];
  /** `user_message`s complete by themselves on the thread's next `next`; the rest block the thread */
  implicit: boolean;
  /** loop variables in force when the step was handed out (for its state updates) */
  loop?: LoopContext;
}

/** One line of execution: the main agent's, or one sub-agent task's. */
export interface Thread {
  id: string;
  status: ThreadStatus;
  state: StateData;
  frames: Frame[];
  pending: PendingStep[];
  /** set while the thread sleeps on a timer or waits for its sub-agent tasks */
  waitingFor?: {
    kind: "timer" | "tasks";
    stepId: string;
    until?: number;
    message?: string;
    taskIds?: string[];
  };
  /** attempt number of a step being retried, by step id (cleared when the step is done) */
  attempts?: Record<string, number>;
  /** why the last attempt of a step being retried failed, shown to the agent on the next hand-out */
  retryReasons?: Record<string, string>;
  error?: ErrorShape;
}

export interface SubAgentTaskThread extends Thread {
  task: string;
  parentStepId: string;
  index: number;
  item: unknown;
  /** `queued` tasks are not handed out until a slot under `max_parallel` frees up */
  queued: boolean;
  /** whether the main agent has been told about this task yet */
  announced: boolean;
}

export interface Timer {
  id: string;
  at: number;
  kind: "wait" | "retry" | "timeout";
  threadId: string;
  stepId: string;
}

export interface RunState {
  id: string;
  workflow: string;
  version: string;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  completedAt?: number;
  /** the event that started the run, if any (the `event` scope) */
  event?: unknown;
  main: Thread;
  tasks: Record<string, SubAgentTaskThread>;
  timers: Timer[];
  /** number of transitions applied; a checkpoint's sequence number */
  seq: number;
  error?: ErrorShape;
}

/** A step as handed to an agent. */
export interface ClientInstruction {
  id: string;
  type: string;
  /** the step's fields with every template evaluated */
  definition: Record<string, unknown>;
  task_id?: string;
  attempt: number;
}

export type MachineEvent =
  | { kind: "next"; taskId?: string }
  | {
      kind: "complete";
      stepId: string;
      taskId?: string;
      status: "success" | "failed";
      result?: unknown;
      error?: string;
    }
  | { kind: "timers" }
  | { kind: "update_state"; taskId?: string; updates: { path: string; value: unknown; operation?: string }[] }
  | { kind: "cancel"; reason?: string };

/** What `workflow_get_next_step` answers. */
export type NextStep =
  | { status: "steps"; steps: ClientInstruction[] }
  | { status: "wait"; message: string; retryAfterMs?: number }
  /** the thread has client work waiting: call `workflow_get_next_step` to receive it */
  | { status: "ready" }
  | { status: "completed" }
  | { status: "failed"; error: ErrorShape }
  | { status: "cancelled" };

export interface MachineContext {
  now: number;
  evaluator: Evaluator;
  /** tenant secrets for `env.*`; never copied into the run state */
  env?: Record<string, string>;
}

export interface Transition {
  run: RunState;
  /** the answer for a `next` event (also filled for others, describing where the thread stands) */
  next: NextStep;
}
