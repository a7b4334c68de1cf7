/** Workflows and helpers for the dependency-graph worker tests (graph-*.test.ts). */
import { callTool } from "./support/clients.ts";

/** Two agent tasks with a 60 s timeout, then a fan-in task handed to an agent, then a message. */
export const REVIEWS = `name: "graph:reviews"
description: "two reviews by agents, then a summary"
version: "1.0.0"
default_state:
  state:
    started: []
    reviews: []
dependencies:
  review_api:
    timeout_seconds: 60
    run:
      - id: "api_start"
        type: "set_state"
        state_update: { path: "this.started", operation: "append", value: "{{ task_id }}" }
      - id: "api_review"
        type: "agent_prompt"
        prompt: "Review the API"
        state_update: { path: "this.reviews", operation: "append", value: "{{ result }}" }
  review_ui:
    timeout_seconds: 60
    run:
      - id: "ui_start"
        type: "set_state"
        state_update: { path: "this.started", operation: "append", value: "{{ task_id }}" }
      - id: "ui_review"
        type: "agent_prompt"
        prompt: "Review the UI"
        state_update: { path: "this.reviews", operation: "append", value: "{{ result }}" }
  summary:
    needs: [review_api, review_ui]
    run:
      - id: "summary_write"
        type: "agent_prompt"
        prompt: "Summarise {{ tasks.review_api.result }} and {{ tasks.review_ui.result }}"
steps:
  - id: "run_graph"
    type: "dependency_flow"
    parallel_limit: 2
  - id: "after"
    type: "user_message"
    message: "summary: {{ tasks.summary.result }}"
`;

/** A planner (agent) whose result may add tasks; ship needs it. */
export const PLANNER = `name: "graph:planner"
description: "a planner generates the work"
version: "1.0.0"
dependencies:
  plan:
    run:
      - id: "make_plan"
        type: "agent_prompt"
        prompt: "Plan the work"
  ship: [plan]
steps:
  - id: "run_graph"
    type: "dependency_flow"
`;

/**
 * `count` tasks t0..t(count-1) in layers of `width`: each task needs one or two tasks of the
 * layer before. Each runs a server step that appends its id to this.started, then an agent step
 * whose completion appends to this.done.
 */
export function layeredGraph(count: number, width: number): string {
  const lines = [
    `name: "graph:layers-${count}"`,
    `description: "${count} agent tasks in layers of ${width}"`,
    `version: "1.0.0"`,
    "default_state:",
    "  state:",
    "    started: []",
    "    done: []",
    "dependencies:",
  ];
  for (let i = 0; i < count; i += 1) {
    const layer = Math.floor(i / width);
    const needs =
      layer === 0
        ? []
        : [...new Set([(layer - 1) * width + (i % width), (layer - 1) * width + ((i * 7 + 3) % width)])];
    lines.push(
      `  t${i}:`,
      `    needs: [${needs.map((n) => `t${n}`).join(", ")}]`,
      "    run:",
      `      - { id: s${i}, type: set_state, state_update: { path: this.started, operation: append, value: "{{ task_id }}" } }`,
      `      - { id: w${i}, type: mcp_call, tool: work, parameters: { task: "{{ task_id }}" }, state_update: { path: this.done, operation: append, value: "{{ result }}" } }`,
    );
  }
  lines.push("steps:", "  - id: run_graph", "    type: dependency_flow", "    parallel_limit: 50");
  return `${lines.join("\n")}\n`;
}

/** A step handed out for a graph task, as workflow_get_next_step returns it. */
export interface GraphStep {
  id: string;
  type: string;
  task_id: string;
  claim: number;
  definition: Record<string, unknown>;
}

export async function nextSteps(apiKey: string, runId: string): Promise<Record<string, unknown>> {
  const call = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
  if (call.isError) throw new Error(call.text);
  return call.structured;
}
