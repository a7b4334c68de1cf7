/**
 * Suspend and resume (docs/operations.md, "Tenant lifecycle"): a suspended tenant is refused on
 * every surface with `tenant.suspended` (/mcp and /events 403, a webhook 503 with Retry-After, a
 * file event dropped with a log line), its schedules and runs do not advance, its data is kept
 * row for row, and the operator still manages it; resuming continues everything. Another tenant
 * is untouched throughout. Time moves with a fake clock shared with the DOs; nothing sleeps.
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Outcome } from "../../durable-objects/outcome.ts";
import type { TenantDO } from "../../durable-objects/tenant-do.ts";
import worker from "../../worker/index.ts";
import { adminFetch, callTool, mcpRaw, newTenant } from "./support/clients.ts";
import {
  DEPLOY_HOOK,
  HOOK_SECRET,
  postEvent,
  postHook,
  publish,
  setSecret,
  settledEvent,
  sign,
} from "./support/events.ts";
import { inspectRun, publishAndStart, runObject, tenantObject } from "./support/runs.ts";
import { tenantTableCounts } from "./support/tenant-storage.ts";
import { SLEEPER } from "./support/workflows.ts";

afterEach(() => {
  vi.useRealTimers();
});

function setClock(at: number | string): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(at));
}

async function suspend(id: string, body?: unknown): Promise<Response> {
  return adminFetch(`/admin/tenants/${id}/suspend`, {
    method: "POST",
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

async function resume(id: string): Promise<Response> {
  return adminFetch(`/admin/tenants/${id}/resume`, { method: "POST" });
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

function toolsList(apiKey: string): Promise<Response> {
  return mcpRaw(apiKey, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }));
}

async function signedPush(tenant: string, ref: string) {
  const body = JSON.stringify({ ref });
  return postHook(tenant, "/workflow/trigger", body, await sign("standard", HOOK_SECRET, body));
}

function fileNotification(key: string) {
  return {
    account: "0123456789abcdef",
    action: "PutObject",
    bucket: "edgeflow-files",
    object: { key, size: 12, eTag: "c846ff7a18f28c2e262116d6e8719ef0" },
    eventTime: "2030-01-15T12:00:00.000Z",
  };
}

async function deliverFileEvent(messageId: string, key: string) {
  const batch = createMessageBatch("edgeflow-file-events", [
    { id: messageId, body: fileNotification(key), timestamp: new Date(), attempts: 1 },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("suspend and resume", () => {
  it("refuses every surface with tenant.suspended, keeps every row, and resume restores them", async () => {
    const tenant = await newTenant("susp");
    const neighbour = await newTenant("susp-other");
    await setSecret(tenant.id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(tenant.apiKey, DEPLOY_HOOK);
    const pushed = await signedPush(tenant.id, "refs/heads/before");
    expect(pushed.status).toBe(202);
    await settledEvent(tenant.apiKey, pushed.body.event_id!);
    expect((await postEvent(tenant.apiKey, { type: "custom.before" })).status).toBe(202);
    const before = await tenantTableCounts(tenant.id);
    expect(before.runs).toBe(1);

    const suspended = await suspend(tenant.id, { reason: "invoice overdue" });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toEqual({
      tenant: tenant.id,
      lifecycle: { status: "suspended", since: expect.any(String), reason: "invoice overdue" },
    });

    // /mcp: a valid key is refused with the coded error
    const mcp = await toolsList(tenant.apiKey);
    expect(mcp.status).toBe(403);
    const mcpError = ((await mcp.json()) as { error: { code: string; message: string } }).error;
    expect(mcpError).toEqual({ code: "tenant.suspended", message: expect.stringContaining("suspended") });
    expect(mcpError.message).toContain("operator");

    // /events
    const event = await postEvent(tenant.apiKey, { type: "custom.during" });
    expect(event.status).toBe(403);
    expect(event.body.error?.code).toBe("tenant.suspended");

    // webhooks: not accepted, the sender is told to retry later
    const hook = await signedPush(tenant.id, "refs/heads/during");
    expect(hook.status).toBe(503);
    expect(hook.headers.get("retry-after")).toBe("3600");
    expect(hook.body.error?.code).toBe("tenant.suspended");

    // file events from the R2 queue: acknowledged and dropped (logged), nothing stored
    const queued = await deliverFileEvent("m-suspended", `${tenant.id}/inbox/a.txt`);
    expect(queued.explicitAcks).toEqual(["m-suspended"]);
    expect(queued.retryMessages).toEqual([]);

    // the operator still sees and manages the tenant
    const described = await adminFetch(`/admin/tenants/${tenant.id}`);
    expect(described.status).toBe(200);
    expect(((await described.json()) as { lifecycle: unknown }).lifecycle).toMatchObject({
      status: "suspended",
    });

    // another tenant is untouched
    expect((await toolsList(neighbour.apiKey)).status).toBe(200);
    expect((await postEvent(neighbour.apiKey, { type: "custom.neighbour" })).status).toBe(202);

    // nothing was added, nothing removed, but the suspension's own audit entry
    // every row kept; the suspension adds its audit entry, and the refusals count in the metrics
    const after = await tenantTableCounts(tenant.id);
    expect(after.metric_series ?? 0).toBeGreaterThanOrEqual(before.metric_series ?? 0);
    expect({ ...after, metric_series: 0 }).toEqual({
      ...before,
      metric_series: 0,
      audit_log: (before.audit_log ?? 0) + 1,
    });

    const resumed = await resume(tenant.id);
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toEqual({ tenant: tenant.id, lifecycle: { status: "active" } });
    expect((await toolsList(tenant.apiKey)).status).toBe(200);
    expect((await postEvent(tenant.apiKey, { type: "custom.after" })).status).toBe(202);
    expect((await signedPush(tenant.id, "refs/heads/after")).status).toBe(202);
    const listed = await callTool(tenant.apiKey, "workflow_list_active");
    expect(listed.isError).toBe(false);
  });

  it("a run in flight does not advance while suspended and continues on resume", async () => {
    const { id, apiKey } = await newTenant("susp-run");
    const runId = await publishAndStart(apiKey, SLEEPER);
    const waiting = await inspectRun(id, runId);
    expect(waiting.state.timers).toHaveLength(1);

    expect((await suspend(id)).status).toBe(200);
    setClock(Date.now() + 61_000);
    expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(true);
    const paused = await inspectRun(id, runId);
    expect(paused.state.seq).toBe(waiting.state.seq);
    expect(paused.state.main.state.state.woke).toBe(false);
    expect(paused.alarm).not.toBeNull(); // it looks again later
    // an agent's call is refused too
    const next = await mcpRaw(
      apiKey,
      JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "workflow_get_next_step", arguments: { workflow_id: runId } },
      }),
    );
    expect(next.status).toBe(403);

    expect((await resume(id)).status).toBe(200);
    const woken = await inspectRun(id, runId);
    expect(woken.alarm).not.toBeNull();
    expect(woken.alarm!).toBeLessThanOrEqual(Date.now()); // brought forward by the resume
    expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(true);
    const continued = await inspectRun(id, runId);
    expect(continued.state.main.state.state.woke).toBe(true);
    const step = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(step.structured.steps).toEqual([expect.objectContaining({ id: "say" })]);
  });

  it("a schedule due while suspended starts no run; on resume it fires under its catchup policy", async () => {
    setClock("2030-01-15T12:01:00Z");
    const { id, apiKey } = await newTenant("susp-cron");
    await publish(
      apiKey,
      `name: "cron:job"
description: "Runs on a schedule"
version: "1.0.0"
triggers:
  - id: tick
    type: schedule
    cron: "*/5 * * * *"
steps:
  - id: "say"
    type: "user_message"
    message: "tick"
`,
    );
    expect((await suspend(id)).status).toBe(200);
    setClock("2030-01-15T12:05:00.400Z");
    expect(await runDurableObjectAlarm(tenantObject(id))).toBe(true);
    const whileSuspended = await tenantTableCounts(id);
    expect(whileSuspended.events).toBe(0);
    expect(whileSuspended.runs).toBe(0);
    expect(whileSuspended.pending_starts).toBe(0);

    setClock("2030-01-15T12:11:00Z");
    expect((await resume(id)).status).toBe(200);
    expect(await runDurableObjectAlarm(tenantObject(id))).toBe(true);
    const fired = await callTool(apiKey, "workflow_events", { type: "schedule", status: "accepted" });
    // catchup latest (the default): the latest missed fire, once
    expect((fired.structured.events as { event_id: string }[]).map((event) => event.event_id)).toEqual([
      "schedule:cron:job#tick@2030-01-15T12:10:00.000Z",
    ]);
    expect((await tenantTableCounts(id)).runs).toBe(1);
  });

  it("the TenantDO refuses every method a tenant's request or run reaches, whatever authenticated it", async () => {
    const { id } = await newTenant("susp-do");
    expect((await suspend(id)).status).toBe(200);
    // the methods a tool, /events or a run calls: a credential checked elsewhere (OAuth) meets them too
    const tenantFacing = [
      "publishWorkflow",
      "getWorkflow",
      "listWorkflows",
      "listRuns",
      "requireRun",
      "startRun",
      "receiveEvent",
      "receiveEvents",
      "subscribe",
      "unsubscribe",
      "listSubscriptions",
      "listEvents",
      "performEffect",
      "listCircuits",
    ];
    const typed: DurableObjectStub<TenantDO> = env.TENANT_DO.get(env.TENANT_DO.idFromName(id));
    await runInDurableObject(typed, async (instance: TenantDO) => {
      for (const name of tenantFacing) {
        const method = Reflect.get(instance, name) as (
          tenant: string,
          ...rest: unknown[]
        ) => Promise<Outcome<unknown>>;
        const outcome = await method.call(instance, id, undefined, undefined);
        expect([name, outcome.ok ? "ok" : outcome.error.code]).toEqual([name, "tenant.suspended"]);
      }
      expect(await instance.acceptsRunWork(id)).toEqual({ ok: true, value: false });
      // the operator's own methods keep working
      expect((await instance.describeTenant(id)).ok).toBe(true);
      expect((await instance.listSecrets(id)).ok).toBe(true);
    });
  });

  it("answers 404 for an unknown tenant and 400 for a bad id or body", async () => {
    expect(await errorCode(await suspend("nobody-here"))).toBe("tenant.not_found");
    expect((await resume("nobody-here")).status).toBe(404);
    const badId = await suspend("Bad_Id");
    expect(badId.status).toBe(400);
    expect(await errorCode(badId)).toBe("tenant.invalid_id");

    const { id, apiKey } = await newTenant("susp-bad");
    const badReason = await suspend(id, { reason: 5 });
    expect(badReason.status).toBe(400);
    expect(await errorCode(badReason)).toBe("input.invalid");
    const extra = await suspend(id, { reason: "x", until: "tomorrow" });
    expect(extra.status).toBe(400);
    const badJson = await suspend(id, "{nope");
    expect(badJson.status).toBe(400);
    expect(await errorCode(badJson)).toBe("request.invalid_json");
    // nothing was suspended by the refused calls
    expect((await toolsList(apiKey)).status).toBe(200);
    // resume of an active tenant changes nothing
    expect((await resume(id)).status).toBe(200);
    expect((await toolsList(apiKey)).status).toBe(200);
  });
});
