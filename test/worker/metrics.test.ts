/**
 * `GET /metrics`: a known workload's counts, kept in the TenantDO across evictions of every object;
 * a tenant key reads only its tenant's series, the admin token every tenant's; a wrong or missing
 * key is 401; `metrics_enabled: false` counts nothing.
 */
import { evictDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type ParsedSample, parseExposition, sampleSum } from "../support/exposition-parse.ts";
import { adminFetch, BASE, callTool, newTenant } from "./support/clients.ts";
import { DEPLOY_HOOK, postEvent, postHook, publish, setSecret } from "./support/events.ts";
import { publishAndStart, runObject, tenantObject } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

async function scrape(token: string | null): Promise<{ status: number; text: string; type: string | null }> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const res = await SELF.fetch(`${BASE}/metrics`, { headers });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}

async function samplesOf(token: string): Promise<ParsedSample[]> {
  const { status, text } = await scrape(token);
  expect(status).toBe(200);
  return parseExposition(text);
}

/** Drives a GREET run to its end: every step handed out is completed. */
async function finishGreet(apiKey: string, runId: string): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) {
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    const steps = (next.structured.steps ?? []) as { id: string; type: string }[];
    if (next.structured.status === "completed" || steps.length === 0) return;
    for (const step of steps.filter((s) => s.type === "mcp_call")) {
      await callTool(apiKey, "workflow_step_complete", {
        workflow_id: runId,
        step_id: step.id,
        result: { n: 1 },
      });
    }
  }
}

describe("GET /metrics", () => {
  it("counts a known workload exactly, across evictions of the TenantDO and RunDOs", async () => {
    const { id, apiKey } = await newTenant("m");
    const done = await publishAndStart(apiKey, GREET, { name: "Ann" });
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: done });
    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: done,
      step_id: "pick",
      result: { n: 1 },
    });
    // the finished step is logged in the RunDO; both objects lose their memory before it is sent
    await evictDurableObject(runObject(id, done));
    await evictDurableObject(tenantObject(id));
    await finishGreet(apiKey, done);
    const cancelled = (
      await callTool(apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "Bo" } })
    ).structured.workflow_id as string;
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: cancelled });
    await evictDurableObject(runObject(id, cancelled));
    await callTool(apiKey, "workflow_cancel", { workflow_id: cancelled });
    const active = (
      await callTool(apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "Cy" } })
    ).structured.workflow_id as string;
    expect((await postEvent(apiKey, { type: "build.done" })).status).toBe(202);
    await setSecret(id, "WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    await publish(apiKey, DEPLOY_HOOK);
    const forged = await postHook(id, "/workflow/trigger", '{"ref":"main"}', {
      "x-hub-signature-256": "sha256=00",
    });
    expect(forged.status).toBe(401);

    for (const runId of [done, cancelled, active]) await evictDurableObject(runObject(id, runId));
    await evictDurableObject(tenantObject(id));

    const samples = await samplesOf(apiKey);
    const wf = { tenant: id, workflow: "demo:greet" };
    expect(sampleSum(samples, "edgeflow_runs_started_total", wf)).toBe(3);
    expect(sampleSum(samples, "edgeflow_runs_finished_total", { ...wf, outcome: "completed" })).toBe(1);
    expect(sampleSum(samples, "edgeflow_runs_finished_total", { ...wf, outcome: "cancelled" })).toBe(1);
    expect(sampleSum(samples, "edgeflow_runs_active", wf)).toBe(1);
    // the completed run's finished steps: "pick" and the "hello" message (a cancelled run's open
    // steps did not finish; its last message is handed out with the completion)
    const steps = { tenant: id, step_type: "mcp_call" };
    expect(sampleSum(samples, "edgeflow_step_duration_seconds_count", steps)).toBe(1);
    expect(sampleSum(samples, "edgeflow_step_duration_seconds_bucket", { ...steps, le: "+Inf" })).toBe(1);
    const messages = { tenant: id, step_type: "user_message" };
    expect(sampleSum(samples, "edgeflow_step_duration_seconds_count", messages)).toBe(1);
    expect(sampleSum(samples, "edgeflow_events_received_total", { tenant: id, trigger_type: "custom" })).toBe(
      1,
    );
    expect(sampleSum(samples, "edgeflow_webhook_verification_failures_total", { tenant: id })).toBe(1);
    expect(
      sampleSum(samples, "edgeflow_events_rejected_total", { tenant: id, trigger_type: "webhook" }),
    ).toBe(1);
    expect(sampleSum(samples, "edgeflow_metrics_enabled", { tenant: id })).toBe(1);
    // a second scrape, after another eviction, reads the same totals: nothing is counted twice
    await evictDurableObject(tenantObject(id));
    const again = await samplesOf(apiKey);
    expect(sampleSum(again, "edgeflow_runs_started_total", wf)).toBe(3);
    expect(sampleSum(again, "edgeflow_step_duration_seconds_count", steps)).toBe(1);
  });

  it("answers the text format with HELP and TYPE, and every series labelled with its tenant", async () => {
    const { apiKey, id } = await newTenant("m");
    await publishAndStart(apiKey, GREET, { name: "Di" });
    const { status, text, type } = await scrape(apiKey);
    expect(status).toBe(200);
    expect(type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(text).toContain("# HELP edgeflow_runs_started_total Runs started, by workflow.\n");
    expect(text).toContain("# TYPE edgeflow_runs_started_total counter\n");
    expect(text).toContain(`edgeflow_runs_started_total{tenant="${id}",workflow="demo:greet"} 1\n`);
    expect(parseExposition(text).every((sample) => sample.labels.tenant === id)).toBe(true);
  });

  it("a tenant key never shows another tenant's series; the admin token shows both", async () => {
    const a = await newTenant("ma");
    const b = await newTenant("mb");
    await publishAndStart(a.apiKey, GREET, { name: "A" });
    await publishAndStart(b.apiKey, GREET, { name: "B" });
    const ofA = await samplesOf(a.apiKey);
    expect(new Set(ofA.map((sample) => sample.labels.tenant))).toEqual(new Set([a.id]));
    const ofB = await samplesOf(b.apiKey);
    expect(new Set(ofB.map((sample) => sample.labels.tenant))).toEqual(new Set([b.id]));
    const all = await samplesOf((await import("cloudflare:test")).env.ADMIN_TOKEN as string);
    for (const tenant of [a.id, b.id])
      expect(sampleSum(all, "edgeflow_runs_started_total", { tenant, workflow: "demo:greet" })).toBe(1);
  });

  it("refuses a missing or wrong key with 401 and a coded body", async () => {
    const missing = await scrape(null);
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.text).error.code).toBe("auth.missing_key");
    const wrong = await scrape("efk_nobody_k1_notasecret");
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text).error.code).toBe("auth.invalid_key");
    const { apiKey } = await newTenant("m");
    const forged = await scrape(`${apiKey.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
  });

  it("metrics_enabled: false counts nothing, and says so", async () => {
    const { id, apiKey } = await newTenant("moff");
    const res = await adminFetch(`/admin/tenants/${id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({ metrics_enabled: false }),
    });
    expect(res.status).toBe(200);
    const runId = await publishAndStart(apiKey, GREET, { name: "Off" });
    await finishGreet(apiKey, runId);
    const samples = await samplesOf(apiKey);
    expect(samples).toEqual([{ name: "edgeflow_metrics_enabled", labels: { tenant: id }, value: 0 }]);
    const bad = await adminFetch(`/admin/tenants/${id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({ metrics_enabled: "no" }),
    });
    expect(bad.status).toBe(400);
  });
});
