/**
 * Tenant secrets: set, listed by name only, deleted, encrypted at rest (AES-GCM), never returned
 * by a route or tool. Workflows name them as `{{ env.NAME }}` in capability fields only, and no
 * run ever receives one: secret-capabilities.test.ts.
 */
import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { adminFetch, BASE, newTenant } from "./support/clients.ts";
import { setSecret } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

const TOKEN = "tok_0123456789";

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
});
