/**
 * Property test for matchEvent: for any JSON payload and any mix of subscriptions (good, broken
 * and throwing filters and mappings), it never throws, returns exactly the candidates in order,
 * each with plain-data inputs or a known skip reason.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TriggerEvent } from "../../../engine/events/event.ts";
import { isCandidate, matchEvent } from "../../../engine/events/matching.ts";
import type { Subscription } from "../../../engine/events/subscription.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const filters = fc.constantFrom(
  undefined,
  "true",
  "false",
  "!path.includes('test')",
  "event.payload && typeof event.payload === 'object'",
  "payload.missing.deeper",
  "{{ type === 'file_change' }}",
  "syntax error (",
  "JSON.stringify(event).length > 0",
);
const mappings = fc.constantFrom<Record<string, string> | undefined>(
  undefined,
  { whole: "{{ event }}" },
  { ref: "payload.ref", text: "id {{ id }}" },
  { bad: "undefinedName" },
  { keys: "Object.keys(event).sort()" },
);
const subscriptions = fc.array(
  fc.record({
    event_pattern: fc.constantFrom("*", "file_change", "github.*", "custom", "webhook"),
    filter: filters,
    inputs_mapping: mappings,
    enabled: fc.constantFrom(undefined, true, false),
  }),
  { maxLength: 6 },
);
const events = fc.record({
  type: fc.constantFrom("file_change", "github.push", "custom", "webhook"),
  payload: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ path: fc.string(), change: fc.constantFrom("created", "modified", "deleted") }),
  ),
});

describe("matchEvent properties", () => {
  it("never throws and returns exactly the candidates, in order, with plain data", () => {
    fc.assert(
      fc.property(events, subscriptions, (partial, drafts) => {
        const event: TriggerEvent = { id: "e1", source: "test", receivedAt: 0, ...partial };
        const list: Subscription[] = drafts.map((draft, i) => {
          const subscription: Subscription = {
            id: `s${i}`,
            workflow: "t:flow",
            event_pattern: draft.event_pattern,
          };
          if (draft.filter !== undefined) subscription.filter = draft.filter;
          if (draft.inputs_mapping !== undefined) subscription.inputs_mapping = draft.inputs_mapping;
          if (draft.enabled !== undefined) subscription.enabled = draft.enabled;
          return subscription;
        });
        const matches = matchEvent(event, list, evaluator);
        expect(matches.map((match) => match.subscription.id)).toEqual(
          list
            .filter((subscription) => isCandidate(subscription, event))
            .map((subscription) => subscription.id),
        );
        for (const match of matches) {
          if ("inputs" in match) {
            expect(JSON.parse(JSON.stringify(match.inputs))).toEqual(match.inputs);
          } else {
            expect(["filtered_out", "filter_error", "mapping_error"]).toContain(match.skipped);
          }
          if (match.subscription.filter === "true" && match.subscription.inputs_mapping === undefined) {
            expect(match).toHaveProperty("inputs");
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
