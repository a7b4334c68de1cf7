/**
 * Attack (issue 14, traces): an `otlp_headers` value whose secret holds a line break inside it (a PEM
 * block: `checkSecret` allows it) makes
 * `headers.set` throw in `SpanExporter.#send` outside its try: `flush` throws, so the TenantDO's
 * `alarm()` throws on every run of it (after its timers), no retry delay is set, and the spans
 * stay buffered and are never exported nor dropped with a log line. Secure behaviour: the alarm
 * completes; the export is logged as failed (`otlp_export_failed`) and backs off like any other.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminFetch, callTool, newTenant } from "./support/clients.ts";
import { target } from "./support/effects.ts";
import { publish, setSecret } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

const ONE_STEP = `
name: test:nl
description: one client message
version: 1.0.0
steps:
  - id: note
    type: user_message
    message: "hello"
`;

describe("attack: an OTLP header secret with a line break", () => {
  it("does not make the tenant alarm throw", async () => {
    const { id, apiKey } = await newTenant("otlpnl");
    await setSecret(id, "OTLP_TOKEN", "-----BEGIN-----\nabc\n-----END-----");
    const res = await adminFetch(`/admin/tenants/${id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({
        otlp_endpoint: `${target()}/echo/otlp-${crypto.randomUUID()}/v1/traces`,
        otlp_headers: { authorization: "Bearer {{ env.OTLP_TOKEN }}" },
      }),
    });
    expect(res.status).toBe(200);
    await publish(apiKey, ONE_STEP);
    const start = await callTool(apiKey, "workflow_start", { workflow: "test:nl" });
    const runId = start.structured.workflow_id as string;
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    // the run's spans reach the TenantDO's buffer
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runInDurableObject(tenantObject(id), async (_instance, state) => {
      await state.storage.setAlarm(Date.now());
    });
    let thrown: unknown;
    try {
      await runDurableObjectAlarm(tenantObject(id));
    } catch (error) {
      thrown = error;
    }
    expect(thrown === undefined ? "alarm completed" : String(thrown)).toBe("alarm completed");
  }, 30_000);
});
