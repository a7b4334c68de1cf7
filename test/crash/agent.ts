/**
 * The crash test's agent: drives every run the webhooks started until it is over, the way an MCP
 * client would. `mcp_call` steps of the tool `effect` are the workflows' calls to the outside
 * world: edgeflow has no server-side HTTP step that runs yet (`external_call` is not runnable),
 * so the agent makes the call, to the local receiver, with `<run id>:<task id or main>:<step id>`
 * as the idempotency key, and then completes the step. A crash between the call and the
 * completion hands the step out again after the restart; the key makes the second call harmless.
 *
 * It also watches for the one thing that would mean lost data: a step handed out again after its
 * completion was answered with success.
 */
import { McpCallError, type ToolCaller, toolCaller } from "../support/mcp-call.ts";
import type { Receiver } from "./receiver.ts";

/**
 * The agent's tool calls: a tool error is an answer (`ok: false`); a server that cannot be reached,
 * or answers in 30 s nothing that is an MCP result, throws `McpCallError` (counted as unreachable).
 */
export function mcpClient(baseUrl: () => string, apiKey: string): ToolCaller {
  return toolCaller(baseUrl, apiKey, { timeoutMs: 30_000 });
}

interface Step {
  id: string;
  type: string;
  task_id?: string;
  claim?: number;
  definition: Record<string, unknown>;
}

export interface RunOutcome {
  status: string;
  workflow?: string;
}

export interface AgentStats {
  toolCalls: number;
  unreachable: number;
  effectCalls: number;
  completions: number;
  /** keys whose step was handed out again after its completion succeeded: lost data if any */
  rehandedAfterCompletion: string[];
}

export class Agent {
  readonly outcomes = new Map<string, RunOutcome>();
  readonly stats: AgentStats = {
    toolCalls: 0,
    unreachable: 0,
    effectCalls: 0,
    completions: 0,
    rehandedAfterCompletion: [],
  };
  readonly #pending: string[] = [];
  readonly #known = new Set<string>();
  readonly #completedKeys = new Set<string>();
  readonly #call: ToolCaller;
  readonly #receiver: Receiver;
  /** graph task ids of a workflow, to re-claim a task whose hand-out was lost in the crash */
  readonly #graphTasks: Record<string, string[]>;

  constructor(call: ToolCaller, receiver: Receiver, graphTasks: Record<string, string[]>) {
    this.#call = call;
    this.#receiver = receiver;
    this.#graphTasks = graphTasks;
  }

  /** Adds runs to drive (ids from the webhooks' 202 answers). */
  add(runIds: readonly string[]): void {
    for (const runId of runIds) {
      if (this.#known.has(runId)) continue;
      this.#known.add(runId);
      this.#pending.push(runId);
    }
  }

  get open(): number {
    return this.#known.size - this.outcomes.size;
  }

  /** The runs not over yet, with the last answer each got (for a test that stalls). */
  openRuns(): { runId: string; last: string }[] {
    return [...this.#known]
      .filter((runId) => !this.outcomes.has(runId))
      .map((runId) => ({ runId, last: this.#last.get(runId) ?? "(never asked)" }));
  }

  /** Stops the loops of `drive` (a stalled test gives up). */
  abort(): void {
    this.#aborted = true;
  }

  #aborted = false;
  readonly #last = new Map<string, string>();

  /** `workers` loops take runs in turn until `done()` and every known run is over. */
  async drive(workers: number, done: () => boolean): Promise<void> {
    const loop = async () => {
      while (!(done() && this.open === 0) && !this.#aborted) {
        const runId = this.#pending.shift();
        if (runId === undefined) {
          await sleep(50);
          continue;
        }
        let over = false;
        try {
          over = await this.#turn(runId);
        } catch (error) {
          if (!(error instanceof McpCallError)) throw error;
          this.stats.unreachable += 1;
          await sleep(200);
        }
        if (!over) {
          this.#pending.push(runId);
          if (this.#pending.length < workers * 2) await sleep(100);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, loop));
  }

  async #tool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.stats.toolCalls += 1;
    const answer = await this.#call(name, args);
    return answer.ok ? answer.value : { isError: true, ...answer.value };
  }

  /** Drives one run as far as it goes now; true when the run is over. */
  async #turn(runId: string): Promise<boolean> {
    for (let round = 0; round < 50; round += 1) {
      const next = await this.#tool("workflow_get_next_step", { workflow_id: runId });
      this.#last.set(runId, JSON.stringify(next).slice(0, 400));
      if (next.isError) return false; // not started yet (run.not_found): the start is pending
      const status = next.status as string;
      if (status === "completed" || status === "failed" || status === "cancelled") {
        this.outcomes.set(runId, { status });
        return true;
      }
      if (status === "ready") continue;
      if (status === "wait") {
        // work handed out in an answer the crash lost (a parallel_foreach step, a graph task) is
        // not handed out again: find it and drive it by task id
        const progressed = await this.#reclaimTasks(runId);
        if (!progressed) return false;
        continue;
      }
      for (const step of (next.steps ?? []) as Step[]) await this.#do(runId, step);
    }
    return false;
  }

  async #do(runId: string, step: Step, taskId = step.task_id): Promise<void> {
    if (step.type === "user_message") return;
    if (step.type === "parallel_foreach") {
      const tasks = (step.definition.tasks ?? []) as { task_id: string }[];
      for (const task of tasks) await this.#driveTask(runId, task.task_id);
      return;
    }
    let result: unknown = "ok";
    if (step.type === "mcp_call" && step.definition.tool === "effect") {
      const key = `${runId}:${taskId ?? "main"}:${step.id}`;
      if (this.#completedKeys.has(key)) this.stats.rehandedAfterCompletion.push(key);
      result = await this.#effect(key);
    }
    const completed = await this.#tool("workflow_step_complete", {
      workflow_id: runId,
      step_id: step.id,
      result,
      ...(taskId === undefined ? {} : { task_id: taskId }),
      ...(step.claim === undefined ? {} : { claim: step.claim }),
    });
    if (!completed.isError) {
      this.stats.completions += 1;
      if (step.type === "mcp_call") this.#completedKeys.add(`${runId}:${taskId ?? "main"}:${step.id}`);
    }
  }

  /** A sub-agent's loop over its own task. */
  async #driveTask(runId: string, taskId: string): Promise<void> {
    for (let round = 0; round < 20; round += 1) {
      const next = await this.#tool("workflow_get_next_step", { workflow_id: runId, task_id: taskId });
      if (next.isError || next.status !== "steps") return;
      for (const step of (next.steps ?? []) as Step[]) await this.#do(runId, step, taskId);
    }
  }

  async #reclaimTasks(runId: string): Promise<boolean> {
    const status = await this.#tool("workflow_get_status", { workflow_id: runId });
    const subAgentTasks = Object.entries((status.tasks ?? {}) as Record<string, { status: string }>)
      .filter(([, task]) => task.status !== "completed" && task.status !== "failed")
      .map(([taskId]) => taskId);
    const workflow = String(status.workflow ?? "");
    let progressed = false;
    for (const taskId of [...subAgentTasks, ...(this.#graphTasks[workflow] ?? [])]) {
      const next = await this.#tool("workflow_get_next_step", { workflow_id: runId, task_id: taskId });
      if (next.isError || next.status !== "steps") continue;
      for (const step of (next.steps ?? []) as Step[]) {
        await this.#do(runId, step, taskId);
        progressed = true;
      }
    }
    return progressed;
  }

  /** The outside call, retried until the receiver answers (it is never the one that crashes). */
  async #effect(key: string): Promise<unknown> {
    this.stats.effectCalls += 1;
    for (;;) {
      try {
        const res = await fetch(this.#receiver.url, { method: "POST", headers: { "idempotency-key": key } });
        if (res.ok) return await res.json();
      } catch {
        // retry
      }
      await sleep(100);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
