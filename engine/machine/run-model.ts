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
import type { GraphRunState, TaskRecord, TaskStatus } from "../graph/index.ts";
import type { EffectIntent, EffectOutcome } from "../plugins/effect.ts";
import type { LoopContext, StateData } from "../state/state-data.ts";
import type { RunWork, WorkMeter } from "./work-meter.ts";

export type RunStatus = "running" | "waiting" | "completed" | "failed" | "cancelled";
export type ThreadStatus = "ready" | "blocked" | "waiting" | "completed" | "failed";

/** Where execution stands inside one list of steps. `ref` is the path of that list in the definition. */
export interface Frame {
  /** e.g. ["steps"], ["steps", 3, "then_steps"], ["sub_agent_tasks", "process_file", "steps"] */
  ref: (string | number)[];
  /** index of the next step to run in that list */
  pc: number;
  loop?: LoopFrame;
  /**
   * The same place by step ids (`frame-address.ts`), written into the checkpoint (format 2) from
   * the run's definition. The machine moves by `ref`/`pc` only and does not keep this current
   * between checkpoint writes: read it from a decoded checkpoint, or compute it with `frameAddress`.
   */
  address?: FrameAddress;
}

/** A frame's place by step ids: its list's path with each index replaced by the step id there. */
export interface FrameAddress {
  /** e.g. ["steps"], ["steps", "check_size", "then_steps"], ["sub_agent_tasks", "process_file", "steps"] */
  list: string[];
  /** id of the step at `pc` (the one running, handed out, or next); absent when `pc` is at the list's end */
  at?: string;
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
  /** a `while_loop`'s `on_max_iterations`: `fail` fails the loop step; otherwise it warns and goes on */
  onMaxIterations?: "continue" | "fail";
}

/**
 * Something a run did that did not stop it but that an agent (or the person debugging it) should
 * know: a `while_loop` stopped by its `max_iterations` while its condition still held. Kept on the
 * run (`RunState.warnings`, the last `MAX_RUN_WARNINGS`), shown by `workflow_get_status`, and
 * attached to the answer of the transition that raised it (`NextStep.warnings`).
 */
export interface RunWarning {
  code: "step.max_iterations" | "version.deprecated_feature";
  message: string;
  /** the step it is about (absent for a deprecated feature warned at start) */
  step_id?: string;
  /** the sub-agent task whose thread raised it, when not the main thread */
  task_id?: string;
  /** epoch ms */
  at: number;
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
  /** set for an `external_call`/`notify`: the effect the runtime performs (no agent completes it) */
  effectId?: string;
}

/** One line of execution: the main agent's, or one sub-agent task's. */
export interface Thread {
  id: string;
  status: ThreadStatus;
  state: StateData;
  frames: Frame[];
  pending: PendingStep[];
  /** set while the thread sleeps on a timer, or waits for its sub-agent tasks or its dependency graph */
  /**
   * `continue`: the thread spent its transition's work slice and goes on from a `continue` timer
   * due at once (the runtime's next event), not from an agent
   */
  waitingFor?: {
    kind: "timer" | "tasks" | "graph" | "continue" | "effect";
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

/**
 * A task of a dependency graph that is running its `run` steps: created when the scheduler claims
 * the task, removed when it ends. It has no state of its own: it reads and writes the main
 * thread's (`state` is attached while it moves and detached after). Its id is the task's id.
 */
export interface GraphTaskThread extends Thread {
  /** the graph task (the thread's id too) */
  graphTask: string;
  /** the scheduler's claim the thread runs under (the task's `attempts` when it was claimed) */
  claim: number;
  /** a `for_each` branch: its item and position (bound as `item` and `index`) */
  item?: unknown;
  index?: number;
  /** the result of the task's last completed client step: the task's result */
  result?: unknown;
  /** set while one of its client steps is out with an agent: when it was handed out */
  handedOutAt?: number;
}

/**
 * The small part of a dependency graph that lives in `RunState`: which step runs it, where it
 * stands, and the threads of the tasks running steps now (at most `parallelLimit`, plus tasks
 * whose claim expired and that wait to be claimed again). The task records themselves live in
 * the runtime's `GraphRunState` (`MachineContext.graph`, one SQLite row per task).
 */
export interface GraphMarker {
  /** id of the `dependency_flow` step */
  stepId: string;
  /** path of that step in the definition (its list's path, then its index) */
  ref: (string | number)[];
  status: "running" | "finished";
  parallelLimit: number;
  total: number;
  counts: Record<TaskStatus, number>;
  startedAt: number;
  finishedAt?: number;
  threads: Record<string, GraphTaskThread>;
}

export interface Timer {
  id: string;
  at: number;
  /**
   * `graph`: a dependency graph has more tasks to run than one transition runs: go on at once;
   * `deadline`: the run's own time limit (`config.timeout_seconds`, `RunState.deadlineAt`);
   * `continue`: a thread spent its transition's work slice: go on at once, in a new event
   */
  kind: "wait" | "retry" | "timeout" | "graph" | "deadline" | "continue";
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
  /** when the run fails with `run.timeout` unless it has ended (`config.timeout_seconds`) */
  deadlineAt?: number;
  /** the event that started the run, if any (the `event` scope) */
  event?: unknown;
  main: Thread;
  tasks: Record<string, SubAgentTaskThread>;
  /** the dependency graph of the last `dependency_flow` step, while it runs and after */
  graph?: GraphMarker;
  timers: Timer[];
  /** number of transitions applied; a checkpoint's sequence number */
  seq: number;
  /**
   * Effects handed out and not yet answered (engine/plugins/effect.ts): part of the checkpoint, so
   * the intent is recorded in the transition's transaction; the runtime performs them and answers
   * each with an `effect` event.
   */
  effects?: EffectIntent[];
  /** work units spent so far and the run's allowance (`work-meter.ts`); absent in older checkpoints */
  work?: RunWork;
  /** warnings raised so far (oldest dropped past `MAX_RUN_WARNINGS`); absent while there are none */
  warnings?: RunWarning[];
  /**
   * The most bytes a thread's state may hold in this run, when the tenant set less than
   * `MAX_STATE_BYTES` (its `max_state_bytes` quota when the run started); absent: the engine's cap.
   */
  stateLimit?: number;
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
  /** a dependency-graph task's claim number: pass it back on completion (a stale claim is refused) */
  claim?: number;
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
      /** for a dependency-graph task: the claim the instruction carried */
      claim?: number;
    }
  | { kind: "timers" }
  | { kind: "update_state"; taskId?: string; updates: { path: string; value: unknown; operation?: string }[] }
  | { kind: "cancel"; reason?: string }
  /** the runtime's answer to an effect of `RunState.effects` (never sent by an agent) */
  | { kind: "effect"; effectId: string; outcome: EffectOutcome };

/**
 * What `workflow_get_next_step` answers. `warnings`: those the transition raised (`RunWarning`).
 * A `wait` says when to ask again: `retryAfterMs` always, `until` (epoch ms) when a timer is set,
 * and `taskIds` when the main thread waits on sub-agent tasks (those still running).
 */
export type NextStep = (
  | { status: "steps"; steps: ClientInstruction[] }
  | { status: "wait"; message: string; retryAfterMs?: number; until?: number; taskIds?: string[] }
  /** the thread has client work waiting: call `workflow_get_next_step` to receive it */
  | { status: "ready" }
  | { status: "completed" }
  | { status: "failed"; error: ErrorShape }
  | { status: "cancelled" }
) & { warnings?: RunWarning[] };

export interface MachineContext {
  now: number;
  evaluator: Evaluator;
  /**
   * The run's dependency graph (task records), when `run.graph` is set: the runtime keeps it
   * (restored from its rows after an eviction) and passes it with every transition. The machine
   * updates it in place; `Transition.graph` says what changed. After a transition that throws,
   * the runtime must drop it and restore it from its rows.
   */
  graph?: GraphRunState;
  /** work units one transition may spend before it yields (default `SLICE_WORK_UNITS`) */
  sliceUnits?: number;
  /** set by the machine itself for one transition (callers leave it out): the work spent so far */
  meter?: WorkMeter;
  /** set by the machine itself for one transition (callers leave it out): the warnings it raised */
  raised?: RunWarning[];
  /**
   * Set by a runtime that traces the run (durable-objects/run/run-tracing.ts): the machine appends
   * each server step it runs in the transition (the runtime makes spans of them).
   */
  executed?: ExecutedServerStep[];
}

/** A server step a transition ran: which, on which thread, and its error when it failed. */
export interface ExecutedServerStep {
  threadId: string;
  stepId: string;
  type: string;
  error?: { code: string; message: string };
}

/** What a transition did to the run's dependency graph: the rows to write. */
export interface GraphChanges {
  /** the graph the run has now: keep it for the next transition */
  state: GraphRunState;
  /** a `dependency_flow` step started this graph: replace every stored row (`changed` holds all) */
  created: boolean;
  /** the records this transition changed, in index order */
  changed: TaskRecord[];
}

export interface Transition {
  run: RunState;
  /** the answer for a `next` event (also filled for others, describing where the thread stands) */
  next: NextStep;
  /** set when the transition created or changed a dependency graph */
  graph?: GraphChanges;
}
