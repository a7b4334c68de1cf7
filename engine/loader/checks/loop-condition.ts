/**
 * @module
 * A `while_loop` whose condition nothing in its body can change (`check.loop_condition_constant`).
 * The condition's names are those it reads (bare names, `this.x`, `state.x`, `global.x`, ...), plus
 * the names every computed field among them reads through its `from`, transitively. When no step
 * of the body (at any depth) writes any of them, each pass sees the condition as the first did:
 * the loop never runs or runs to `max_iterations`. Always a warning: even a body of server steps
 * only yields between work slices (engine/machine/slice.ts), and a `workflow_state_update` can land
 * there; a body with a step that pauses the run (a client step, a wait, an effect, sub-agents, a
 * dependency flow) gives an agent every pass to do so. A condition that reads no state (`true`)
 * may be a deliberate count of `max_iterations` passes. Not judged (nothing is provable): a condition that reads
 * `loop.iteration`, a clock (`Date`, `Math`), a computed name (`this[x]`), or a body holding a
 * `break` for this loop.
 */
import type { WorkflowDefinition } from "../../dialect/index.ts";
import { hasTemplate } from "../../expressions/template.ts";
import { isPlainRecord, type PlainRecord, walkSteps } from "../step-walk.ts";
import type { YamlPath } from "../yaml-path.ts";
import type { CheckBudget } from "./check-budget.ts";
import type { ExpressionNames } from "./expression-names.ts";
import { readsOf } from "./site-reads.ts";
import { writtenPaths } from "./state-paths.ts";
import { SAME_TURN_STEPS } from "./step-groups.ts";
import type { StaticProblem } from "./unresolved-names.ts";

/** Scopes whose values no step can change during a run. */
const CONSTANT_SCOPES: ReadonlySet<string> = new Set(["inputs", "config", "event", "tasks"]);
const WRITTEN_FIELD = /^\s*[A-Za-z_$][\w$]*\s*(?:\.\s*([^.[\]\s]+)|\[\s*(["'])(.*?)\2\s*\])/s;

export function checkLoopConditions(definition: WorkflowDefinition, meter?: CheckBudget): StaticProblem[] {
  const problems: StaticProblem[] = [];
  const computed = computedFroms(definition);
  walkSteps(definition, ({ step, path }) => {
    if (step.type !== "while_loop") return;
    const condition = typeof step.condition === "boolean" ? String(step.condition) : step.condition;
    if (typeof condition !== "string") return;
    const problem = loopProblem(step, condition, path, computed, meter);
    if (problem !== undefined) problems.push(problem);
  });
  return problems;
}

function loopProblem(
  step: PlainRecord,
  condition: string,
  path: YamlPath,
  computed: ReadonlyMap<string, readonly string[]>,
  meter: CheckBudget | undefined,
): StaticProblem | undefined {
  const body = Array.isArray(step.body) ? step.body : [];
  if (body.length === 0 || breaksOut(body)) return undefined;
  const read = conditionNames(condition, computed, meter);
  if (read === undefined) return undefined;
  const written = new Set<string>();
  let pauses = false;
  walkSteps({ steps: body }, ({ step: inner, path: innerPath }) => {
    meter?.spend(1);
    if (!SAME_TURN_STEPS.has(String(inner.type))) pauses = true;
    for (const { path: target } of writtenPaths(inner, innerPath)) {
      const match = WRITTEN_FIELD.exec(target);
      const field = match?.[1] ?? match?.[3];
      if (field !== undefined) written.add(field);
    }
  });
  if ([...read].some((name) => written.has(name))) return undefined;
  const at = { code: "check.loop_condition_constant" as const, path: [...path, "condition"], offset: 0 };
  const loop = `while_loop "${String(step.id)}"`;
  if (read.size === 0) {
    return {
      ...at,
      severity: "warning",
      message:
        `${loop}: its condition reads no state, so every pass sees the same value: the loop never runs, or runs until max_iterations. ` +
        "For a fixed number of passes write loop.iteration <= N; otherwise read a field the body updates, or add a break",
    };
  }
  const shown = [...read].map((name) => `\`${name}\``).join(", ");
  const them = read.size === 1 ? "it" : "any of them";
  const fix =
    "Update what the condition reads in the body (a state_update), add a break, or read loop.iteration";
  if (pauses) {
    return {
      ...at,
      severity: "warning",
      message: `${loop}: its condition reads ${shown} and no step of its body writes ${them}, so only an agent's workflow_state_update between passes could end the loop before max_iterations. ${fix}`,
    };
  }
  return {
    ...at,
    severity: "warning",
    message: `${loop}: its condition reads ${shown} and no step of its body writes ${them}; the body has only server steps, so only a workflow_state_update landing between two work slices could change ${them}: in practice the loop never runs, or runs until max_iterations. ${fix}`,
  };
}

/**
 * The state names `condition` depends on, computed fields expanded; `undefined` when the
 * condition can change on its own or reads a name that cannot be known.
 */
function conditionNames(
  condition: string,
  computed: ReadonlyMap<string, readonly string[]>,
  meter: CheckBudget | undefined,
): Set<string> | undefined {
  const reads = readsOf({ text: condition, form: hasTemplate(condition) ? "template" : "expression" }, meter);
  const direct = stateNames(reads);
  if (direct === undefined) return undefined;
  const names = new Set<string>();
  const pending = [...direct];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (names.has(name)) continue;
    names.add(name);
    const from = computed.get(name);
    if (from === undefined) continue;
    for (const source of from) {
      const more = sourceNames(source, meter);
      if (more === undefined) return undefined;
      pending.push(...more);
    }
  }
  return names;
}

function stateNames(reads: ExpressionNames): string[] | undefined {
  if (reads.readsClock) return undefined;
  const names: string[] = reads.bare.map((read) => read.name);
  for (const read of reads.scoped) {
    if (CONSTANT_SCOPES.has(read.root)) continue;
    if (read.root === "loop" || read.field === undefined) return undefined;
    names.push(read.field);
  }
  return names;
}

/** The names a computed `from` entry reads: a template's, or a path's first field. */
function sourceNames(source: string, meter: CheckBudget | undefined): string[] | undefined {
  if (hasTemplate(source)) return stateNames(readsOf({ text: source, form: "template" }, meter));
  return stateNames(readsOf({ text: source, form: "expression" }, meter));
}

/** Each computed field of the file (pooled with its sub-agent tasks') with its `from` entries. */
function computedFroms(definition: WorkflowDefinition): Map<string, readonly string[]> {
  const froms = new Map<string, readonly string[]>();
  const owners: unknown[] = [definition, ...Object.values(definition.sub_agent_tasks ?? {})];
  for (const owner of owners) {
    const schema = isPlainRecord(owner) ? owner.state_schema : undefined;
    const fields = isPlainRecord(schema) && isPlainRecord(schema.computed) ? schema.computed : {};
    for (const [name, field] of Object.entries(fields)) {
      const from = isPlainRecord(field) ? field.from : undefined;
      const entries = (Array.isArray(from) ? from : [from]).filter((entry) => typeof entry === "string");
      froms.set(name, [...(froms.get(name) ?? []), ...entries]);
    }
  }
  return froms;
}

/** Whether a `break` of this loop sits in `steps` (in branches, not inside a nested loop). */
function breaksOut(steps: readonly unknown[]): boolean {
  return steps.some((step) => {
    if (!isPlainRecord(step)) return false;
    if (step.type === "break") return true;
    if (step.type === "while_loop" || step.type === "foreach") return false;
    return [step.then_steps, step.else_steps].some((list) => Array.isArray(list) && breaksOut(list));
  });
}
