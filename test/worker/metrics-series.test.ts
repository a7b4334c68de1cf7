/**
 * The series counted outside the run path: rate-limit rejections (and the refused events), external
 * calls by service and outcome, circuit states, schedule fires and their lateness (fake clock, as
 * in schedules.test.ts: nothing sleeps).
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CircuitStore } from "../../durable-objects/tenant/circuit-store.ts";
import type { TenantDO } from "../../durable-objects/tenant-do.ts";
import { type ParsedSample, parseExposition, sampleSum } from "../support/exposition-parse.ts";
import { adminFetch, BASE, callTool, newTenant } from "./support/clients.ts";
import { postEvent, publish } from "./support/events.ts";
import { GREET } from "./support/workflows.ts";

afterEach(() => {
  vi.useRealTimers();
});

function tenantRpc(id: string): DurableObjectStub<TenantDO> {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(id)) as DurableObjectStub<TenantDO>;
}

async function samplesOf(token: string): Promise<ParsedSample[]> {
  const res = await SELF.fetch(`${BASE}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

describe("metrics outside runs", () => {
  it("counts rate-limit rejections by surface, and the refused event by reason", async () => {
    const { id, apiKey } = await newTenant("mrl");
    const patched = await adminFetch(`/admin/tenants/${id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({ rate_limit_events_per_minute: 1 }),
    });
    expect(patched.status).toBe(200);
    expect((await postEvent(apiKey, { type: "x.one" })).status).toBe(202);
    expect((await postEvent(apiKey, { type: "x.two" })).status).toBe(429);
    const samples = await samplesOf(apiKey);
    expect(
      sampleSum(samples, "edgeflow_rate_limit_rejections_total", { tenant: id, surface: "events" }),
    ).toBe(1);
    expect(
      sampleSum(samples, "edgeflow_events_rejected_total", {
        tenant: id,
        trigger_type: "custom",
        reason: "ratelimit.exceeded",
      }),
    ).toBe(1);
    expect(sampleSum(samples, "edgeflow_events_received_total", { tenant: id, trigger_type: "custom" })).toBe(
      1,
    );
  });

  it("counts external calls by service and outcome, and shows each circuit's state", async () => {
    const { id, apiKey } = await newTenant("mext");
    const effect = {
      id: "k#1",
      kind: "call" as const,
      idempotencyKey: "k",
      threadId: "main",
      stepId: "s",
      attempt: 1,
      service: "billing",
      method: "charge",
      params: {},
      requestedAt: 0,
    };
    const outcome = await tenantRpc(id).performEffect(id, {
      runId: "wf_x",
      workflow: "a:b",
      version: "1.0.0",
      effect,
    });
    expect(outcome).toMatchObject({ ok: true, value: { ok: false, code: "external.no_service" } });
    await runInDurableObject(tenantRpc(id), (_instance, state) => {
      new CircuitStore(state.storage.kv).write(
        "billing",
        { status: "open", consecutiveFailures: 5, openedAt: Date.now() },
        { failureThreshold: 5, coolDownSeconds: 600 },
      );
    });
    const samples = await samplesOf(apiKey);
    expect(
      sampleSum(samples, "edgeflow_external_calls_total", {
        tenant: id,
        service: "billing",
        outcome: "external.no_service",
      }),
    ).toBe(1);
    const circuit = { tenant: id, service: "billing" };
    expect(sampleSum(samples, "edgeflow_circuit_state", { ...circuit, state: "open" })).toBe(1);
    expect(sampleSum(samples, "edgeflow_circuit_state", { ...circuit, state: "closed" })).toBe(0);
  });

  it("counts a RunDO's step batch once: a batch sent again, or an older one, adds nothing", async () => {
    const { id, apiKey } = await newTenant("mbatch");
    await publish(apiKey, GREET);
    const started = await callTool(apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "Q" },
    });
    const runId = started.structured.workflow_id as string;
    const batch = { throughSeq: 5, steps: [[5, "mcp_call", 2] as [number, string, number]] };
    const first = await tenantRpc(id).recordStepMetrics(id, runId, batch);
    expect(first).toEqual({ ok: true, value: { throughSeq: 5, enabled: true } });
    expect(await tenantRpc(id).recordStepMetrics(id, runId, batch)).toEqual(first);
    const older = { throughSeq: 4, steps: [[4, "mcp_call", 1] as [number, string, number]] };
    expect(await tenantRpc(id).recordStepMetrics(id, runId, older)).toEqual(first);
    // a run the index does not know yet: nothing counted, its mark stays 0 so the RunDO sends again
    const unknown = await tenantRpc(id).recordStepMetrics(id, "wf_unknown", batch);
    expect(unknown).toEqual({ ok: true, value: { throughSeq: 0, enabled: true } });
    const samples = await samplesOf(apiKey);
    const steps = { tenant: id, step_type: "mcp_call" };
    expect(sampleSum(samples, "edgeflow_step_duration_seconds_count", steps)).toBe(1);
    expect(sampleSum(samples, "edgeflow_step_duration_seconds_sum", steps)).toBe(2);
    expect(sampleSum(samples, "edgeflow_step_duration_seconds_bucket", { ...steps, le: "1" })).toBe(0);
    expect(sampleSum(samples, "edgeflow_step_duration_seconds_bucket", { ...steps, le: "5" })).toBe(1);
  });

  it("counts a schedule fire once, with how late it was taken in", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2031-03-10T12:01:00Z"));
    const { id, apiKey } = await newTenant("mcron");
    await publish(
      apiKey,
      `name: "cron:metered"
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
    vi.setSystemTime(new Date("2031-03-10T12:05:00.400Z"));
    expect(await runDurableObjectAlarm(tenantRpc(id))).toBe(true);
    expect(await runDurableObjectAlarm(tenantRpc(id))).toBe(true); // nothing more is due
    const samples = await samplesOf(apiKey);
    const lateness = { tenant: id };
    expect(sampleSum(samples, "edgeflow_schedule_lateness_seconds_count", lateness)).toBe(1);
    expect(sampleSum(samples, "edgeflow_schedule_lateness_seconds_bucket", { ...lateness, le: "0.1" })).toBe(
      0,
    );
    expect(sampleSum(samples, "edgeflow_schedule_lateness_seconds_bucket", { ...lateness, le: "0.5" })).toBe(
      1,
    );
    expect(
      sampleSum(samples, "edgeflow_events_received_total", { tenant: id, trigger_type: "schedule" }),
    ).toBe(1);
    expect(sampleSum(samples, "edgeflow_runs_started_total", { tenant: id, workflow: "cron:metered" })).toBe(
      1,
    );
  });
});
