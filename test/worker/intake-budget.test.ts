/**
 * The work budget of one intake call (issue 9, class 3 on the event side): a tenant whose
 * triggers all spin (`(()=>{while(true){}})()`) cannot make one `POST /events` run every filter
 * to its per-expression budget. The answer is 202, the events are stored, every subscription that
 * wanted an event has a log entry, and once the call's polls are spent the rest are logged
 * `filter_error` with `events.match_budget_exceeded` instead of running. A workflow may declare
 * at most MAX_TRIGGERS triggers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_TRIGGERS } from "../../engine/dialect/triggers.ts";
import { INTAKE_POLL_BUDGET, MATCH_BUDGET_EXCEEDED } from "../../engine/events/index.ts";
import { RUN_EXPRESSION_POLL_BUDGET } from "../../engine/machine/work-meter.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { eventLog, postEvent, publish } from "./support/events.ts";

const WORKFLOWS = 3;
const EVENTS = 3;

function spinningWorkflow(name: string, triggers: number): string {
  const lines = [
    `name: "${name}"`,
    `description: "Every trigger's filter spins"`,
    `version: "1.0.0"`,
    "triggers:",
  ];
  for (let i = 0; i < triggers; i++) {
    lines.push(
      `  - id: t${i}`,
      "    type: event",
      `    event_type: "spin.*"`,
      `    filter: "(()=>{while(true){}})()"`,
    );
  }
  lines.push("steps:", `  - id: "say"`, `    type: "user_message"`, `    message: "never"`, "");
  return lines.join("\n");
}

let tenant: { id: string; apiKey: string };

beforeAll(async () => {
  tenant = await newTenant("budget");
  for (let w = 0; w < WORKFLOWS; w++)
    await publish(tenant.apiKey, spinningWorkflow(`spin:${w}`, MAX_TRIGGERS));
});

describe("intake work budget", () => {
  it("refuses a workflow with more than MAX_TRIGGERS triggers, located at triggers", async () => {
    const call = await callTool(tenant.apiKey, "workflow_publish", {
      yaml: spinningWorkflow("spin:many", MAX_TRIGGERS + 1),
    });
    expect(call.isError).toBe(true);
    expect(call.text).toContain(`at most ${MAX_TRIGGERS} triggers`);
    expect(call.text).toContain("triggers");
  });

  it("one POST /events against many spinning filters answers 202 and logs every subscription", async () => {
    const posted = await postEvent(tenant.apiKey, {
      events: Array.from({ length: EVENTS }, (_, i) => ({ type: `spin.${i}`, payload: { i } })),
    });
    expect(posted.status).toBe(202);
    const events = await eventLog(tenant.apiKey, { limit: EVENTS });
    expect(events).toHaveLength(EVENTS);
    const matches = events.flatMap((event) => event.matches);
    expect(matches).toHaveLength(EVENTS * WORKFLOWS * MAX_TRIGGERS);
    expect(matches.every((match) => match.outcome === "filter_error")).toBe(true);
    const ran = matches.filter((match) => match.error?.code !== MATCH_BUDGET_EXCEEDED);
    const stopped = matches.filter((match) => match.error?.code === MATCH_BUDGET_EXCEEDED);
    // Each filter that ran took its whole per-expression budget; the call's polls stay within
    // its budget plus one expression, so at most this many ran.
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.length).toBeLessThanOrEqual(Math.ceil(INTAKE_POLL_BUDGET / RUN_EXPRESSION_POLL_BUDGET) + 1);
    expect(stopped.length).toBe(matches.length - ran.length);
    expect(stopped[0]?.error?.message).toContain("work budget");
  });
});
