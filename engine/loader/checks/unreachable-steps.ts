/**
 * @module
 * Steps no run can reach (`check.unreachable_step`, a warning): the steps after a `break` or
 * `continue` without `when` in the same list; the `then_steps` of a `conditional` whose
 * condition is the literal `false` (and the `else_steps` of one whose condition is `true`); a
 * step whose `when` is the literal `false`; a sub-agent task no `parallel_foreach` names. Only
 * literals count as constants: a condition over state is never judged.
 */
import type { WorkflowDefinition } from "../../dialect/index.ts";
import { isPlainRecord, type PlainRecord, stepListRoots, walkSteps } from "../step-walk.ts";
import type { YamlPath } from "../yaml-path.ts";
import type { StaticProblem } from "./unresolved-names.ts";

const LITERAL = /^\s*(?:\{\{\s*)?(true|false)(?:\s*\}\})?\s*$/;

export function checkUnreachableSteps(definition: WorkflowDefinition): StaticProblem[] {
  const problems: StaticProblem[] = [];
  for (const root of stepListRoots(definition)) listProblems(root.steps, root.path, problems);
  walkSteps(definition, ({ step, path }) => {
    if (constantOf(step.when) === false) {
      problems.push(
        warning(
          [...path, "when"],
          `step "${String(step.id)}" never runs: its when is the literal false (remove the step, or give it a real condition)`,
        ),
      );
    }
    if (step.type !== "conditional") return;
    const constant = constantOf(step.condition);
    if (constant === undefined) return;
    const dead = constant ? "else_steps" : "then_steps";
    const steps = step[dead];
    if (Array.isArray(steps) && steps.length > 0) {
      problems.push(
        warning(
          [...path, dead, 0],
          `conditional "${String(step.id)}": its condition is the literal ${constant}, so its ${dead} (${steps.length} step(s)) never run: remove them, or give the conditional a real condition`,
        ),
      );
    }
  });
  const named = new Set<string>();
  walkSteps(definition, ({ step }) => {
    if (step.type === "parallel_foreach" && typeof step.sub_agent_task === "string")
      named.add(step.sub_agent_task);
  });
  for (const name of Object.keys(definition.sub_agent_tasks ?? {})) {
    if (named.has(name)) continue;
    problems.push(
      warning(
        ["sub_agent_tasks", name],
        `sub-agent task "${name}" is never run: no parallel_foreach names it in sub_agent_task (remove it, or add the parallel_foreach that hands it out)`,
      ),
    );
  }
  return problems;
}

/** The steps after an unconditional `break`/`continue`, in every list of the tree. */
function listProblems(steps: unknown, path: YamlPath, problems: StaticProblem[]): void {
  if (!Array.isArray(steps)) return;
  const stop = steps.findIndex(
    (step) =>
      isPlainRecord(step) && (step.type === "break" || step.type === "continue") && step.when === undefined,
  );
  if (stop >= 0 && stop < steps.length - 1) {
    const jump = steps[stop] as PlainRecord;
    problems.push(
      warning(
        [...path, stop + 1],
        `${steps.length - stop - 1} step(s) after the ${String(jump.type)} "${String(jump.id)}" never run: it always leaves this list (move them before it, or give it a when)`,
      ),
    );
  }
  steps.forEach((step, index) => {
    if (!isPlainRecord(step)) return;
    for (const key of ["then_steps", "else_steps", "body"] as const)
      listProblems(step[key], [...path, index, key], problems);
  });
}

function constantOf(condition: unknown): boolean | undefined {
  if (typeof condition === "boolean") return condition;
  if (typeof condition !== "string") return undefined;
  const literal = LITERAL.exec(condition)?.[1];
  return literal === undefined ? undefined : literal === "true";
}

function warning(path: YamlPath, message: string): StaticProblem {
  return { code: "check.unreachable_step", severity: "warning", path, offset: 0, message };
}
