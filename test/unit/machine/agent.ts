/**
 * A scripted agent for scenario tests: loads a fixture, starts a run and drives it through the
 * step machine the way an MCP client would (next step, complete, let time pass).
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { decodeCheckpoint, encodeCheckpoint } from "../../../durable-objects/run/checkpoint-format.ts";
import { decodeTaskRow } from "../../../durable-objects/run/task-row-format.ts";
import type { WorkflowDefinition } from "../../../engine/dialect/index.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { type GraphRunState, restoreGraphRun } from "../../../engine/graph/index.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import {
  type ClientInstruction,
  type NextStep,
  nextWakeAt,
  type RunState,
  startRun,
  type Transition,
  transition,
} from "../../../engine/machine/index.ts";

const FIXTURES = new URL("../../fixtures/scenarios/", import.meta.url);

export function loadFixture(name: string): WorkflowDefinition {
  return loadSource(readFileSync(new URL(name, FIXTURES), "utf8"), name);
}

export function loadSource(text: string, name = "inline workflow"): WorkflowDefinition {
  const result = loadWorkflow(text);
  if (!result.ok) throw new Error(`${name} does not load: ${JSON.stringify(result.errors)}`);
  return result.definition;
}

export interface AgentOptions {
  inputs?: Record<string, unknown>;
  now?: number;
}

export class ScriptedAgent {
  run: RunState;
  /** the run's dependency graph, kept outside the run as a runtime would */
  graph: GraphRunState | undefined;
  /** the graph's rows as a runtime stores them (JSON per task index) */
  readonly rows = new Map<number, string>();
  now: number;
  readonly transcript: string[] = [];
  readonly definition: WorkflowDefinition;
  readonly evaluator: Evaluator;

  constructor(definition: WorkflowDefinition, evaluator: Evaluator, options: AgentOptions = {}) {
    this.definition = definition;
    this.evaluator = evaluator;
    this.now = options.now ?? Date.UTC(2026, 10, 27, 12);
    this.run = this.#keep(
      startRun(definition, { id: "wf_test", inputs: options.inputs ?? {} }, this.context()),
    );
  }

  /** Keeps a transition's run, its graph and the graph's changed rows. */
  #keep(result: Transition): RunState {
    if (result.graph !== undefined) {
      if (result.graph.created) this.rows.clear();
      for (const record of result.graph.changed) this.rows.set(record.index, JSON.stringify(record));
      this.graph = result.graph.state;
    }
    return result.run;
  }

  /**
   * What a runtime does after an eviction: the run from its checkpoint, the graph from its rows,
   * both through the RunDO's storage formats (written, then parsed back).
   */
  evict(): void {
    this.run = decodeCheckpoint(encodeCheckpoint(this.run, this.definition), this.definition);
    this.graph = this.rows.size === 0 ? undefined : restoreRows(this.rows);
  }

  /** `workflow_get_next_step` */
  next(taskId?: string): NextStep {
    const event = taskId === undefined ? { kind: "next" as const } : { kind: "next" as const, taskId };
    const result = this.#transition(event);
    if (result.next.status === "steps") {
      for (const step of result.next.steps) this.transcript.push(describe(step));
    }
    return result.next;
  }

  /** `workflow_get_next_step`, expecting steps */
  steps(taskId?: string): ClientInstruction[] {
    const next = this.next(taskId);
    expect(next.status, JSON.stringify(next)).toBe("steps");
    return next.status === "steps" ? next.steps : [];
  }

  /** `workflow_step_complete` */
  complete(stepId: string, result?: unknown, taskId?: string): NextStep {
    return this.finish({
      kind: "complete",
      stepId,
      status: "success",
      result,
      ...(taskId ? { taskId } : {}),
    });
  }

  fail(stepId: string, error: string, taskId?: string): NextStep {
    return this.finish({ kind: "complete", stepId, status: "failed", error, ...(taskId ? { taskId } : {}) });
  }

  /** Lets time pass and fires the timers that came due, as the RunDO alarm would. */
  advanceTime(ms: number): NextStep {
    this.now += ms;
    return this.finish({ kind: "timers" });
  }

  /** Jumps to the next timer the run asked for. */
  wakeUp(): NextStep {
    const at = nextWakeAt(this.run, this.graph);
    expect(at, "the run has a timer").toBeDefined();
    return this.advanceTime(Math.max(0, (at ?? this.now) - this.now));
  }

  /** Any other machine event (state updates, cancel). */
  finish(event: Parameters<typeof transition>[2]): NextStep {
    return this.#transition(event).next;
  }

  /** One transition; after one that throws, the graph is restored from its rows, as a runtime must. */
  #transition(event: Parameters<typeof transition>[2]): Transition {
    try {
      const result = transition(this.definition, this.run, event, this.context());
      this.run = this.#keep(result);
      return result;
    } catch (error) {
      if (this.graph !== undefined) this.graph = restoreRows(this.rows);
      throw error;
    }
  }

  private context() {
    return {
      now: this.now,
      evaluator: this.evaluator,
      ...(this.graph ? { graph: this.graph } : {}),
    };
  }
}

function restoreRows(rows: Map<number, string>): GraphRunState {
  return restoreGraphRun([...rows.values()].map(decodeTaskRow));
}

function describe(step: ClientInstruction): string {
  const text = step.definition.message ?? step.definition.tool ?? step.definition.prompt ?? "";
  return `${step.task_id ? `${step.task_id}/` : ""}${step.id}:${step.type}:${String(text)}`;
}

/** Answers a client step; return undefined for steps that need no completion (messages). */
export type Responder = (step: ClientInstruction) => unknown;

/**
 * Drives a run to its end like a diligent agent: handles every step, starts every sub-agent task
 * it is told about and drives it too (interleaved, one step at a time), then asks again.
 */
export function autoDrive(agent: ScriptedAgent, respond: Responder, maxCalls = 2_000): void {
  const openTasks = new Set<string>();
  for (let calls = 0; calls < maxCalls; calls += 1) {
    for (const taskId of [...openTasks]) {
      const next = agent.next(taskId);
      if (next.status === "completed" || next.status === "failed") openTasks.delete(taskId);
      if (next.status === "steps") handle(agent, next.steps, respond, openTasks, taskId);
    }
    const next = agent.next();
    if (next.status === "completed" || next.status === "failed" || next.status === "cancelled") return;
    if (next.status === "steps") handle(agent, next.steps, respond, openTasks);
  }
  throw new Error(
    `run did not finish within ${maxCalls} calls; transcript tail: ${agent.transcript.slice(-5)}`,
  );
}

function handle(
  agent: ScriptedAgent,
  steps: ClientInstruction[],
  respond: Responder,
  openTasks: Set<string>,
  taskId?: string,
): void {
  for (const step of steps) {
    if (step.type === "user_message") continue;
    if (step.type === "parallel_foreach") {
      for (const task of step.definition.tasks as { task_id: string }[]) openTasks.add(task.task_id);
      continue;
    }
    agent.complete(step.id, respond(step), taskId);
  }
}
