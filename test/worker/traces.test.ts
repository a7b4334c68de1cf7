/**
 * OpenTelemetry traces end to end in workerd (docs/observability.md, "Traces"): a tenant with an
 * OTLP endpoint (the local HTTP target stands in for the collector) gets one trace per run, a span
 * per step and per effect with the right parents and error status, exported in batches from the
 * TenantDO's alarm with its secret header; a `traceparent` from an MCP call or a webhook
 * continues the caller's trace, and an `external_call` request carries one of the run's trace. A
 * failed export is retried and its spans arrive once; one tenant's spans never reach another's
 * endpoint; a tenant without an endpoint is not traced at all.
 */
import { runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OtlpSpan, OtlpTraceRequest } from "../../engine/telemetry/otlp-json.ts";
import { adminFetch, BASE, callTool, mcpRaw, newTenant, readRpcBody, toolCallOf } from "./support/clients.ts";
import {
  driveEffects,
  registerTenantService,
  type TargetRequest,
  target,
  targetLog,
} from "./support/effects.ts";
import { HOOK_SECRET, postHook, publish, setSecret, settledEvent, sign } from "./support/events.ts";
import { runObject } from "./support/runs.ts";

const OTLP_TOKEN = "otlp-token-7c41e9d2b5";

const TRACED = `
name: test:traced
description: a client step, a server step, a call, a step that fails
version: 1.0.0
default_state:
  state: { built: false }
steps:
  - id: build
    type: mcp_call
    tool: build_project
  - id: remember
    type: set_state
    state_update: { path: this.built, value: true }
  - id: call
    type: external_call
    service: api
    method: ping
    params: { n: 1 }
  - id: check
    type: mcp_call
    tool: check_project
`;

const HOOKED = `
name: test:hooked
description: started by a webhook
version: 1.0.0
triggers:
  - type: webhook
    endpoint: "/traced"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: note
    type: user_message
    message: "hello"
`;

const POSTED = `
name: test:posted
description: started by a posted event
version: 1.0.0
triggers:
  - type: event
    event_type: "deploy.requested"
steps:
  - id: note
    type: user_message
    message: "hello"
`;

async function tracedTenant(endpoint = `${target()}/echo/otlp-${crypto.randomUUID()}/v1/traces`) {
  const tenant = await newTenant("tr");
  await setSecret(tenant.id, "OTLP_TOKEN", OTLP_TOKEN);
  const res = await adminFetch(`/admin/tenants/${tenant.id}/settings`, {
    method: "PATCH",
    body: JSON.stringify({
      otlp_endpoint: endpoint,
      otlp_headers: { authorization: "Bearer {{ env.OTLP_TOKEN }}" },
    }),
  });
  expect(res.status).toBe(200);
  return { ...tenant, endpoint, path: new URL(endpoint).pathname };
}

async function startRun(apiKey: string, workflow: string, traceparent?: string): Promise<string> {
  const res = await mcpRaw(
    apiKey,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_start", arguments: { workflow } },
    }),
    traceparent === undefined ? {} : { traceparent },
  );
  const call = toolCallOf((await readRpcBody(res)).result as never);
  if (call.isError) throw new Error(call.text);
  return call.structured.workflow_id as string;
}

/** The requests the collector path received, once `done` holds for them (the alarm exports ~2 s after a span). */
async function collected(
  path: string,
  done: (requests: TargetRequest[]) => boolean,
): Promise<TargetRequest[]> {
  for (let poll = 0; poll < 300; poll += 1) {
    const requests = (await targetLog()).filter((request) => request.path === path);
    if (done(requests)) return requests;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the collector at ${path} did not receive what was expected`);
}

/** Once the collector received as many root (run) spans as `runs`. */
function rootSpans(runs: number): (requests: TargetRequest[]) => boolean {
  return (requests) => spansOf(requests).filter((span) => span.kind === 2).length >= runs;
}

function requestCount(count: number): (requests: TargetRequest[]) => boolean {
  return (requests) => requests.length >= count;
}

function spansOf(requests: readonly TargetRequest[]): OtlpSpan[] {
  return requests.flatMap((request) =>
    (request.body as OtlpTraceRequest).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  );
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
}

describe("traces", () => {
  it("a run is one trace: a span per step (server steps too) and effect, parents, error status, traceparent both ways", async () => {
    const tenant = await tracedTenant();
    await registerTenantService(tenant.apiKey, "api", "http@^1", { base_url: `${target()}/echo` });
    await publish(tenant.apiKey, TRACED);
    const incomingTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const incomingSpan = "00f067aa0ba902b7";
    const runId = await startRun(tenant.apiKey, "test:traced", `00-${incomingTrace}-${incomingSpan}-01`);

    await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    await callTool(tenant.apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "build",
      status: "success",
    });
    await driveEffects(tenant.id, runId);
    await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    const failed = await callTool(tenant.apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "check",
      status: "failed",
      error: "3 checks failed",
    });
    expect(failed.structured.run_status).toBe("failed");

    const requests = await collected(tenant.path, rootSpans(1));
    const spans = spansOf(requests);
    // the collector got the secret header, resolved for the request; nothing else carries it
    expect(requests.every((request) => request.authorization === `Bearer ${OTLP_TOKEN}`)).toBe(true);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([incomingTrace]));
    expect(new Set(spans.map((span) => span.spanId)).size).toBe(spans.length);

    const root = spans.find((span) => span.kind === 2)!;
    expect(root).toMatchObject({ name: "run test:traced", parentSpanId: incomingSpan, status: { code: 2 } });
    expect(attribute(root, "edgeflow.run.id")).toBe(runId);
    const byName = new Map(spans.map((span) => [span.name, span]));
    for (const step of ["build", "remember", "call", "check"]) {
      expect(byName.get(`step ${step}`)?.parentSpanId).toBe(root.spanId);
    }
    const build = byName.get("step build")!;
    expect(build.status.code).toBe(1);
    expect(attribute(build, "edgeflow.workflow")).toBe("test:traced");
    expect(attribute(build, "edgeflow.workflow.version")).toBe("1.0.0");
    expect(attribute(build, "edgeflow.step.id")).toBe("build");
    expect(attribute(build, "edgeflow.step.type")).toBe("mcp_call");
    expect(attribute(build, "edgeflow.step.attempt")).toBe("1");
    const remember = byName.get("step remember")!;
    expect(attribute(remember, "edgeflow.step.type")).toBe("set_state");
    expect(remember.status.code).toBe(1);
    expect(byName.get("step check")?.status).toEqual({ code: 2, message: "3 checks failed" });
    const effect = byName.get("call api.ping")!;
    expect(effect).toMatchObject({
      kind: 3,
      parentSpanId: byName.get("step call")?.spanId,
      status: { code: 1 },
    });
    expect(BigInt(effect.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(effect.startTimeUnixNano));

    // the external call carried the effect span as its traceparent
    const calls = (await targetLog()).filter(
      (request) => request.path === "/echo/ping" && request.key?.startsWith(runId),
    );
    expect(calls.map((request) => request.traceparent)).toEqual([`00-${incomingTrace}-${effect.spanId}-01`]);
  });

  it("a webhook's traceparent continues its trace; an invalid one is ignored, never refused", async () => {
    const tenant = await tracedTenant();
    await setSecret(tenant.id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(tenant.apiKey, HOOKED);
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const runs: string[] = [];
    for (const traceparent of [
      `00-${traceId}-b7ad6b7169203331-01`,
      `00-${traceId.toUpperCase()}-b7ad6b7169203331-01`,
    ]) {
      const body = JSON.stringify({ at: traceparent });
      const res = await postHook(tenant.id, "/traced", body, {
        ...(await sign("standard", HOOK_SECRET, body)),
        traceparent,
      });
      expect(res.status).toBe(202);
      const event = await settledEvent(tenant.apiKey, res.body.event_id!);
      const runId = event.matches[0]?.workflow_id as string;
      runs.push(runId);
      await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
      await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    }
    const spans = spansOf(await collected(tenant.path, rootSpans(2)));
    const rootOf = (runId: string) =>
      spans.find((span) => span.kind === 2 && attribute(span, "edgeflow.run.id") === runId)!;
    expect(rootOf(runs[0]!)).toMatchObject({ traceId, parentSpanId: "b7ad6b7169203331" });
    expect(rootOf(runs[1]!).traceId).not.toBe(traceId);
    expect(rootOf(runs[1]!).traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(rootOf(runs[1]!).parentSpanId).toBeUndefined();
  });

  it("a posted event's traceparent continues its trace", async () => {
    const tenant = await tracedTenant();
    await publish(tenant.apiKey, POSTED);
    const traceId = "5c0a0f8a1e2b4c6d8e0f1a2b3c4d5e6f";
    const res = await SELF.fetch(`${BASE}/events`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${tenant.apiKey}`,
        "content-type": "application/json",
        traceparent: `00-${traceId}-1a2b3c4d5e6f7a8b-01`,
      },
      body: JSON.stringify({ type: "deploy.requested", payload: {} }),
    });
    expect(res.status).toBe(202);
    const { event_id } = (await res.json()) as { event_id: string };
    const runId = (await settledEvent(tenant.apiKey, event_id)).matches[0]?.workflow_id as string;
    await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    const root = spansOf(await collected(tenant.path, rootSpans(1))).find((span) => span.kind === 2);
    expect(root).toMatchObject({ traceId, parentSpanId: "1a2b3c4d5e6f7a8b" });
  });

  it("an export that fails is retried and its spans arrive once", async () => {
    const tenant = await tracedTenant(`${target()}/flaky/1/otlp-${crypto.randomUUID()}`);
    await publish(tenant.apiKey, HOOKED.replace(/triggers:[\s\S]*?steps:/, "steps:"));
    const finishRun = async () => {
      const runId = await startRun(tenant.apiKey, "test:hooked");
      await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
      await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
      return runId;
    };
    const first = await finishRun();
    // the first attempt is answered 503, the retry 200: the same spans, sent twice, accepted once
    const requests = await collected(tenant.path, requestCount(2));
    expect(requests).toHaveLength(2);
    const [failed, accepted] = requests.map((request) => spansOf([request]).map((span) => span.spanId));
    expect(accepted).toEqual(failed);
    expect(spansOf(requests.slice(1)).every((span) => attribute(span, "edgeflow.run.id") === first)).toBe(
      true,
    );
    // the next export holds only the next run's spans: the accepted batch left the buffer
    const second = await finishRun();
    const later = await collected(tenant.path, requestCount(3));
    expect(later).toHaveLength(3);
    expect(spansOf(later.slice(2)).every((span) => attribute(span, "edgeflow.run.id") === second)).toBe(true);
  });

  it("one tenant's spans never reach another's endpoint; a tenant without one is not traced", async () => {
    const a = await tracedTenant();
    const b = await tracedTenant();
    const plain = await newTenant("untraced");
    const yaml = HOOKED.replace(/triggers:[\s\S]*?steps:/, "steps:");
    for (const tenant of [a, plain]) await publish(tenant.apiKey, yaml);
    const runA = await startRun(a.apiKey, "test:hooked");
    const runPlain = await startRun(
      plain.apiKey,
      "test:hooked",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    );
    for (const [key, run] of [
      [a.apiKey, runA],
      [plain.apiKey, runPlain],
    ] as const) {
      await callTool(key, "workflow_get_next_step", { workflow_id: run });
      await callTool(key, "workflow_get_next_step", { workflow_id: run });
    }
    const spans = spansOf(await collected(a.path, rootSpans(1)));
    expect(spans.every((span) => attribute(span, "edgeflow.run.id") === runA)).toBe(true);
    const log = await targetLog();
    expect(log.filter((request) => request.path === b.path)).toEqual([]);
    expect(JSON.stringify(log)).not.toContain(runPlain);
    const stored = await runInDurableObject(runObject(plain.id, runPlain), (_instance, state) =>
      state.storage.kv.get("trace"),
    );
    expect(stored).toBeUndefined();
  });
});

describe("trace settings", () => {
  it("header values must name secrets; settings answers show references, never the secret", async () => {
    const tenant = await tracedTenant();
    const plainHeader = await adminFetch(`/admin/tenants/${tenant.id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({ otlp_headers: { authorization: "Bearer plain-text-token" } }),
    });
    expect(plainHeader.status).toBe(400);
    expect(await plainHeader.json()).toMatchObject({
      error: { code: "settings.invalid", path: "otlp_headers" },
    });
    for (const endpoint of ["ftp://collector/v1/traces", "not a url", 42]) {
      const res = await adminFetch(`/admin/tenants/${tenant.id}/settings`, {
        method: "PATCH",
        body: JSON.stringify({ otlp_endpoint: endpoint }),
      });
      expect(res.status).toBe(400);
    }
    const shown = await (await adminFetch(`/admin/tenants/${tenant.id}`)).text();
    expect(shown).toContain("{{ env.OTLP_TOKEN }}");
    expect(shown).not.toContain(OTLP_TOKEN);
  });
});
