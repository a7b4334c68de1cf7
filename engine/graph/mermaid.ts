/**
 * @module
 * A graph, or a run of it, as Mermaid flowchart text (`flowchart TD`, `a --> b` when b needs a).
 * A node shows the task's name and what is not default (trigger rule, priority, condition,
 * fan-out); with a run, a class per status colours it. Large graphs are cut at `maxTasks`
 * (declaration order) with a comment saying how many were left out: Mermaid renderers refuse
 * far smaller graphs than the scheduler runs.
 */
import type { TaskGraph } from "./model.ts";
import type { GraphRunState, TaskStatus } from "./run-state.ts";

export interface MermaidOptions {
  /** most tasks drawn (default 500) */
  maxTasks?: number;
  direction?: "TD" | "LR";
}

const STATUS_STYLES: Record<TaskStatus, string> = {
  waiting: "fill:#f5f5f5,stroke:#999",
  ready: "fill:#e7f0ff,stroke:#4a7bd0",
  running: "fill:#fff4d6,stroke:#d9a400",
  success: "fill:#dff5e1,stroke:#2e8b3a",
  failed: "fill:#fde2e1,stroke:#c62828",
  skipped: "fill:#eeeeee,stroke:#bbb,stroke-dasharray:4 3",
  upstream_failed: "fill:#fbe9e7,stroke:#e57373,stroke-dasharray:4 3",
};

interface Node {
  id: string;
  needs: readonly string[];
  notes: string[];
  status?: TaskStatus;
}

export function toMermaid(graph: TaskGraph, state?: GraphRunState, options: MermaidOptions = {}): string {
  const nodes = state === undefined ? graphNodes(graph) : runNodes(state);
  const maxTasks = options.maxTasks ?? 500;
  const shown = nodes.slice(0, maxTasks);
  const key = new Map(shown.map((node, position) => [node.id, `t${position}`]));
  const lines = [`flowchart ${options.direction ?? "TD"}`];
  if (nodes.length > shown.length) lines.push(`  %% ${nodes.length - shown.length} more tasks not shown`);
  for (const node of shown) {
    const label = [node.id, ...node.notes].map(escapeLabel).join("<br/>");
    const style = node.status === undefined ? "" : `:::${node.status}`;
    lines.push(`  ${key.get(node.id)}["${label}"]${style}`);
  }
  for (const node of shown) {
    for (const need of node.needs) {
      const from = key.get(need);
      if (from !== undefined) lines.push(`  ${from} --> ${key.get(node.id)}`);
    }
  }
  if (state !== undefined) {
    const used = new Set(shown.map((node) => node.status));
    for (const [status, style] of Object.entries(STATUS_STYLES)) {
      if (used.has(status as TaskStatus)) lines.push(`  classDef ${status} ${style}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function graphNodes(graph: TaskGraph): Node[] {
  return graph.tasks.map((task) => ({
    id: task.id,
    needs: task.needs,
    notes: notes(task.triggerRule, task.priority, task.when.length > 0, task.forEach !== undefined),
  }));
}

function runNodes(state: GraphRunState): Node[] {
  const { tasks } = state;
  return tasks
    .filter((task) => task.origin !== "branch")
    .map((task) => {
      const taskNotes = notes(
        task.triggerRule,
        task.priority,
        task.when.length > 0,
        task.forEach !== undefined,
      );
      if (task.branchCount !== undefined) {
        const done = task.branchCount - (task.branchesPending ?? 0);
        taskNotes.push(`${done}/${task.branchCount} branches done`);
      }
      taskNotes.push(task.status);
      return {
        id: task.id,
        needs: task.needs.map((need) => tasks[need]!.id),
        notes: taskNotes,
        status: task.status,
      };
    });
}

function notes(rule: string, priority: number, conditional: boolean, fanOut: boolean): string[] {
  const list: string[] = [];
  if (rule !== "all_success") list.push(rule);
  if (priority !== 0) list.push(`priority ${priority}`);
  if (conditional) list.push("conditional");
  if (fanOut) list.push("for_each");
  return list;
}

function escapeLabel(text: string): string {
  return text.replace(/[&"<>]/g, (char) => `#${char.charCodeAt(0)};`);
}
