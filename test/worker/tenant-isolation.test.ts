/** Tenant B's key reaches nothing of tenant A's: one test per tool (workflow_validate touches no tenant data). */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { GREET } from "./support/workflows.ts";

let a: { apiKey: string };
let b: { apiKey: string };
let runOfA: string;

beforeAll(async () => {
  a = await newTenant("a");
  b = await newTenant("b");
  await callTool(a.apiKey, "workflow_publish", { yaml: GREET });
  runOfA = (await callTool(a.apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "A" } }))
    .structured.workflow_id as string;
});

async function expectRunOfAUntouched(): Promise<void> {
  const status = await callTool(a.apiKey, "workflow_get_status", { workflow_id: runOfA });
  expect(status.structured).toMatchObject({ status: "running", state: { state: { count: 1 } } });
}

describe("tenant isolation", () => {
  it("workflow_list: B does not see A's workflows", async () => {
    expect((await callTool(b.apiKey, "workflow_list")).structured).toEqual({ workflows: [], count: 0 });
  });

  it("workflow_get_info: B cannot describe A's workflow", async () => {
    expect(toolErrorOf(await callTool(b.apiKey, "workflow_get_info", { workflow: "demo:greet" })).code).toBe(
      "workflow.not_found",
    );
  });

  it("workflow_start: B cannot start A's workflow", async () => {
    expect(toolErrorOf(await callTool(b.apiKey, "workflow_start", { workflow: "demo:greet" })).code).toBe(
      "workflow.not_found",
    );
  });

  it("workflow_publish: B publishing the same name and version does not touch A's", async () => {
    const other = GREET.replace("Greets someone", "B's own greeting");
    expect((await callTool(b.apiKey, "workflow_publish", { yaml: other })).structured.created).toBe(true);
    const info = await callTool(a.apiKey, "workflow_get_info", { workflow: "demo:greet" });
    expect(info.structured.description).toContain("Greets someone");
  });

  it("workflow_validate: validating stores nothing for anyone", async () => {
    const before = (await callTool(a.apiKey, "workflow_list")).structured;
    await callTool(b.apiKey, "workflow_validate", { yaml: GREET.replace("demo:greet", "demo:other") });
    expect((await callTool(a.apiKey, "workflow_list")).structured).toEqual(before);
  });

  it("workflow_get_next_step: B cannot advance A's run", async () => {
    const call = await callTool(b.apiKey, "workflow_get_next_step", { workflow_id: runOfA });
    expect(toolErrorOf(call).code).toBe("run.not_found");
    expect(call.text).not.toContain("Hello");
    await expectRunOfAUntouched();
  });

  it("workflow_step_complete: B cannot complete A's steps", async () => {
    const call = await callTool(b.apiKey, "workflow_step_complete", {
      workflow_id: runOfA,
      step_id: "pick",
      result: { n: 9 },
    });
    expect(toolErrorOf(call).code).toBe("run.not_found");
    await expectRunOfAUntouched();
  });

  it("workflow_get_status: B cannot see A's run", async () => {
    expect(toolErrorOf(await callTool(b.apiKey, "workflow_get_status", { workflow_id: runOfA })).code).toBe(
      "run.not_found",
    );
  });

  it("workflow_state_read: B cannot read A's state", async () => {
    const call = await callTool(b.apiKey, "workflow_state_read", {
      workflow_id: runOfA,
      paths: ["inputs.name"],
    });
    expect(toolErrorOf(call).code).toBe("run.not_found");
  });

  it("workflow_state_update: B cannot write A's state", async () => {
    const call = await callTool(b.apiKey, "workflow_state_update", {
      workflow_id: runOfA,
      updates: [{ path: "this.count", value: 99 }],
    });
    expect(toolErrorOf(call).code).toBe("run.not_found");
    await expectRunOfAUntouched();
  });

  it("workflow_list_active: B does not see A's runs", async () => {
    expect((await callTool(b.apiKey, "workflow_list_active")).structured.count).toBe(0);
    expect((await callTool(a.apiKey, "workflow_list_active")).structured.count).toBe(1);
  });

  it("workflow_cancel: B cannot cancel A's run", async () => {
    expect(toolErrorOf(await callTool(b.apiKey, "workflow_cancel", { workflow_id: runOfA })).code).toBe(
      "run.not_found",
    );
    await expectRunOfAUntouched();
  });
});

describe("tenant isolation: event tools", () => {
  const HOOKED = `name: "demo:hooked"
description: "Started by events"
version: "1.0.0"
triggers:
  - id: on_ping
    type: event
    event_type: "ping"
steps:
  - id: "pong"
    type: "user_message"
    message: "pong"
`;
  let c: { apiKey: string };
  let d: { apiKey: string };
  let subscriptionOfC: string;
  let eventOfC: string;

  beforeAll(async () => {
    c = await newTenant("c");
    d = await newTenant("d");
    await callTool(c.apiKey, "workflow_publish", { yaml: HOOKED });
    const made = await callTool(c.apiKey, "workflow_subscribe_events", {
      event_pattern: "pong",
      workflow: "demo:hooked",
    });
    subscriptionOfC = made.structured.subscription_id as string;
    const posted = await SELF.fetch(`${BASE}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "ping", id: "evt_of_c" }),
    });
    eventOfC = ((await posted.json()) as { event_id: string }).event_id;
  });

  async function subscriptionsOf(apiKey: string): Promise<unknown[]> {
    return (await callTool(apiKey, "workflow_list_subscriptions")).structured.subscriptions as unknown[];
  }

  it("workflow_subscribe_events: D cannot subscribe C's workflow", async () => {
    const call = await callTool(d.apiKey, "workflow_subscribe_events", {
      event_pattern: "*",
      workflow: "demo:hooked",
    });
    expect(toolErrorOf(call).code).toBe("workflow.not_found");
    expect(await subscriptionsOf(c.apiKey)).toHaveLength(2);
  });

  it("workflow_unsubscribe: D cannot remove C's subscription", async () => {
    const call = await callTool(d.apiKey, "workflow_unsubscribe", { subscription_id: subscriptionOfC });
    expect(toolErrorOf(call).code).toBe("subscription.not_found");
    expect(await subscriptionsOf(c.apiKey)).toHaveLength(2);
  });

  it("workflow_list_subscriptions: D does not see C's subscriptions", async () => {
    expect((await callTool(d.apiKey, "workflow_list_subscriptions")).structured).toEqual({
      subscriptions: [],
      count: 0,
    });
  });

  it("workflow_events: D does not see C's events", async () => {
    expect((await callTool(d.apiKey, "workflow_events", { event_id: eventOfC })).structured).toEqual({
      events: [],
      count: 0,
    });
    expect((await callTool(c.apiKey, "workflow_events", { event_id: eventOfC })).structured.count).toBe(1);
  });

  it("POST /events: D's key reaches only D's subscriptions, and D's ids are D's own", async () => {
    const posted = await SELF.fetch(`${BASE}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${d.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "ping", id: "evt_of_c" }),
    });
    expect(await posted.json()).toEqual({ event_id: "evt_of_c", runs: [] });
  });
});
