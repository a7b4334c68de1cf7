/**
 * Issue 15, quotas: every quota refused at its limit (a coded error whose path names it, its
 * message giving limit and usage) and accepted below it, with usage read back exactly
 * (`GET /admin/tenants/:id/usage`); refusals of runs started by events are logged, never lost;
 * bad quota settings are a 400 `settings.invalid` naming the setting. The queue policy, eviction
 * and isolation are in quotas-queue.test.ts and quotas-usage.test.ts.
 */
import { describe, expect, it } from "vitest";
import { adminFetch, callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { type EventMatchView, eventLog, postEvent, publish, settledEvent } from "./support/events.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";
import { setSettings, usageOf } from "./support/quotas.ts";
import { GREET, GREET_V2 } from "./support/workflows.ts";

type Tenant = Awaited<ReturnType<typeof newTenant>>;

interface Refusal {
  code: string;
  message: string;
  path?: string;
}

/** A tool call: null when it was accepted, its error when it was refused. */
async function tool(apiKey: string, name: string, args: Record<string, unknown>): Promise<Refusal | null> {
  const call = await callTool(apiKey, name, args);
  return call.isError ? toolErrorOf(call) : null;
}

async function pluginTool(
  tenant: string,
  name: string,
  args: Record<string, unknown>,
): Promise<Refusal | null> {
  const call = await callToolWithPlugins(tenant, name, args);
  return call.isError ? toolErrorOf(call) : null;
}

async function putSecret(tenant: string, name: string): Promise<Refusal | null> {
  const res = await adminFetch(`/admin/tenants/${tenant}/secrets/${name}`, {
    method: "PUT",
    body: JSON.stringify({ value: "s3cret-value" }),
  });
  if (res.status === 200 || res.status === 201) return null;
  expect(res.status).toBe(409);
  return ((await res.json()) as { error: Refusal }).error;
}

const startGreet = (t: Tenant, name = "Ada") =>
  tool(t.apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name } });
const renamed = (name: string) => GREET.replace('"demo:greet"', `"demo:${name}"`);
const subscribe = (t: Tenant, pattern: string) =>
  tool(t.apiKey, "workflow_subscribe_events", {
    event_pattern: pattern,
    workflow: "demo:greet",
    inputs_mapping: { name: "'sub'" },
  });
const demoService = (t: Tenant, name: string) =>
  pluginTool(t.id, "service_register", {
    name,
    uses: "demo@^1",
    config: { base_url: "https://quota.example", token: "{{ env.QUOTA_TOKEN }}" },
  });
const chatService = (t: Tenant, name: string) =>
  pluginTool(t.id, "service_register", {
    name,
    uses: "chat@^1",
    config: { webhook_url: "{{ env.HOOK_URL }}" },
  });

interface QuotaCase {
  quota: string;
  /** the limit set for the test, and one that lets the refused call through */
  limit: number;
  raised: number;
  code: string;
  setup?: (t: Tenant) => Promise<void>;
  /** uses the quota up to its limit: every call accepted */
  fill: (t: Tenant) => Promise<Refusal | null>[] | Promise<Refusal | null>;
  /** one more: refused at the limit, accepted once it is raised */
  attempt: (t: Tenant) => Promise<Refusal | null>;
}

const publishGreet = async (t: Tenant) => publish(t.apiKey, GREET);

const ON_QUEUE_PING = `name: "quota:queue-ping"
description: "Runs on a custom event"
version: "1.0.0"
triggers:
  - type: event
    event_type: "qping"
steps:
  - id: "say"
    type: "user_message"
    message: "pong"
`;

/** No slot at all, every start from an event queued: `max_queued_starts` is all that is left. */
async function queueOnly(t: Tenant): Promise<void> {
  await publish(t.apiKey, ON_QUEUE_PING);
  expect((await setSettings(t.id, { max_active_runs: 0, active_runs_policy: "queue" })).status).toBe(200);
}

/** Posts an event: null once its start is queued, the logged error when the start was refused. */
async function queuedPing(t: Tenant): Promise<Refusal | null> {
  const before = (await usageOf(t.id)).queued_starts;
  const res = await postEvent(t.apiKey, { type: "qping", payload: {} });
  expect(res.status).toBe(202);
  for (let attempt = 0; attempt < 200; attempt++) {
    const [event] = await eventLog(t.apiKey, { event_id: res.body.event_id! });
    const match = event?.matches[0];
    if (match !== undefined && match.outcome !== "pending") {
      expect(match.outcome).toBe("start_failed");
      return match.error as Refusal;
    }
    if ((await usageOf(t.id)).queued_starts > before) return null;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the event's start was neither queued nor refused");
}

const CASES: QuotaCase[] = [
  {
    quota: "max_workflows",
    limit: 1,
    raised: 2,
    code: "quota.exceeded",
    fill: (t) => tool(t.apiKey, "workflow_publish", { yaml: GREET }),
    attempt: (t) => tool(t.apiKey, "workflow_publish", { yaml: renamed("other") }),
  },
  {
    quota: "max_versions_per_workflow",
    limit: 1,
    raised: 2,
    code: "quota.exceeded",
    fill: (t) => tool(t.apiKey, "workflow_publish", { yaml: GREET }),
    attempt: (t) => tool(t.apiKey, "workflow_publish", { yaml: GREET_V2 }),
  },
  {
    quota: "max_active_runs",
    limit: 2,
    raised: 3,
    code: "quota.exceeded",
    setup: publishGreet,
    fill: (t) => [startGreet(t), startGreet(t)],
    attempt: (t) => startGreet(t),
  },
  {
    quota: "max_runs_per_day",
    limit: 2,
    raised: 3,
    code: "quota.exceeded",
    setup: publishGreet,
    fill: (t) => [startGreet(t), startGreet(t)],
    attempt: (t) => startGreet(t),
  },
  {
    quota: "max_stored_runs",
    limit: 2,
    raised: 3,
    code: "quota.stored_runs",
    setup: publishGreet,
    fill: (t) => [startGreet(t), startGreet(t)],
    attempt: (t) => startGreet(t),
  },
  {
    quota: "max_state_bytes",
    limit: 2_048,
    raised: 8_192,
    code: "state.too_large",
    setup: publishGreet,
    fill: (t) => startGreet(t, "x".repeat(1_000)),
    attempt: (t) => startGreet(t, "x".repeat(3_000)),
  },
  {
    quota: "max_subscriptions",
    limit: 2,
    raised: 3,
    code: "subscription.limit_reached",
    setup: publishGreet,
    fill: (t) => [subscribe(t, "a.*"), subscribe(t, "b.*")],
    attempt: (t) => subscribe(t, "c.*"),
  },
  {
    quota: "max_secrets",
    limit: 2,
    raised: 3,
    code: "secrets.limit_reached",
    fill: (t) => [putSecret(t.id, "ONE"), putSecret(t.id, "TWO")],
    attempt: (t) => putSecret(t.id, "THREE"),
  },
  {
    quota: "max_services",
    limit: 1,
    raised: 2,
    code: "service.limit_reached",
    fill: (t) => demoService(t, "first"),
    attempt: (t) => demoService(t, "second"),
  },
  {
    quota: "max_plugins",
    limit: 1,
    raised: 2,
    code: "quota.exceeded",
    fill: (t) => demoService(t, "first"),
    attempt: (t) => chatService(t, "second"),
  },
  {
    quota: "max_queued_starts",
    limit: 1,
    raised: 2,
    code: "quota.exceeded",
    setup: queueOnly,
    fill: (t) => queuedPing(t),
    attempt: (t) => queuedPing(t),
  },
];

describe("every quota is refused at its limit and accepted below it", () => {
  it.each(CASES)("$quota", async (quotaCase) => {
    const tenant = await newTenant("quota");
    await quotaCase.setup?.(tenant);
    expect((await setSettings(tenant.id, { [quotaCase.quota]: quotaCase.limit })).status).toBe(200);
    const filled = quotaCase.fill(tenant);
    for (const call of Array.isArray(filled) ? filled : [filled]) expect(await call).toBeNull();

    const refused = await quotaCase.attempt(tenant);
    expect(refused?.code).toBe(quotaCase.code);
    expect(refused?.message).toContain(quotaCase.quota);
    expect(refused?.message).toContain(String(quotaCase.limit));
    if (quotaCase.code !== "state.too_large") expect(refused?.path).toBe(quotaCase.quota);

    const usage = (await usageOf(tenant.id)).quotas.find((q) => q.quota === quotaCase.quota);
    expect(usage).toMatchObject({
      limit: quotaCase.limit,
      usage: quotaCase.quota === "max_state_bytes" ? null : quotaCase.limit,
    });

    expect((await setSettings(tenant.id, { [quotaCase.quota]: quotaCase.raised })).status).toBe(200);
    expect(await quotaCase.attempt(tenant)).toBeNull();
  });

  it("the table covers every quota that refuses (max_event_payload_bytes prunes instead)", async () => {
    const tenant = await newTenant("quota-list");
    const names = (await usageOf(tenant.id)).quotas.map((q) => q.quota);
    expect(names.filter((name) => name !== "max_event_payload_bytes").sort()).toEqual(
      CASES.map((c) => c.quota).sort(),
    );
  });

  it("max_event_payload_bytes keeps stored payloads within the limit, and usage says so", async () => {
    const tenant = await newTenant("quota-bytes");
    expect((await setSettings(tenant.id, { max_event_payload_bytes: 2_000 })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const posted = await postEvent(tenant.apiKey, { type: "bulk", payload: { pad: "p".repeat(600) } });
      expect(posted.status).toBe(202);
    }
    const usage = (await usageOf(tenant.id)).quotas.find((q) => q.quota === "max_event_payload_bytes")!;
    expect(usage.limit).toBe(2_000);
    expect(usage.usage).toBeGreaterThan(600);
    expect(usage.usage).toBeLessThanOrEqual(2_000);
  });

  it("max_runs (stored and ignored before) is the legacy name of max_active_runs", async () => {
    const tenant = await newTenant("quota-legacy");
    await publish(tenant.apiKey, GREET);
    expect((await setSettings(tenant.id, { max_runs: 1 })).status).toBe(200);
    expect(await startGreet(tenant)).toBeNull();
    expect((await startGreet(tenant))?.path).toBe("max_active_runs");
    // the new name wins when both are set
    expect((await setSettings(tenant.id, { max_active_runs: 2 })).status).toBe(200);
    expect(await startGreet(tenant)).toBeNull();
  });
});

describe("max_state_bytes applies to every write of the run, not only its start", () => {
  it("a state update past the tenant's limit is refused with state.too_large naming the quota", async () => {
    const tenant = await newTenant("quota-state");
    await publish(tenant.apiKey, GREET);
    expect((await setSettings(tenant.id, { max_state_bytes: 2_048 })).status).toBe(200);
    const started = await callTool(tenant.apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "Ada" },
    });
    const update = (bytes: number) =>
      tool(tenant.apiKey, "workflow_state_update", {
        workflow_id: started.structured.workflow_id,
        updates: [{ path: "this.blob", value: "b".repeat(bytes), operation: "set" }],
      });
    expect(await update(500)).toBeNull();
    const refused = await update(3_000);
    expect(refused?.code).toBe("state.too_large");
    expect(refused?.message).toContain("max_state_bytes");
  });
});

describe("runs started by events over a quota", () => {
  const ON_PING = `name: "quota:ping"
description: "Runs on a custom event"
version: "1.0.0"
triggers:
  - type: event
    event_type: "ping"
steps:
  - id: "say"
    type: "user_message"
    message: "pong"
`;

  async function ping(apiKey: string): Promise<EventMatchView> {
    const res = await postEvent(apiKey, { type: "ping", payload: {} });
    expect(res.status).toBe(202);
    return (await settledEvent(apiKey, res.body.event_id!)).matches[0]!;
  }

  it("are logged start_failed with quota.exceeded naming the quota: the event is kept", async () => {
    const tenant = await newTenant("quota-events");
    await publish(tenant.apiKey, ON_PING);
    expect((await setSettings(tenant.id, { max_active_runs: 1, max_runs_per_day: 2 })).status).toBe(200);
    expect((await ping(tenant.apiKey)).outcome).toBe("started");
    const overActive = await ping(tenant.apiKey);
    expect(overActive).toMatchObject({ outcome: "start_failed", error: { code: "quota.exceeded" } });
    expect(overActive.error?.message).toContain("max_active_runs");
    expect((await setSettings(tenant.id, { max_active_runs: 10 })).status).toBe(200);
    expect((await ping(tenant.apiKey)).outcome).toBe("started");
    const overDaily = await ping(tenant.apiKey);
    expect(overDaily).toMatchObject({ outcome: "start_failed", error: { code: "quota.exceeded" } });
    expect(overDaily.error?.message).toContain("max_runs_per_day");
  });
});

describe("quota settings", () => {
  it("bad values are a 400 settings.invalid naming the setting", async () => {
    const tenant = await newTenant("quota-settings");
    for (const patch of [
      { max_workflows: -1 },
      { max_workflows: 1.5 },
      { max_versions_per_workflow: 0 },
      { max_active_runs: "10" },
      { max_active_runs: 1_000_000 },
      { active_runs_policy: "sometimes" },
      { active_runs_policy: 1 },
      { max_runs_per_day: -5 },
      { max_state_bytes: 10 },
      { max_state_bytes: 2 * 1024 * 1024 },
      { max_subscriptions: 501 },
      { max_secrets: 101 },
      { max_services: true },
      { max_plugins: 1_000 },
      { max_queued_starts: 100_001 },
      { max_runs: -1 },
    ]) {
      const res = await setSettings(tenant.id, patch);
      expect(res.status, JSON.stringify(patch)).toBe(400);
      const body = (await res.json()) as { error: { code: string; path?: string } };
      expect([body.error.code, body.error.path]).toEqual(["settings.invalid", Object.keys(patch)[0]]);
    }
    const ok = await setSettings(tenant.id, { max_active_runs: 5, active_runs_policy: "queue" });
    expect(await ok.json()).toEqual({ settings: { active_runs_policy: "queue", max_active_runs: 5 } });
  });
});
