/**
 * @module
 * A `workflow_subscribe_events` request as a subscription (`sub_` + 24 hex), and its filter and
 * mappings checked once, when it is made:
 * each is evaluated against an empty event, and a syntax error, a forbidden construct or a
 * reference to `env` (secrets are not values) is refused with its path (`filter`, `inputs_mapping.<name>`). Errors that depend on the event's
 * data (reading a field of undefined) are not the subscriber's mistake yet and pass.
 */

import { EngineError } from "../../engine/errors.ts";
import {
  matchEvent,
  type Subscription,
  subscriptionSchema,
  type TriggerEvent,
} from "../../engine/events/index.ts";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import { ENV_NOT_ALLOWED } from "../../engine/secrets/env-references.ts";
import type { NewSubscription } from "./contracts.ts";
import { randomHex } from "./event-ids.ts";

/** The subscription a request asks for, validated by the engine's schema (`input.invalid` with a path). */
export function apiSubscriptionOf(request: NewSubscription): Subscription {
  const parsed = subscriptionSchema.safeParse({ id: `sub_${randomHex(12)}`, ...request });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new EngineError("input.invalid", `Invalid subscription: ${issue?.message ?? "invalid"}.`, {
    path: issue?.path.join(".") ?? "",
  });
}

const STATIC_ERRORS: ReadonlySet<string> = new Set([
  "expression.syntax",
  "expression.forbidden",
  ENV_NOT_ALLOWED,
]);

const PROBE: TriggerEvent = { id: "probe", type: "probe", source: "probe", payload: {}, receivedAt: 0 };

export function checkSubscriptionExpressions(subscription: Subscription, evaluator: Evaluator): void {
  const probe = { ...subscription, event_pattern: "*", enabled: true };
  const { filter, inputs_mapping, trigger: _trigger, ...rest } = probe;
  const parts: Subscription[] = [];
  if (filter !== undefined) parts.push({ ...rest, filter });
  if (inputs_mapping !== undefined) parts.push({ ...rest, inputs_mapping });
  for (const part of parts) {
    for (const match of matchEvent(PROBE, [part], evaluator)) {
      if (!("skipped" in match) || match.error === undefined) continue;
      if (!STATIC_ERRORS.has(match.error.code)) continue;
      const path = match.error.path ?? (match.skipped === "filter_error" ? "filter" : "inputs_mapping");
      throw new EngineError(match.error.code, `${path}: ${match.error.message}`, { path });
    }
  }
}
