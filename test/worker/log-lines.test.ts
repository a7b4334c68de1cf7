/**
 * The JSON log lines (docs/observability.md, "Logs"), read from the console in workerd: one per
 * request (request id, tenant, method, route pattern, status, code on errors, duration) and one
 * per run transition (tenant, run id, workflow, version, event, status, code, duration). Every
 * line parses as JSON, and none holds an API key, a secret, a state value or a raw hook path.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adminFetch, callTool, newTenant } from "./support/clients.ts";
import { registerTenantService, target } from "./support/effects.ts";
import { HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";

const API_TOKEN = "api-token-a83be1c07d";
const OTLP_TOKEN = "otlp-token-2f6d90b1c4";
const STATE_VALUE = "state-value-9d1e77aa";

const WORKFLOW = `
name: logs:secretive
description: holds a secret in its call and a value in its state
version: 1.0.0
inputs:
  word: { type: string, description: "kept in the state" }
default_state:
  state: { word: null }
triggers:
  - type: webhook
    endpoint: "/logs/private-endpoint"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: keep
    type: mcp_call
    tool: "keep_{{ inputs.word }}"
  - id: call
    type: external_call
    service: api
    method: ping
    params: { word: "{{ inputs.word }}" }
    auth: { type: bearer, token: "{{ env.API_TOKEN }}" }
`;

let lines: string[] = [];

beforeEach(() => {
  lines = [];
  for (const method of ["log", "warn", "error"] as const) {
    const original = console[method];
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
      original(...args);
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

function jsonLines(): Record<string, unknown>[] {
  return lines
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("log lines", () => {
  it("one line per request and per run transition, with no key, secret or state value", async () => {
    const tenant = await newTenant("logs");
    await setSecret(tenant.id, "API_TOKEN", API_TOKEN);
    await setSecret(tenant.id, "OTLP_TOKEN", OTLP_TOKEN);
    await setSecret(tenant.id, "WEBHOOK_SECRET", HOOK_SECRET);
    await adminFetch(`/admin/tenants/${tenant.id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({
        otlp_endpoint: `${target()}/status/503`,
        otlp_headers: { authorization: "Bearer {{ env.OTLP_TOKEN }}" },
      }),
    });
    await registerTenantService(tenant.apiKey, "api", "http@^1", { base_url: `${target()}/echo` });
    await publish(tenant.apiKey, WORKFLOW);
    const started = await callTool(tenant.apiKey, "workflow_start", {
      workflow: "logs:secretive",
      inputs: { word: STATE_VALUE },
    });
    const runId = started.structured.workflow_id as string;
    await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    await callTool(tenant.apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "keep",
      status: "success",
    });
    const body = JSON.stringify({ word: STATE_VALUE });
    const hook = await postHook(
      tenant.id,
      "/logs/private-endpoint",
      body,
      await sign("standard", HOOK_SECRET, body),
    );
    expect(hook.status).toBe(202);
    const refused = await callTool(tenant.apiKey, "workflow_get_status", {
      workflow_id: "wf_000000000000000000000000",
    });
    expect(refused.isError).toBe(true);

    const records = jsonLines();
    const requests = records.filter((record) => record.event === "http_request");
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const record of requests) {
      expect(record).toMatchObject({
        level: expect.any(String),
        method: expect.any(String),
        status: expect.any(Number),
      });
      expect(record.request_id).toEqual(expect.any(String));
      expect(record.duration_ms).toEqual(expect.any(Number));
      expect(String(record.route)).not.toContain(tenant.id);
    }
    expect(requests).toContainEqual(
      expect.objectContaining({ route: "/mcp", tenant: tenant.id, status: 200 }),
    );
    expect(requests).toContainEqual(expect.objectContaining({ route: "/hooks/:tenant/*", status: 202 }));
    const transitions = records.filter(
      (record) => record.event === "run_transition" && record.run_id === runId,
    );
    expect(transitions.map((record) => record.transition)).toEqual(
      expect.arrayContaining(["start", "next", "complete"]),
    );
    for (const record of transitions) {
      expect(record).toMatchObject({
        tenant: tenant.id,
        workflow: "logs:secretive",
        version: "1.0.0",
        status: expect.any(String),
        duration_ms: expect.any(Number),
      });
    }
    const everything = lines.join("\n");
    for (const secret of [
      tenant.apiKey,
      API_TOKEN,
      OTLP_TOKEN,
      HOOK_SECRET,
      STATE_VALUE,
      "private-endpoint",
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
