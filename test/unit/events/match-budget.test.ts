/**
 * @module
 * One intake call's work budget over all its matching: once the sandbox polls of the call reach
 * INTAKE_POLL_BUDGET, no further filter or mapping runs; the remaining subscriptions come back
 * as `filter_error` with `events.match_budget_exceeded`, and the call's polls stay within the
 * budget plus one expression.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  INTAKE_POLL_BUDGET,
  MATCH_BUDGET_EXCEEDED,
  MatchBudget,
  matchEvent,
  type Subscription,
  type TriggerEvent,
} from "../../../engine/events/index.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { RUN_EXPRESSION_POLL_BUDGET } from "../../../engine/machine/work-meter.ts";

const evaluator = await createEvaluator({ stepBudget: RUN_EXPRESSION_POLL_BUDGET });
afterAll(() => evaluator.dispose());

const EVENT: TriggerEvent = { id: "evt_1", type: "spin", source: "api", payload: { a: 1 }, receivedAt: 0 };

const spinning = (i: number): Subscription => ({
  id: `w#t${i}`,
  workflow: "w",
  event_pattern: "spin",
  filter: "(()=>{while(true){}})()",
});

describe("match budget", () => {
  it("stops running filters once the call's polls are spent, and logs the rest", () => {
    const budget = new MatchBudget(evaluator);
    const before = evaluator.pollsUsed;
    const subscriptions = Array.from({ length: 200 }, (_, i) => spinning(i));
    const matches = [
      ...matchEvent(EVENT, subscriptions, evaluator, budget),
      ...matchEvent(EVENT, subscriptions, evaluator, budget),
    ];
    expect(matches).toHaveLength(400);
    expect(matches.every((match) => "skipped" in match && match.skipped === "filter_error")).toBe(true);
    const stopped = matches.filter(
      (match) => "error" in match && match.error?.code === MATCH_BUDGET_EXCEEDED,
    );
    expect(stopped.length).toBeGreaterThan(350);
    expect(evaluator.pollsUsed - before).toBeLessThanOrEqual(
      INTAKE_POLL_BUDGET + RUN_EXPRESSION_POLL_BUDGET + 1,
    );
  });

  it("leaves ordinary filters and mappings alone: a full batch fits easily", () => {
    const budget = new MatchBudget(evaluator);
    const subscriptions: Subscription[] = Array.from({ length: 50 }, (_, i) => ({
      id: `w#t${i}`,
      workflow: "w",
      event_pattern: "spin",
      filter: `payload.a === 1 && event.type === 'spin'`,
      inputs_mapping: { value: "payload.a + 1", label: "{{ event.source }}-{{ payload.a }}" },
    }));
    for (let i = 0; i < 100; i++) {
      const matches = matchEvent({ ...EVENT, id: `evt_${i}` }, subscriptions, evaluator, budget);
      expect(matches.every((match) => "inputs" in match)).toBe(true);
    }
    expect(budget.used).toBeLessThan(INTAKE_POLL_BUDGET / 2);
  });
});
