/**
 * Issue 9, class 6: a refused request writes nothing anywhere. Storage is counted as the Durable
 * Objects each namespace holds (`listDurableObjectIds`: reaching an object is what allocates its
 * SQLite database, locally and in this pool) before and after 20 forged API keys, 20 webhooks to
 * made-up tenants, 20 MCP calls with a valid key on made-up run ids, 20 admin calls with wrong
 * tokens and 20 admin calls (valid token) on made-up tenants: the counts do not move. A legitimate
 * first use (tenant creation, publish, run start) still creates exactly its own objects, and an
 * object reached directly that was never created keeps no table.
 */
import { env, listDurableObjectIds, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminFetch, BASE, callTool, mcpRequest, newTenant, toolErrorOf } from "./support/clients.ts";
import { publishAndStart } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

const PROBES = 20;

async function objectCounts(): Promise<{ tenants: number; runs: number }> {
  const [tenants, runs] = await Promise.all([
    listDurableObjectIds(env.TENANT_DO),
    listDurableObjectIds(env.RUN_DO),
  ]);
  return { tenants: tenants.length, runs: runs.length };
}

function hex(length: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(length / 2)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}

function madeUpTenant(index: number): string {
  return `ghost-${index}-${hex(8)}`;
}

/** Well-formed keys (they pass the parser) for tenants that do not exist. */
function forgedKey(index: number): string {
  return `efk_${madeUpTenant(index)}_${hex(16)}_${"A".repeat(43)}`;
}

function userTables(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE '__miniflare%'",
    )
    .toArray()
    .map((row) => row.name);
}

describe("refused requests create no storage", () => {
  it("forged keys, webhooks to made-up tenants, made-up run ids and bad admin calls leave the counts alone", async () => {
    const tenant = await newTenant("refused");
    const runId = await publishAndStart(tenant.apiKey, GREET, { name: "Ada" });
    const before = await objectCounts();
    expect(before.tenants).toBeGreaterThan(0);
    expect(before.runs).toBeGreaterThan(0);

    const statuses: number[] = [];
    for (let index = 0; index < PROBES; index += 1) {
      const forged = await mcpRequest(forgedKey(index), "tools/list");
      statuses.push(forged.status);

      const hook = await SELF.fetch(`${BASE}/hooks/${madeUpTenant(index)}/github`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${hex(64)}` },
        body: JSON.stringify({ zen: "anything" }),
      });
      statuses.push(hook.status);

      const tool = [
        "workflow_get_status",
        "workflow_get_next_step",
        "workflow_state_read",
        "workflow_cancel",
      ][index % 4]!;
      const probe = await callTool(tenant.apiKey, tool, { workflow_id: `wf_${hex(24)}` });
      expect(toolErrorOf(probe).code).toBe("run.not_found");

      const admin = await SELF.fetch(`${BASE}/admin/tenants/${madeUpTenant(index)}`, {
        headers: { authorization: `Bearer wrong-${hex(8)}` },
      });
      statuses.push(admin.status);
      const create = await SELF.fetch(`${BASE}/admin/tenants`, {
        method: "POST",
        headers: { authorization: "Bearer nope", "content-type": "application/json" },
        body: JSON.stringify({ id: madeUpTenant(index) }),
      });
      statuses.push(create.status);

      const unknown = await adminFetch(`/admin/tenants/${madeUpTenant(index)}`);
      statuses.push(unknown.status);
      const settings = await adminFetch(`/admin/tenants/${madeUpTenant(index)}/settings`, {
        method: "PATCH",
        body: JSON.stringify({ run_retention_days: 7 }),
      });
      statuses.push(settings.status);
    }
    expect(new Set(statuses)).toEqual(new Set([401, 404]));
    // the tenant's own run is still there, and the counts did not move
    expect((await callTool(tenant.apiKey, "workflow_get_status", { workflow_id: runId })).isError).toBe(
      false,
    );
    expect(await objectCounts()).toEqual(before);
  });

  it("a legitimate first use creates exactly its own objects", async () => {
    const before = await objectCounts();
    const tenant = await newTenant("first-use");
    const runId = await publishAndStart(tenant.apiKey, GREET, { name: "Ada" });
    expect(await objectCounts()).toEqual({ tenants: before.tenants + 1, runs: before.runs + 1 });
    const status = await callTool(tenant.apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.isError).toBe(false);
  });

  it("an object reached directly that was never created writes no table", async () => {
    const tenantStub = env.TENANT_DO.get(env.TENANT_DO.idFromName("never-created"));
    expect((await tenantStub.authenticate("never-created", "0000000000000000", "00")).ok).toBe(false);
    expect((await tenantStub.describeTenant("never-created")).ok).toBe(false);
    expect(await runDurableObjectAlarm(tenantStub)).toBe(false);
    await runInDurableObject(tenantStub, (_instance, state) => {
      expect(userTables(state.storage.sql)).toEqual([]);
    });
    const runId = `wf_${hex(24)}`;
    const runStub = env.RUN_DO.get(env.RUN_DO.idFromName(`never-created/${runId}`));
    const snapshot = await runStub.snapshot("never-created", runId);
    expect(snapshot.ok ? "ok" : snapshot.error.code).toBe("run.not_found");
    await runInDurableObject(runStub, async (_instance, state) => {
      expect(userTables(state.storage.sql)).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});
