/**
 * Attack (issue 14, traces): span ids are derived from the trace id alone (`derivedSpanId(traceId,
 * "run")`, `step/<thread>/<step>/<attempt>/<issuedAt>`, `effect/<id>`, `server/<seq>/<i>`), never
 * from the run. Two runs that continue the same incoming `traceparent` (one MCP client, one
 * webhook sender, one posted event matched by two subscriptions; or a hostile tenant replaying a
 * trace id it saw in another tenant's outbound `external_call`) export spans with the SAME span
 * ids: the collector merges or overwrites one run's root span with another's, and a run's
 * outbound `traceparent` is predictable from the trace id. Secure behaviour: every run's spans
 * have ids of their own.
 */
import { describe, expect, it } from "vitest";
import type { OtlpSpan, OtlpTraceRequest } from "../../engine/telemetry/otlp-json.ts";
import { adminFetch, callTool, mcpRaw, newTenant, readRpcBody, toolCallOf } from "./support/clients.ts";
import { type TargetRequest, target, targetLog } from "./support/effects.ts";
import { publish, setSecret } from "./support/events.ts";

const ONE_STEP = `
name: test:joined
description: one client message
version: 1.0.0
steps:
  - id: note
    type: user_message
    message: "hello"
`;

async function tracedTenant() {
  const endpoint = `${target()}/echo/otlp-${crypto.randomUUID()}/v1/traces`;
  const tenant = await newTenant("trj");
  await setSecret(tenant.id, "OTLP_TOKEN", "otlp-token-x");
  const res = await adminFetch(`/admin/tenants/${tenant.id}/settings`, {
    method: "PATCH",
    body: JSON.stringify({
      otlp_endpoint: endpoint,
      otlp_headers: { authorization: "Bearer {{ env.OTLP_TOKEN }}" },
    }),
  });
  expect(res.status).toBe(200);
  return { ...tenant, path: new URL(endpoint).pathname };
}

async function startRun(apiKey: string, traceparent: string): Promise<string> {
  const res = await mcpRaw(
    apiKey,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "workflow_start", arguments: { workflow: "test:joined" } },
    }),
    { traceparent },
  );
  const call = toolCallOf((await readRpcBody(res)).result as never);
  if (call.isError) throw new Error(call.text);
  return call.structured.workflow_id as string;
}

function spansOf(requests: readonly TargetRequest[]): OtlpSpan[] {
  return requests.flatMap((request) =>
    (request.body as OtlpTraceRequest).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  );
}

describe("attack: runs sharing an incoming trace", () => {
  it("two runs continuing one traceparent never export the same span id", async () => {
    const tenant = await tracedTenant();
    await publish(tenant.apiKey, ONE_STEP);
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    for (let i = 0; i < 2; i += 1) {
      const runId = await startRun(tenant.apiKey, traceparent);
      await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
      await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    }
    let spans: OtlpSpan[] = [];
    for (let poll = 0; poll < 300; poll += 1) {
      spans = spansOf((await targetLog()).filter((request) => request.path === tenant.path));
      if (spans.filter((span) => span.kind === 2).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const roots = spans.filter((span) => span.kind === 2);
    expect(roots).toHaveLength(2);
    // today both roots are derivedSpanId(traceId, "run"), and both step spans collide too
    expect(new Set(roots.map((span) => span.spanId)).size).toBe(2);
    expect(new Set(spans.map((span) => span.spanId)).size).toBe(spans.length);
  }, 30_000);
});
