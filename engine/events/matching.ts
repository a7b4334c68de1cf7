/**
 * @module
 * Matching one event against a tenant's subscriptions. A subscription is a candidate when it
 * is enabled, its `event_pattern` matches the event type, and its trigger (if any) accepts the
 * event: a webhook trigger its endpoint, a schedule trigger its own fires, a file-change trigger
 * its glob and kinds of change. Candidates then run their `filter` and `inputs_mapping` in the
 * sandbox (each evaluation bounded by the evaluator's step budget), and each one comes back
 * either with the inputs for its run or with why it was skipped. Non-candidates are left out.
 *
 * Filters and mappings see the event through `eventBindings`: the payload's fields and the
 * envelope, bare and under `event.`. A filter or mapping value containing `{{` is a template
 * (a lone `{{ }}` keeps its type); anything else is a JavaScript expression, so a constant
 * string must be quoted (`"'main'"`). A mapping that evaluates to `undefined` leaves the input
 * out, so the workflow's default applies.
 * It must not start runs, store anything, or read the clock.
 */
import { EngineError, type ErrorShape } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import { hasTemplate, renderTemplate } from "../expressions/template.ts";
import type { TriggerEvent } from "./event.ts";
import { matchesEventPattern } from "./event-pattern.ts";
import { eventBindings } from "./event-scope.ts";
import { compileFilePatterns, type PathMatcher } from "./file-pattern.ts";
import type { MatchBudget } from "./match-budget.ts";
import { normalizeEndpoint, type Subscription } from "./subscription.ts";

export type SkipReason = "filtered_out" | "filter_error" | "mapping_error";

export type EventMatch =
  | { subscription: Subscription; inputs: Record<string, unknown> }
  | { subscription: Subscription; skipped: SkipReason; error?: ErrorShape };

/**
 * Every candidate subscription with its run's inputs, or the reason it starts no run, in the
 * order of `subscriptions`. Never throws for a subscription's own failure: a filter or mapping
 * that throws (syntax, runtime error, budget exceeded) is reported with its error. With a
 * `budget` (one per intake call, shared by all its events), no expression starts once it is
 * spent: the rest are `filter_error` (or `mapping_error` when spent between mappings) with
 * `events.match_budget_exceeded`.
 */
export function matchEvent(
  event: TriggerEvent,
  subscriptions: readonly Subscription[],
  evaluator: Evaluator,
  budget?: MatchBudget,
): EventMatch[] {
  const matches: EventMatch[] = [];
  let bindings: Record<string, unknown> | undefined;
  for (const subscription of subscriptions) {
    if (!isCandidate(subscription, event)) continue;
    bindings ??= eventBindings(event);
    matches.push(evaluateSubscription(subscription, bindings, evaluator, budget));
  }
  return matches;
}

/** Whether `subscription` is interested in `event` before any filter runs. */
export function isCandidate(subscription: Subscription, event: TriggerEvent): boolean {
  if (subscription.enabled === false) return false;
  if (!matchesEventPattern(subscription.event_pattern, event.type)) return false;
  const trigger = subscription.trigger;
  if (trigger === undefined) return true;
  switch (trigger.type) {
    case "webhook":
      return event.type === "webhook" && normalizeEndpoint(trigger.endpoint) === event.source;
    case "schedule":
      return event.type === "schedule" && event.source === subscription.id;
    case "file_change": {
      const change = fileChangeOf(event);
      if (change === undefined) return false;
      const kinds: readonly string[] | undefined = trigger.events;
      if (kinds !== undefined && !kinds.includes(change.change)) return false;
      return pathMatcherOf(trigger)(change.path);
    }
    case "event":
      return true;
  }
}

/**
 * Each file_change trigger's compiled globs, kept with the trigger object itself. A tenant's
 * subscription list is built once and cached until a row changes (the TenantDO's
 * `SubscriptionRegistry`), so an event matched against many file_change subscriptions compiles
 * nothing and serializes no pattern: the shared cache behind `compileFilePatterns` holds 512
 * entries, fewer than a tenant's subscriptions may be, and round-robin use would empty it for
 * every event. Entries go with their trigger (a WeakMap holds no subscription alive).
 */
const triggerMatchers = new WeakMap<object, PathMatcher>();

function pathMatcherOf(trigger: { pattern: string | readonly string[] }): PathMatcher {
  let matcher = triggerMatchers.get(trigger);
  if (matcher === undefined) {
    matcher = compileFilePatterns(trigger.pattern);
    triggerMatchers.set(trigger, matcher);
  }
  return matcher;
}

function evaluateSubscription(
  subscription: Subscription,
  bindings: Record<string, unknown>,
  evaluator: Evaluator,
  budget: MatchBudget | undefined,
): EventMatch {
  const evaluate = (source: string): unknown => {
    budget?.check();
    return evaluator.evaluate(source, bindings);
  };
  const hasExpressions =
    subscription.filter !== undefined || Object.keys(subscription.inputs_mapping ?? {}).length > 0;
  if (budget !== undefined && hasExpressions) {
    try {
      budget.check();
    } catch (error) {
      return { subscription, skipped: "filter_error", error: errorShape(error, "filter") };
    }
  }
  if (subscription.filter !== undefined) {
    let passed: boolean;
    try {
      passed = Boolean(evaluateText(subscription.filter, evaluate));
    } catch (error) {
      return { subscription, skipped: "filter_error", error: errorShape(error, "filter") };
    }
    if (!passed) return { subscription, skipped: "filtered_out" };
  }
  const inputs: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(subscription.inputs_mapping ?? {})) {
    let value: unknown;
    try {
      value = evaluateText(source, evaluate);
    } catch (error) {
      return { subscription, skipped: "mapping_error", error: errorShape(error, `inputs_mapping.${name}`) };
    }
    if (value !== undefined)
      Object.defineProperty(inputs, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return { subscription, inputs };
}

/** A template when it contains `{{`, otherwise a bare expression. */
function evaluateText(text: string, evaluate: (source: string) => unknown): unknown {
  return hasTemplate(text) ? renderTemplate(text, evaluate) : evaluate(text);
}

function fileChangeOf(event: TriggerEvent): { path: string; change: string } | undefined {
  if (event.type !== "file_change") return undefined;
  const payload = event.payload as { path?: unknown; change?: unknown } | null | undefined;
  if (typeof payload !== "object" || payload === null) return undefined;
  const { path, change } = payload;
  return typeof path === "string" && typeof change === "string" ? { path, change } : undefined;
}

function errorShape(error: unknown, path: string): ErrorShape {
  if (error instanceof EngineError) return { ...error.toJSON(), path };
  return {
    code: "expression.runtime",
    message: error instanceof Error ? error.message : String(error),
    path,
  };
}
