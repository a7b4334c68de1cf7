/**
 * @module
 * Differences in `triggers:`. A trigger is identified by its `id` when it has one, else by its
 * address (a webhook's endpoint, a schedule's cron and time zone, a file pattern, an event type),
 * so changing an unnamed trigger's address reads as one removed and one added. Breaking: what a
 * sender of the previous version relies on (a webhook's endpoint and signature scheme, an event
 * type) removed or changed; a schedule's or file pattern's change is not (no one outside sends them).
 */
import { canonicalJson } from "../audit/canonical-json.ts";
import type { Trigger, WorkflowDefinition } from "../dialect/index.ts";
import type { CompatibilityChange } from "./compatibility-change.ts";

/** What a sender of the previous version relies on: changing it makes their deliveries miss. */
function senderContract(trigger: Trigger): string {
  switch (trigger.type) {
    case "webhook":
      return `webhook ${trigger.endpoint} (${trigger.signature ?? "standard"})`;
    case "event":
      return `event ${trigger.event_type ?? trigger.name}`;
    case "schedule":
      return "schedule";
    case "file_change":
      return "file_change";
  }
}

/** Webhooks and events come from outside senders; schedules and file changes are the platform's own. */
function hasSenders(trigger: Trigger): boolean {
  return trigger.type === "webhook" || trigger.type === "event";
}

function addressOf(trigger: Trigger): string {
  switch (trigger.type) {
    case "webhook":
      return `webhook:${trigger.endpoint}`;
    case "schedule":
      return `schedule:${trigger.cron}${trigger.timezone === undefined ? "" : `@${trigger.timezone}`}`;
    case "file_change":
      return `file_change:${[trigger.pattern].flat().join(",")}`;
    case "event":
      return `event:${trigger.event_type ?? trigger.name}`;
  }
}

function triggersByKey(definition: WorkflowDefinition): Map<string, Trigger> {
  const triggers = new Map<string, Trigger>();
  for (const trigger of definition.triggers ?? []) triggers.set(trigger.id ?? addressOf(trigger), trigger);
  return triggers;
}

export function triggerChanges(
  previous: WorkflowDefinition,
  next: WorkflowDefinition,
): CompatibilityChange[] {
  const before = triggersByKey(previous);
  const after = triggersByKey(next);
  const changes: CompatibilityChange[] = [];
  for (const [key, trigger] of before) {
    const path = `triggers.${key}`;
    const now = after.get(key);
    if (now === undefined) {
      const sent = hasSenders(trigger);
      changes.push({
        kind: "trigger_removed",
        path,
        breaking: sent,
        message: sent
          ? `trigger ${key} was removed: senders of the previous version's ${trigger.type}s are no longer answered`
          : `trigger ${key} was removed: it no longer starts runs (no outside sender relies on a ${trigger.type})`,
      });
    } else if (canonicalJson(now) !== canonicalJson(trigger)) {
      const moved = senderContract(now) !== senderContract(trigger) || now.type !== trigger.type;
      changes.push(
        moved
          ? {
              kind: "trigger_changed",
              path,
              breaking: true,
              message: `trigger ${key} changed from ${senderContract(trigger)} to ${senderContract(now)}: senders of the previous version miss it`,
            }
          : {
              kind: "trigger_changed",
              path,
              breaking: false,
              message: `trigger ${key} changed (same address: filter, mapping, timing or secret)`,
            },
      );
    }
  }
  for (const key of after.keys()) {
    if (!before.has(key)) {
      changes.push({
        kind: "trigger_added",
        path: `triggers.${key}`,
        breaking: false,
        message: `new trigger ${key}`,
      });
    }
  }
  return changes;
}
