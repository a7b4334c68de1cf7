/**
 * @module
 * Subscriptions: who wants which events. A workflow's `triggers:` become subscriptions when a
 * version is published (`subscriptionsFromTriggers`); `workflow_subscribe_events` adds ones
 * without a trigger (an event pattern, a filter, a mapping). Ids derive from the workflow name
 * and the trigger's id or position, not the version, so a new version replaces the old one's
 * subscriptions in place and a schedule keeps its `lastFiredAt` and jitter across versions.
 */
import { z } from "zod";
import { workflowNameSchema } from "../dialect/scalars.ts";
import { type Trigger, triggerSchema } from "../dialect/triggers.ts";
import type { WorkflowDefinition } from "../dialect/workflow.ts";
import { EngineError, type ErrorShape } from "../errors.ts";
import { MAX_EXPRESSION_LENGTH } from "../expressions/source-analysis.ts";
import { validateSchedule } from "./cron.ts";
import { eventPatternSchema } from "./event-pattern.ts";

/** Longest filter or mapping expression accepted: the same as any expression's. */
export { MAX_EXPRESSION_LENGTH };

const INPUT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORBIDDEN_INPUT_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export const subscriptionSchema = z
  .strictObject({
    id: z.string().min(1).max(256).describe("<workflow>#<trigger id or triggers[i]>, or a generated id"),
    workflow: workflowNameSchema,
    version: z
      .string()
      .optional()
      .describe("Version that registered it (runs start the current version if absent)"),
    event_pattern: eventPatternSchema,
    filter: z
      .string()
      .min(1)
      .max(MAX_EXPRESSION_LENGTH)
      .optional()
      .describe("JavaScript over the event (fields bare or under event.); runs start only when truthy"),
    inputs_mapping: z
      .record(
        z
          .string()
          .regex(INPUT_NAME_PATTERN)
          .refine((name) => !FORBIDDEN_INPUT_NAMES.has(name)),
        z.string().min(1).max(MAX_EXPRESSION_LENGTH),
      )
      .optional()
      .describe("input name → {{ template }} or bare expression over the event"),
    enabled: z.boolean().optional(),
    trigger: triggerSchema.optional().describe("The trigger it was derived from, if any"),
  })
  .describe("A workflow's interest in events");
export type Subscription = z.output<typeof subscriptionSchema>;

const ENDPOINT_PATTERN = /^(\/[A-Za-z0-9._~-]+)+$/;

/** `workflow/trigger/` → `/workflow/trigger`; undefined when it is not a plain path. */
export function normalizeEndpoint(endpoint: string): string | undefined {
  const trimmed = `/${endpoint.trim().replace(/^\/+|\/+$/g, "")}`.replace(/\/{2,}/g, "/");
  if (!ENDPOINT_PATTERN.test(trimmed) || trimmed.length > 256) return undefined;
  // URLs resolve `.` and `..` before routing, so such an endpoint could never be reached.
  return trimmed.split("/").some((segment) => segment === "." || segment === "..") ? undefined : trimmed;
}

/** The enabled webhook subscriptions listening on `endpoint` (normalised). */
export function subscriptionsForEndpoint(
  endpoint: string,
  subscriptions: readonly Subscription[],
): Subscription[] {
  const wanted = normalizeEndpoint(endpoint);
  if (wanted === undefined) return [];
  return subscriptions.filter(
    (subscription) =>
      subscription.enabled !== false &&
      subscription.trigger?.type === "webhook" &&
      normalizeEndpoint(subscription.trigger.endpoint) === wanted,
  );
}

type TriggerSource = Pick<WorkflowDefinition, "name" | "version" | "triggers">;

/**
 * Every problem in a workflow's triggers that would stop it from being subscribed: bad cron,
 * time zone or jitter (`schedule.*`), bad endpoint (`subscription.bad_endpoint`), bad event
 * pattern (`subscription.bad_pattern`), repeated trigger ids (`subscription.duplicate_id`).
 * Each has a `path` such as `triggers[1].cron`. For publish-time validation.
 */
export function triggerProblems(definition: TriggerSource): ErrorShape[] {
  const problems: ErrorShape[] = [];
  const seen = new Set<string>();
  for (const [index, trigger] of (definition.triggers ?? []).entries()) {
    const path = `triggers[${index}]`;
    const key = trigger.id ?? path;
    if (seen.has(key)) {
      problems.push({
        code: "subscription.duplicate_id",
        message: `two triggers have the id '${key}'`,
        path: `${path}.id`,
      });
    }
    seen.add(key);
    const problem = checkTrigger(trigger, path);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/**
 * The subscriptions a workflow version's enabled triggers register. Throws the first of
 * `triggerProblems` as an `EngineError` (with its path).
 */
export function subscriptionsFromTriggers(definition: TriggerSource): Subscription[] {
  const [problem] = triggerProblems(definition);
  if (problem !== undefined) throw new EngineError(problem.code, problem.message, { path: problem.path });
  const subscriptions: Subscription[] = [];
  for (const [index, trigger] of (definition.triggers ?? []).entries()) {
    if (trigger.enabled === false) continue;
    const subscription: Subscription = {
      id: `${definition.name}#${trigger.id ?? `triggers[${index}]`}`,
      workflow: definition.name,
      version: definition.version,
      event_pattern: eventPatternOf(trigger),
      trigger,
    };
    if (trigger.filter !== undefined) subscription.filter = trigger.filter;
    if (trigger.inputs_mapping !== undefined) subscription.inputs_mapping = trigger.inputs_mapping;
    subscriptions.push(subscription);
  }
  return subscriptions;
}

function eventPatternOf(trigger: Trigger): string {
  return trigger.type === "event" ? ((trigger.event_type ?? trigger.name) as string) : trigger.type;
}

function checkTrigger(trigger: Trigger, path: string): ErrorShape | undefined {
  switch (trigger.type) {
    case "webhook":
      return normalizeEndpoint(trigger.endpoint) === undefined
        ? {
            code: "subscription.bad_endpoint",
            message: `endpoint '${trigger.endpoint}' must be a path of letters, digits and . _ ~ - segments`,
            path: `${path}.endpoint`,
          }
        : undefined;
    case "schedule":
      try {
        validateSchedule({
          id: path,
          cron: trigger.cron,
          timezone: trigger.timezone,
          jitterSeconds: trigger.jitter,
        });
        return undefined;
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        const field =
          error.code === "schedule.bad_timezone"
            ? "timezone"
            : error.code === "schedule.bad_jitter"
              ? "jitter"
              : "cron";
        return { code: error.code, message: error.message, path: `${path}.${field}` };
      }
    case "event": {
      const pattern = eventPatternOf(trigger);
      return eventPatternSchema.safeParse(pattern).success
        ? undefined
        : {
            code: "subscription.bad_pattern",
            message: `event type '${pattern}' must be letters, digits and _ . : - / with * as a wildcard`,
            path: `${path}.${trigger.event_type !== undefined ? "event_type" : "name"}`,
          };
    }
    case "file_change":
      return undefined;
  }
}
