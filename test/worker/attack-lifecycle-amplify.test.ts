/**
 * Attack (issue 14, lifecycle events): a catch-all subscription (`event_type: "*"`, the documented
 * "every event" pattern, which tenants already had before lifecycle events existed) now hears
 * `run.started` AND `run.completed` of every run, including its own runs. Each run it starts emits
 * two events that each start it again, one level deeper: one ordinary run fans out to
 * 2 + 4 + ... + 2^8 = 510 runs before the depth limit stops it (bounded only by the event-run rate
 * limit). Secure behaviour: one ordinary run costs the catch-all a bounded, small number of runs
 * (a `*` pattern does not take lifecycle events unless it names them, or a chain does not fan out).
 */
import { describe, expect, it } from "vitest";
import { MAX_CHAIN_RUNS } from "../../durable-objects/tenant/lifecycle-events.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { eventLog, publish } from "./support/events.ts";

const CATCH_ALL = `name: "audit:everything"
description: "Logs every event the tenant receives"
version: "1.0.0"
triggers:
  - type: event
    event_type: "*"
steps:
  - id: "note"
    type: "set_state"
    state_update:
      path: "this.seen"
      value: true
`;

const PLAIN = `name: "plain:job"
description: "Finishes at once"
version: "1.0.0"
steps:
  - id: "note"
    type: "set_state"
    state_update:
      path: "this.done"
      value: true
`;

/** Names the lifecycle namespace on purpose (`run.*`) and listens to its own runs: start and end. */
const SELF_STAR = `name: "loop:star"
description: "Starts itself on its own run.started and run.completed"
version: "1.0.0"
triggers:
  - type: event
    event_type: "run.*"
    filter: "event.workflow === 'loop:star'"
steps:
  - id: "note"
    type: "set_state"
    state_update:
      path: "this.seen"
      value: true
`;

async function countRuns(apiKey: string, workflow: string): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  for (let page = 0; page < 50; page += 1) {
    const call = await callTool(apiKey, "workflow_list_runs", {
      workflow,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    total += (call.structured.runs as unknown[]).length;
    cursor = call.structured.next_cursor as string | undefined;
    if (cursor === undefined) break;
  }
  return total;
}

describe("attack: lifecycle fan-out through a catch-all subscription", () => {
  it("one ordinary run does not start the catch-all workflow dozens of times", async () => {
    const { apiKey } = await newTenant("amplify");
    await publish(apiKey, CATCH_ALL);
    await publish(apiKey, PLAIN);
    const start = await callTool(apiKey, "workflow_start", { workflow: "plain:job", inputs: {} });
    expect(start.isError).toBeFalsy();
    let seen = 0;
    for (let i = 0; i < 60; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await countRuns(apiKey, "audit:everything");
    }
    console.log("catch-all runs after one plain run:", seen);
    expect(seen).toBeLessThanOrEqual(4);
  }, 60_000);

  it("a run.* self-subscription stops at the chain budget, with the coded reason in workflow_events", async () => {
    const { apiKey } = await newTenant("amplify-star");
    await publish(apiKey, SELF_STAR);
    const start = await callTool(apiKey, "workflow_start", { workflow: "loop:star", inputs: {} });
    expect(start.isError).toBeFalsy();
    let seen = 0;
    let refused = false;
    for (let i = 0; i < 150 && !(refused && seen >= 1 + MAX_CHAIN_RUNS); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await countRuns(apiKey, "loop:star");
      const stopped = await eventLog(apiKey, { outcome: "start_failed" });
      refused = stopped.some((event) =>
        event.matches.some((match) => match.error?.code === "events.chain_budget_exceeded"),
      );
    }
    // today: 1 + 2 + 4 + ... + 2^8 = 511 runs; with the budget: the first run and 32 descendants
    expect({ refused, seen }).toEqual({ refused: true, seen: 1 + MAX_CHAIN_RUNS });
  }, 60_000);
});
