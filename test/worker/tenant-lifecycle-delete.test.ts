/**
 * Deleting a tenant (docs/operations.md, "Tenant lifecycle"), shown by counting storage
 * afterwards in every object: each RunDO empty (no table, no key, no alarm), the TenantDO empty,
 * no `kv` plugin key under `t/<tenant>/`, no `r2` plugin object under `_plugins/t/<tenant>/`, no
 * registry entry. The old key answers `auth.invalid_key`; a second DELETE answers 404; a deletion
 * interrupted half way is finished by calling again; a tenant with hundreds of runs is erased;
 * another tenant is untouched; the tenant's own uploaded files are kept.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantStub } from "../../durable-objects/bindings.ts";
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
import { inspectRun, publishAndStart } from "./support/runs.ts";
import { EMPTY_OBJECT, storedInRun, storedInTenant, tenantTableCounts } from "./support/tenant-storage.ts";
import { GREET, SLEEPER } from "./support/workflows.ts";

const SCHEDULED = `name: "cron:job"
description: "Runs every day"
version: "1.0.0"
triggers:
  - id: tick
    type: schedule
    cron: "0 3 * * *"
steps:
  - id: "say"
    type: "user_message"
    message: "tick"
`;

function stateKv(): KVNamespace {
  if (env.STATE_KV === undefined) throw new Error("STATE_KV is bound in wrangler.toml");
  return env.STATE_KV;
}

function files(): R2Bucket {
  if (env.FILES === undefined) throw new Error("FILES is bound in wrangler.toml");
  return env.FILES;
}

function deleteTenant(id: string): Promise<Response> {
  return adminFetch(`/admin/tenants/${id}`, { method: "DELETE" });
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

async function kvKeys(prefix: string): Promise<string[]> {
  return (await stateKv().list({ prefix })).keys.map((key) => key.name);
}

async function r2Keys(prefix: string): Promise<string[]> {
  return (await files().list({ prefix })).objects.map((object) => object.key);
}

/** A tenant with something of every kind: runs, events, secrets, keys, versions, subscriptions, a schedule, a service, settings, plugin data. */
async function populatedTenant(prefix: string) {
  const tenant = await newTenant(prefix);
  await setSecret(tenant.id, "WEBHOOK_SECRET", HOOK_SECRET);
  await publish(tenant.apiKey, DEPLOY_HOOK);
  await publish(tenant.apiKey, SCHEDULED);
  const runs = [await publishAndStart(tenant.apiKey, SLEEPER), await publishAndStart(tenant.apiKey, SLEEPER)];
  const pushed = await signedPush(tenant.id, "refs/heads/main");
  expect(pushed.status).toBe(202);
  const settled = await settledEvent(tenant.apiKey, pushed.body.event_id!);
  runs.push(settled.matches[0]!.workflow_id!);
  expect((await postEvent(tenant.apiKey, { type: "custom.note" })).status).toBe(202);
  expect((await adminFetch(`/admin/tenants/${tenant.id}/keys`, { method: "POST", body: "{}" })).status).toBe(
    201,
  );
  const settings = await adminFetch(`/admin/tenants/${tenant.id}/settings`, {
    method: "PATCH",
    body: JSON.stringify({ run_retention_days: 7 }),
  });
  expect(settings.status).toBe(200);
  const service = await adminFetch(`/admin/tenants/${tenant.id}/services/chatter`, {
    method: "PUT",
    body: JSON.stringify({ uses: "kv@^1" }),
  });
  expect(service.status, await service.clone().text()).toBe(201);
  // what the kv and r2 plugins store for the tenant, and a file the tenant uploaded itself
  await stateKv().put(`t/${tenant.id}/counter`, "1");
  await stateKv().put(`t/${tenant.id}/nested/key`, "2");
  await files().put(`_plugins/t/${tenant.id}/doc.json`, "{}");
  await files().put(`${tenant.id}/inbox/upload.txt`, "the customer's file");
  return { ...tenant, runs };
}

describe("DELETE /admin/tenants/:id", () => {
  it("removes every run, event, secret, key, version, subscription, schedule, service, setting and plugin datum", async () => {
    const tenant = await populatedTenant("del");
    const neighbour = await populatedTenant("del-other");
    const before = await tenantTableCounts(tenant.id);
    for (const table of [
      "runs",
      "events",
      "secrets",
      "api_keys",
      "workflow_versions",
      "subscriptions",
      "schedules",
      "tenant_services",
      "settings",
    ]) {
      expect(before[table], table).toBeGreaterThan(0);
    }
    for (const runId of tenant.runs) expect((await storedInRun(tenant.id, runId)).tables).not.toEqual([]);
    const neighbourBefore = await tenantTableCounts(neighbour.id);

    const res = await deleteTenant(tenant.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      tenant: tenant.id,
      deleted: true,
      erased: { runs: 3, kv_keys: 2, r2_objects: 1 },
    });

    for (const runId of tenant.runs) expect(await storedInRun(tenant.id, runId)).toEqual(EMPTY_OBJECT);
    expect(await storedInTenant(tenant.id)).toEqual(EMPTY_OBJECT);
    expect(await kvKeys(`t/${tenant.id}/`)).toEqual([]);
    expect(await r2Keys(`_plugins/t/${tenant.id}/`)).toEqual([]);
    expect(await env.TENANTS.get(`tenant:${tenant.id}`)).toBeNull();
    // the tenant's own uploads are the customer's files: kept (docs/operations.md)
    expect(await r2Keys(`${tenant.id}/`)).toEqual([`${tenant.id}/inbox/upload.txt`]);

    // the id is unknown everywhere
    const oldKey = await toolsList(tenant.apiKey);
    expect(oldKey.status).toBe(401);
    expect(await errorCode(oldKey)).toBe("auth.invalid_key");
    expect((await postEvent(tenant.apiKey, { type: "custom.after" })).body.error?.code).toBe(
      "auth.invalid_key",
    );
    const hook = await signedPush(tenant.id, "refs/heads/after");
    expect([hook.status, hook.body.error?.code]).toEqual([404, "hooks.unknown_endpoint"]);
    expect((await adminFetch(`/admin/tenants/${tenant.id}`)).status).toBe(404);
    expect(await storedInTenant(tenant.id)).toEqual(EMPTY_OBJECT); // and nothing above recreated it

    // the neighbour is untouched
    expect(await tenantTableCounts(neighbour.id)).toEqual(neighbourBefore);
    for (const runId of neighbour.runs)
      expect((await storedInRun(neighbour.id, runId)).tables).not.toEqual([]);
    expect(await kvKeys(`t/${neighbour.id}/`)).toHaveLength(2);
    expect(await r2Keys(`_plugins/t/${neighbour.id}/`)).toHaveLength(1);
    expect((await toolsList(neighbour.apiKey)).status).toBe(200);
    expect((await inspectRun(neighbour.id, neighbour.runs[0]!)).state.status).toBe("waiting");
  });

  it("a second DELETE answers 404 tenant.not_found; the id can be created again, empty", async () => {
    const { id } = await newTenant("del-twice");
    expect((await deleteTenant(id)).status).toBe(200);
    const again = await deleteTenant(id);
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe("tenant.not_found");

    const created = await adminFetch("/admin/tenants", { method: "POST", body: JSON.stringify({ id }) });
    expect(created.status).toBe(201);
    const { apiKey } = (await created.json()) as { apiKey: string };
    const listed = await callTool(apiKey, "workflow_list");
    expect(listed.isError).toBe(false);
    expect(JSON.stringify(listed.structured)).not.toContain("demo:");
    expect((await tenantTableCounts(id)).api_keys).toBe(1);
  });

  it("a deletion interrupted half way refuses the tenant at once and is finished by calling again", async () => {
    const tenant = await populatedTenant("del-half");
    const stub = tenantStub(env, tenant.id);
    // what the first call did before it was cut off: the tenant marked, one page of runs erased
    expect(await stub.beginDeletion(tenant.id)).toEqual({ ok: true, value: { erased: false } });
    expect(await stub.eraseRuns(tenant.id)).toEqual({ ok: true, value: { erased: 3, remaining: 0 } });

    // already refused on every surface, though the registry still names it
    expect(await errorCode(await toolsList(tenant.apiKey))).toBe("auth.invalid_key");
    expect((await signedPush(tenant.id, "refs/heads/x")).status).toBe(404);
    expect(await env.TENANTS.get(`tenant:${tenant.id}`)).not.toBeNull();
    // and it cannot be suspended or resumed back to life
    const resumed = await adminFetch(`/admin/tenants/${tenant.id}/resume`, { method: "POST" });
    expect([resumed.status, await errorCode(resumed)]).toEqual([409, "tenant.deleting"]);

    const finished = await deleteTenant(tenant.id);
    expect(finished.status).toBe(200);
    expect(await finished.json()).toMatchObject({
      deleted: true,
      erased: { runs: 0, kv_keys: 2, r2_objects: 1 },
    });
    expect(await storedInTenant(tenant.id)).toEqual(EMPTY_OBJECT);
    for (const runId of tenant.runs) expect(await storedInRun(tenant.id, runId)).toEqual(EMPTY_OBJECT);
  });

  it("erases a tenant with hundreds of runs, active and finished", { timeout: 120_000 }, async () => {
    const { id, apiKey } = await newTenant("del-many");
    const runs = [await publishAndStart(apiKey, GREET, { name: "a" })];
    // started on the TenantDO directly (the same start as workflow_start, without the MCP round trip)
    const stub = tenantStub(env, id);
    while (runs.length < 250) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          stub.startRun(id, { workflow: "demo:greet", inputs: { name: `n${runs.length + index}` } }),
        ),
      );
      for (const started of batch) {
        if (!started.ok) throw new Error(started.error.code);
        runs.push(started.value.run.workflow_id);
      }
    }
    const cancelled = await callTool(apiKey, "workflow_cancel", { workflow_id: runs[0] });
    expect(cancelled.isError).toBe(false);
    expect((await tenantTableCounts(id)).runs).toBe(runs.length);

    const res = await deleteTenant(id);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { erased: { runs: number } }).erased.runs).toBe(runs.length);
    for (const runId of runs) expect(await storedInRun(id, runId)).toEqual(EMPTY_OBJECT);
    expect(await storedInTenant(id)).toEqual(EMPTY_OBJECT);
  });

  it("answers 404 for an unknown tenant and 400 for a bad id", async () => {
    const unknown = await deleteTenant("nobody-here");
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, "tenant.not_found"]);
    const bad = await deleteTenant("Bad_Id");
    expect([bad.status, await errorCode(bad)]).toEqual([400, "tenant.invalid_id"]);
  });
});
