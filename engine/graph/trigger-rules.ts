/**
 * @module
 * Trigger rules (Airflow's names and meanings). A task's fate is a function of WHICH outcomes
 * occur among its finished upstream tasks — the outcome pattern, a set of {success, failed,
 * skipped}, where `upstream_failed` counts as failed — so it never depends on the order in which
 * the upstream tasks finish:
 *
 * | rule | runs when | otherwise |
 * | --- | --- | --- |
 * | all_success (default) | every upstream succeeded | upstream_failed if one failed, else skipped |
 * | all_failed | every upstream failed | skipped |
 * | all_done | every upstream finished, whatever the outcome | (always runs) |
 * | one_success | one upstream succeeded (does not wait for the others) | skipped if all were skipped, else upstream_failed |
 * | one_failed | one upstream failed (does not wait for the others) | skipped |
 * | none_failed | no upstream failed (succeeded or skipped) | upstream_failed |
 *
 * A task with no upstream always runs, whatever its rule. A task is decided as soon as its fate
 * is certain whatever its unfinished upstream tasks do (`decideEarly`); so `one_success` starts
 * at the first success and `all_success` becomes `upstream_failed` at the first failure, but
 * `all_done` always waits for every upstream.
 */
import type { TriggerRule } from "../dialect/index.ts";

/** Bits of an outcome pattern. */
export const SUCCESS = 1;
export const FAILED = 2;
export const SKIPPED = 4;

export type Decision = "run" | "skipped" | "upstream_failed";

/** The fate of a task whose upstream tasks have all finished with the outcomes in `pattern`. */
export function decide(rule: TriggerRule, pattern: number, hasUpstream: boolean): Decision {
  if (!hasUpstream) return "run";
  switch (rule) {
    case "all_success":
      return pattern === SUCCESS ? "run" : pattern & FAILED ? "upstream_failed" : "skipped";
    case "all_failed":
      return pattern === FAILED ? "run" : "skipped";
    case "all_done":
      return "run";
    case "one_success":
      return pattern & SUCCESS ? "run" : pattern === SKIPPED ? "skipped" : "upstream_failed";
    case "one_failed":
      return pattern & FAILED ? "run" : "skipped";
    case "none_failed":
      return pattern & FAILED ? "upstream_failed" : "run";
  }
}

/**
 * The fate of a task of which `pending` upstream tasks have not finished, if it is already
 * certain: the same whatever outcomes the pending ones add. Undefined while it is not.
 */
export function decideEarly(
  rule: TriggerRule,
  pattern: number,
  pending: number,
  upstreamCount: number,
): Decision | undefined {
  if (pending === 0) return decide(rule, pattern, upstreamCount > 0);
  if (rule === "all_done") return undefined;
  let certain: Decision | undefined;
  for (let added = 1; added <= 7; added++) {
    if (bitCount(added) > pending) continue;
    const fate = decide(rule, pattern | added, true);
    if (certain === undefined) certain = fate;
    else if (fate !== certain) return undefined;
  }
  return certain;
}

function bitCount(bits: number): number {
  return (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1);
}
