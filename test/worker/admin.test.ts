/** Tenants and keys over /admin: creation, key issue and revocation, ADMIN_TOKEN handling. */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { adminFetch, BASE, callTool, mcpRequest, newTenant } from "./support/clients.ts";

describe("admin tenants and keys", () => {
  it("creates a tenant and returns its API key once", async () => {
    const res = await adminFetch("/admin/tenants", {
      method: "POST",
      body: JSON.stringify({ id: "acme-1" }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { tenant: { id: string }; apiKey: string; key: { id: string } };
    expect(body.tenant.id).toBe("acme-1");
    expect(body.apiKey).toMatch(/^efk_acme-1_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(body.apiKey).toContain(body.key.id);

    const described = await adminFetch("/admin/tenants/acme-1");
    const info = (await described.json()) as { keys: { id: string; revoked_at: string | null }[] };
    expect(JSON.stringify(info)).not.toContain(body.apiKey);
    expect(info.keys).toEqual([expect.objectContaining({ id: body.key.id, revoked_at: null })]);
  });

  it("refuses a duplicate tenant with 409 tenant.exists", async () => {
    const { id } = await newTenant();
    const res = await adminFetch("/admin/tenants", { method: "POST", body: JSON.stringify({ id }) });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "tenant.exists", message: expect.any(String) } });
  });

  it("rejects bad tenant ids, bad JSON and wrong body shapes with 400", async () => {
    const badId = await adminFetch("/admin/tenants", {
      method: "POST",
      body: JSON.stringify({ id: "Bad_Id" }),
    });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: { code: string } }).error.code).toBe("tenant.invalid_id");

    const badJson = await adminFetch("/admin/tenants", { method: "POST", body: "{nope" });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe("request.invalid_json");

    const badShape = await adminFetch("/admin/tenants", { method: "POST", body: JSON.stringify({ id: 7 }) });
    expect(badShape.status).toBe(400);
    expect(await badShape.json()).toEqual({
      error: { code: "input.invalid", message: expect.stringContaining("id"), path: "id" },
    });
  });

  it("answers 404 for keys of an unknown tenant and unknown key ids", async () => {
    const unknownTenant = await adminFetch("/admin/tenants/nobody-here/keys", { method: "POST", body: "{}" });
    expect(unknownTenant.status).toBe(404);
    const { id } = await newTenant();
    const unknownKey = await adminFetch(`/admin/tenants/${id}/keys/0000000000000000`, { method: "DELETE" });
    expect(unknownKey.status).toBe(404);
    expect(((await unknownKey.json()) as { error: { code: string } }).error.code).toBe("key.not_found");
  });

  it("issues extra keys; revoking one stops it at once and leaves the others working", async () => {
    const tenant = await newTenant();
    const res = await adminFetch(`/admin/tenants/${tenant.id}/keys`, {
      method: "POST",
      body: JSON.stringify({ label: "ci" }),
    });
    expect(res.status).toBe(201);
    const second = (await res.json()) as { apiKey: string; key: { id: string; label: string } };
    expect(second.key.label).toBe("ci");

    expect((await callTool(second.apiKey, "workflow_list")).isError).toBe(false);
    const revoked = await adminFetch(`/admin/tenants/${tenant.id}/keys/${second.key.id}`, {
      method: "DELETE",
    });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revoked: boolean }).revoked).toBe(true);

    const after = await mcpRequest(second.apiKey, "tools/list");
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: { code: "auth.invalid_key" } });
    expect((await callTool(tenant.apiKey, "workflow_list")).isError).toBe(false);
  });

  it("needs the admin token, compared exactly", async () => {
    const none = await SELF.fetch(`${BASE}/admin/tenants/x`);
    expect(none.status).toBe(401);
    const wrong = await SELF.fetch(`${BASE}/admin/tenants/x`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("admin.invalid_token");
  });

  it("answers 503 admin.not_configured when ADMIN_TOKEN is unset", async () => {
    const request = new Request(`${BASE}/admin/tenants`, { method: "POST", body: "{}" });
    const res = await worker.fetch(request, { ...env, ADMIN_TOKEN: undefined }, createExecutionContext());
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("admin.not_configured");
    expect(body.error.message).toContain("ADMIN_TOKEN");
  });
});

describe("admin tenant settings", () => {
  it("sets, replaces and removes settings; describe shows them", async () => {
    const { id } = await newTenant();
    const patch = (body: unknown) =>
      adminFetch(`/admin/tenants/${id}/settings`, { method: "PATCH", body: JSON.stringify(body) });
    const first = await patch({ max_runs: 10, note: "pilot" });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ settings: { max_runs: 10, note: "pilot" } });
    expect(await (await patch({ max_runs: 20, note: null })).json()).toEqual({ settings: { max_runs: 20 } });
    const described = (await (await adminFetch(`/admin/tenants/${id}`)).json()) as { settings: unknown };
    expect(described.settings).toEqual({ max_runs: 20 });
    const bad = await patch({ "Bad Name": 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("input.invalid");
    const unknown = await adminFetch("/admin/tenants/nobody/settings", { method: "PATCH", body: "{}" });
    expect(unknown.status).toBe(404);
  });
});
