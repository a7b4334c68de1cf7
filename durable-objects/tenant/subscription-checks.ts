/**
 * @module
 * Checks a `workflow_subscribe_events` subscription's filter and mappings once, when it is made:
 * each is evaluated against an empty event, and a syntax error or a forbidden construct is
 * refused with its path (`filter`, `inputs_mapping.<name>`). Errors that depend on the event's
 * data (reading a field of undefined) are not the subscriber's mistake yet and pass.
 */

import { EngineError } from "../../engine/errors.ts";
import { matchEvent, type Subscription, type TriggerEvent } from "../../engine/events/index.ts";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";

const STATIC_ERRORS: ReadonlySet<string> = new Set(["expression.syntax", "expression.forbidden"]);

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
