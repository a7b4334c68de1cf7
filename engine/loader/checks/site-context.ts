/**
 * @module
 * What surrounds an expression site, read from its path: which part of the file it is in (a
 * step, a computed field, a trigger, a dependency task, a sub-agent prompt, a notification), the
 * loops whose body holds it (innermost last; a `while_loop`'s own `condition` sees its loop, a
 * `foreach`'s `items` does not), and the step it belongs to with the field it is in. Whether a
 * site runs inside a loop depends only on the file: a sub-agent task or a dependency task starts
 * with no loop. Pure.
 */
import type { WorkflowDefinition } from "../../dialect/index.ts";
import { isPlainRecord, type PlainRecord } from "../step-walk.ts";
import type { YamlPath } from "../yaml-path.ts";

export type SiteRegion = "step" | "computed" | "trigger" | "dependency" | "sub_agent_prompt" | "other";

export type LoopKind = "while_loop" | "foreach";

export interface SiteContext {
  region: SiteRegion;
  loops: LoopKind[];
  /** the innermost step holding the site, and the step's key the site is under */
  step?: PlainRecord;
  field?: string;
}

export function siteContext(definition: WorkflowDefinition, path: YamlPath): SiteContext {
  const [first, second, third] = path;
  if (first === "triggers") return { region: "trigger", loops: [] };
  if (path.includes("computed") && (first === "state_schema" || third === "state_schema")) {
    return { region: "computed", loops: [] };
  }
  if (first === "sub_agent_tasks" && third === "prompt_template")
    return { region: "sub_agent_prompt", loops: [] };
  if (first === "dependencies" && path[2] !== "run") return { region: "dependency", loops: [] };
  const start = first === "steps" ? 1 : first === "sub_agent_tasks" || first === "dependencies" ? 3 : -1;
  if (start < 0 || second === undefined) return { region: "other", loops: [] };
  return stepContext(stepListAt(definition, path.slice(0, start)), path, start);
}

function stepListAt(definition: WorkflowDefinition, path: YamlPath): unknown {
  let node: unknown = definition;
  for (const key of path)
    node = isPlainRecord(node) || Array.isArray(node) ? (node as PlainRecord)[key] : undefined;
  return node;
}

/** Walks `list[index].<key>[index]...` down the path, noting each loop body entered. */
function stepContext(list: unknown, path: YamlPath, start: number): SiteContext {
  const loops: LoopKind[] = [];
  let steps = list;
  let at = start;
  for (;;) {
    const index = path[at];
    const step = Array.isArray(steps) && typeof index === "number" ? steps[index] : undefined;
    if (!isPlainRecord(step)) return { region: "step", loops };
    const field = path[at + 1];
    const type = step.type;
    const isLoop = type === "while_loop" || type === "foreach";
    const nested =
      (field === "then_steps" || field === "else_steps" || field === "body") &&
      typeof path[at + 2] === "number";
    if (!nested) {
      if (type === "while_loop" && field === "condition") loops.push("while_loop");
      return { region: "step", loops, step, field: typeof field === "string" ? field : undefined };
    }
    if (isLoop && field === "body") loops.push(type);
    steps = step[field];
    at += 2;
  }
}
