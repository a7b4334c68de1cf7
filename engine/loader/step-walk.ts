/**
 * @module
 * Visits every step of a (possibly invalid) workflow document: the main steps, each sub-agent
 * task's steps and each dependency task's `run`, depth-first in file order. Works on plain
 * data, so semantic checks can run even when the schema found problems.
 */
import type { YamlPath } from "./yaml-path.ts";

export type PlainRecord = Record<string, unknown>;

export interface StepVisit {
  step: PlainRecord;
  path: YamlPath;
  /** number of enclosing `while_loop`/`foreach` bodies within the same step list tree */
  loopDepth: number;
  /** the list tree the step belongs to: `steps`, `sub_agent_tasks.<name>.steps`, `dependencies.<name>.run` */
  owner: string;
}

/** Keys under which a step holds child steps (v2 names; the v1 upgrade renames the others first). */
export const CHILD_STEP_KEYS = ["then_steps", "else_steps", "body"] as const;

const LOOP_TYPES = new Set(["while_loop", "foreach"]);

export function isPlainRecord(value: unknown): value is PlainRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The roots of every step list tree in a document. */
export function stepListRoots(document: unknown): { path: YamlPath; owner: string; steps: unknown }[] {
  if (!isPlainRecord(document)) return [];
  const roots: { path: YamlPath; owner: string; steps: unknown }[] = [
    { path: ["steps"], owner: "steps", steps: document.steps },
  ];
  if (isPlainRecord(document.sub_agent_tasks)) {
    for (const [name, task] of Object.entries(document.sub_agent_tasks)) {
      if (isPlainRecord(task)) {
        roots.push({
          path: ["sub_agent_tasks", name, "steps"],
          owner: `sub_agent_tasks.${name}.steps`,
          steps: task.steps,
        });
      }
    }
  }
  if (isPlainRecord(document.dependencies)) {
    for (const [name, task] of Object.entries(document.dependencies)) {
      if (isPlainRecord(task)) {
        roots.push({
          path: ["dependencies", name, "run"],
          owner: `dependencies.${name}.run`,
          steps: task.run,
        });
      }
    }
  }
  return roots;
}

export function walkSteps(document: unknown, visit: (visit: StepVisit) => void): void {
  for (const root of stepListRoots(document)) walkList(root.steps, root.path, 0, root.owner, visit);
}

function walkList(
  steps: unknown,
  path: YamlPath,
  loopDepth: number,
  owner: string,
  visit: (visit: StepVisit) => void,
): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((step, index) => {
    if (!isPlainRecord(step)) return;
    const stepPath = [...path, index];
    visit({ step, path: stepPath, loopDepth, owner });
    const innerDepth = LOOP_TYPES.has(String(step.type)) ? loopDepth + 1 : loopDepth;
    for (const key of CHILD_STEP_KEYS) {
      const childDepth = key === "body" ? innerDepth : loopDepth;
      walkList(step[key], [...stepPath, key], childDepth, owner, visit);
    }
  });
}
