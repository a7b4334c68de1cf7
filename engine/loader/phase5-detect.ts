/**
 * @module
 * Whether a file is written in the phase-5 dialect (schema_version 1): explicitly marked, or
 * unmarked and using a phase-5 feature (a `raw` tier, standalone `state_update` or
 * `batch_state_update` steps, steps without ids, `then`/`else`, `type: while`, `steps:` in a loop).
 */
import { isPlainRecord } from "./step-walk.ts";

const PHASE5_STEP_TYPES = new Set(["state_update", "batch_state_update", "while"]);
const LOOP_TYPES = new Set(["while", "while_loop", "foreach"]);
/** Child step lists in either dialect. */
export const ANY_CHILD_STEP_KEYS = ["then_steps", "else_steps", "then", "else", "body", "steps"] as const;

function hasRawTier(owner: unknown): boolean {
  if (!isPlainRecord(owner)) return false;
  return (
    (isPlainRecord(owner.default_state) && Object.hasOwn(owner.default_state, "raw")) ||
    (isPlainRecord(owner.state_schema) && Object.hasOwn(owner.state_schema, "raw"))
  );
}

function stepIsPhase5(step: Record<string, unknown>): boolean {
  const type = String(step.type);
  if (!Object.hasOwn(step, "id") || PHASE5_STEP_TYPES.has(type)) return true;
  if (type === "conditional" && (Object.hasOwn(step, "then") || Object.hasOwn(step, "else"))) return true;
  return LOOP_TYPES.has(type) && Object.hasOwn(step, "steps");
}

function listHasPhase5Step(steps: unknown): boolean {
  if (!Array.isArray(steps)) return false;
  return steps.some(
    (step) =>
      isPlainRecord(step) &&
      (stepIsPhase5(step) ||
        ANY_CHILD_STEP_KEYS.some((key) => key !== "steps" && listHasPhase5Step(step[key])) ||
        (LOOP_TYPES.has(String(step.type)) && listHasPhase5Step(step.steps))),
  );
}

/** True when an unmarked document uses any phase-5 feature. */
export function usesPhase5Features(document: unknown): boolean {
  if (!isPlainRecord(document)) return false;
  if (hasRawTier(document) || listHasPhase5Step(document.steps)) return true;
  if (!isPlainRecord(document.sub_agent_tasks)) return false;
  return Object.values(document.sub_agent_tasks).some(
    (task) => hasRawTier(task) || (isPlainRecord(task) && listHasPhase5Step(task.steps)),
  );
}

/** The dialect version a document is written in: explicit, or 1 when unmarked and phase-5 features appear. */
export function detectSchemaVersion(document: unknown): number | undefined {
  if (!isPlainRecord(document)) return undefined;
  if (document.schema_version !== undefined) {
    return typeof document.schema_version === "number" ? document.schema_version : undefined;
  }
  return usesPhase5Features(document) ? 1 : 2;
}
