/**
 * @module
 * Which tasks can never run. A task can end as success or failed if it runs, and as skipped or
 * upstream_failed if it does not; from the outcomes each upstream task can possibly have, and
 * the task's trigger rule and literal conditions, this finds the tasks that are certain never to
 * run (`graph.unreachable`, a warning: a task disabled with `when: false` takes its
 * `all_success` dependents with it, which may be intended). Outcomes of different tasks are
 * treated as independent, so a warning is never wrong; a task that only correlated outcomes
 * keep from running is not reported. Runs on an acyclic graph in O(V + 7E).
 */
import type { TriggerRule } from "../dialect/index.ts";
import { type Decision, decide, FAILED, SKIPPED, SUCCESS } from "./trigger-rules.ts";

export type ConditionKind = "always" | "never" | "maybe";

export interface ReachabilityInput {
  /** tasks in an order where each comes after the tasks it needs */
  order: readonly number[];
  needs(task: number): readonly number[];
  rule(task: number): TriggerRule;
  condition(task: number): ConditionKind;
}

/** What a task's literal conditions say before anything is evaluated. */
export function conditionKind(when: readonly (string | boolean)[]): ConditionKind {
  if (when.includes(false)) return "never";
  return when.every((condition) => condition === true) ? "always" : "maybe";
}

/** For each task in `order`, whether it can run, and the bits of the outcomes it can end with. */
export function possibleOutcomes(
  input: ReachabilityInput,
): Map<number, { canRun: boolean; outcomes: number }> {
  const result = new Map<number, { canRun: boolean; outcomes: number }>();
  const cover = new Int32Array(8);
  for (const task of input.order) {
    const needs = input.needs(task);
    const fates = new Set<Decision>();
    if (needs.length === 0) {
      fates.add("run");
    } else {
      cover.fill(0);
      for (const need of needs) {
        const bits = result.get(need)?.outcomes ?? SUCCESS | FAILED | SKIPPED;
        for (let subset = 1; subset < 8; subset++) if (bits & subset) cover[subset]! += 1;
      }
      for (let pattern = 1; pattern < 8; pattern++) {
        if (achievable(pattern, cover, needs.length)) fates.add(decide(input.rule(task), pattern, true));
      }
    }
    const condition = input.condition(task);
    const canRun = fates.has("run") && condition !== "never";
    let outcomes = 0;
    if (canRun) outcomes |= SUCCESS | FAILED;
    if (condition !== "always" && fates.has("run")) outcomes |= SKIPPED;
    if (fates.has("skipped")) outcomes |= SKIPPED;
    if (fates.has("upstream_failed")) outcomes |= FAILED;
    result.set(task, { canRun, outcomes });
  }
  return result;
}

/**
 * Whether the upstream tasks can end with exactly the outcomes in `pattern`: each can pick one
 * in the pattern, and (Hall's condition) every sub-pattern is coverable by distinct tasks.
 */
function achievable(pattern: number, cover: Int32Array, upstreamCount: number): boolean {
  if (cover[pattern] !== upstreamCount) return false;
  for (let subset = 1; subset < 8; subset++) {
    if ((subset & pattern) !== subset) continue;
    const size = (subset & 1) + ((subset >> 1) & 1) + ((subset >> 2) & 1);
    if (cover[subset]! < size) return false;
  }
  return true;
}
