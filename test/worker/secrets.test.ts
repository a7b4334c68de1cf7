/**
 * Tenant secrets: set, listed by name only, deleted, encrypted at rest (AES-GCM), never returned
 * by a route or tool; `{{ env.NAME }}` reads them in runs, and every answer redacts them.
 */
import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { adminFetch, BASE, callTool, newTenant } from "./support/clients.ts";
import { eventLog, postEvent, publish, setSecret, settledEvent } from "./support/events.ts";
import { publishAndStart, tenantObject } from "./support/runs.ts";

const TOKEN = "tok_0123456789";

const USES_SECRET = `name: "secrets:use"
description: "Reads a tenant secret"
version: "1.0.0"
default_state:
  state:
    copied: ""
steps:
  - id: "copy"
    type: "set_state"
    state_update:
      path: "this.copied"
      value: "{{ env.API_TOKEN }}"
  - id: "check"
    type: "conditional"
    condition: "{{ env.API_TOKEN === 'tok_0123456789' }}"
    then_steps:
      - id: "yes"
        type: "user_message"
        message: "token ok, it is {{ env.API_TOKEN }}"
    else_steps:
      - id: "no"
        type: "user_message"
        message: "token missing"
`;

/** A new tenant whose secret API_TOKEN is TOKEN. */
async function tenantWithToken(): Promise<{ id: string; apiKey: string }> {
  const tenant = await newTenant("sec");
  await setSecret(tenant.id, "API_TOKEN", TOKEN);
  return tenant;
}

function secretPath(tenant: string, name = ""): string {
  return `/admin/tenants/${tenant}/secrets${name === "" ? "" : `/${name}`}`;
}

describe("tenant secrets", () => {
  it("are set, listed by name, replaced and deleted; values never come back", async () => {
    const { id } = await newTenant("sec");
    const put = (value: string) =>
      adminFetch(secretPath(id, "API_TOKEN"), { method: "PUT", body: JSON.stringify({ value }) });
    const created = await put(TOKEN);
    expect([created.status, await created.json()]).toEqual([201, { name: "API_TOKEN", created: true }]);
    const replaced = await put("tok_replaced_value");
    expect(replaced.status).toBe(200);
    const listed = await adminFetch(secretPath(id));
    const text = await listed.text();
    expect(JSON.parse(text)).toEqual({
      secrets: [{ name: "API_TOKEN", created_at: expect.any(String), updated_at: expect.any(String) }],
    });
    expect(text).not.toContain("tok_");
    expect(await (await adminFetch(`/admin/tenants/${id}`)).text()).not.toContain("tok_");

    const deleted = await adminFetch(secretPath(id, "API_TOKEN"), { method: "DELETE" });
    expect(await deleted.json()).toEqual({ name: "API_TOKEN", deleted: true });
    const again = await adminFetch(secretPath(id, "API_TOKEN"), { method: "DELETE" });
    expect([again.status, ((await again.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      "secret.not_found",
    ]);
  });

  it("are stored encrypted, bound to their name", async () => {
    const { id } = await tenantWithToken();
    const rows = await runInDurableObject(tenantObject(id), (_instance, state) =>
      state.storage.sql
        .exec<{ name: string; ciphertext: string }>("SELECT name, ciphertext FROM secrets")
        .toArray(),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ciphertext).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(rows[0]!.ciphertext).not.toContain(TOKEN);
    expect(atob(rows[0]!.ciphertext.split(".")[2]!)).not.toContain(TOKEN);
  });

  it("refuse bad names and values, unknown tenants, and answer 503 without SECRETS_KEY", async () => {
    const { id } = await newTenant("sec");
    const cases: [string, unknown, number, string][] = [
      [secretPath(id, "1BAD"), { value: "x" }, 400, "secret.invalid_name"],
      [secretPath(id, "OK"), { value: "" }, 400, "input.invalid"],
      [secretPath(id, "OK"), { value: "x".repeat(20_000) }, 400, "secret.invalid_value"],
      [secretPath(id, "OK"), { nope: 1 }, 400, "input.invalid"],
      [secretPath("nobody-here", "OK"), { value: "x" }, 404, "tenant.not_found"],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await adminFetch(path, { method: "PUT", body: JSON.stringify(body) });
      expect([path, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
        path,
        status,
        code,
      ]);
    }
    const request = new Request(`${BASE}${secretPath(id, "OK")}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ value: "x" }),
    });
    const res = await worker.fetch(request, { ...env, SECRETS_KEY: undefined }, createExecutionContext());
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
      503,
      "secrets.not_configured",
    ]);
  });

  it("{{ env.NAME }} reads them in runs; answers, snapshots and state reads redact them", async () => {
    const { apiKey } = await tenantWithToken();
    const runId = await publishAndStart(apiKey, USES_SECRET);
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({
        id: "yes",
        definition: expect.objectContaining({ message: "token ok, it is [redacted]" }),
      }),
    ]);
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.structured).toMatchObject({ state: { state: { copied: "[redacted]" } } });
    const read = await callTool(apiKey, "workflow_state_read", {
      workflow_id: runId,
      paths: ["this.copied"],
    });
    for (const call of [next, status, read]) expect(call.text).not.toContain(TOKEN);
  });

  it("an error that quotes a secret is redacted too (answers, status, the event log)", async () => {
    const { apiKey } = await tenantWithToken();
    const leaky = `name: "secrets:leak"
description: "Fails with the secret in the error"
version: "1.0.0"
triggers:
  - type: event
    event_type: "leak"
default_state:
  state:
    x: 0
steps:
  - id: "parse"
    type: "set_state"
    state_update:
      path: "this.x"
      value: "{{ JSON.parse(env.API_TOKEN) }}"
`;
    await publish(apiKey, leaky);
    const started = await callTool(apiKey, "workflow_start", { workflow: "secrets:leak" });
    expect(started.text).not.toContain(TOKEN);
    const runId = (started.structured.workflow_id as string | undefined) ?? "";
    if (runId !== "") {
      const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
      expect(status.text).not.toContain(TOKEN);
    }
    const res = await postEvent(apiKey, { type: "leak" });
    const event = await settledEvent(apiKey, res.body.event_id!);
    expect(JSON.stringify(event)).not.toContain(TOKEN);
    expect(JSON.stringify(await eventLog(apiKey))).not.toContain(TOKEN);
  });

  it("an error that quotes a secret in a later transition (step_complete, state_update) stays redacted", async () => {
    const { apiKey } = await tenantWithToken();
    const later = `name: "secrets:later"
description: "Fails with the secret in the error after a client step"
version: "1.0.0"
default_state:
  state:
    x: 0
steps:
  - id: "ask"
    type: "mcp_call"
    tool: "noop"
  - id: "leak"
    type: "set_state"
    state_update:
      path: "this.x"
      value: "{{ (() => { throw new Error('the token is ' + env.API_TOKEN) })() }}"
`;
    const runId = await publishAndStart(apiKey, later);
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([expect.objectContaining({ id: "ask" })]);
    // an error the RunDO refuses with, quoting what the caller sent, is redacted as well
    const refused = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [{ path: `inputs.${TOKEN}`, value: 1 }],
    });
    expect(refused.text).toContain("[redacted]");
    expect(refused.text).not.toContain(TOKEN);
    const completed = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "ask",
    });
    // the failure is reported (as an error or a failed run), with the secret's value replaced
    expect(completed.text).toContain("the token is");
    expect(completed.text).not.toContain(TOKEN);
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.text).not.toContain(TOKEN);
    const updated = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [{ path: "this.x", value: 1 }],
    });
    expect(updated.text).not.toContain(TOKEN);
  });

  it("a run without the secret sees it unset", async () => {
    const { apiKey } = await newTenant("sec");
    const runId = await publishAndStart(apiKey, USES_SECRET);
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([expect.objectContaining({ id: "no" })]);
  });
});
