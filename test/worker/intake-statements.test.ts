/**
 * Issue 16: what one webhook delivery costs the TenantDO in SQLite statements once the tenant is
 * warm. The tenant's own row (`tenant/known-tenant.ts`) and the events-received counter's series
 * (`tenant-metrics.ts`, `rememberSeries`) are remembered, so a delivery no longer asks whether the
 * schema exists, reads the tenant row, or asks whether the counter's series exists; it still writes
 * everything a 202 promises (event, body, log, dedup row, rate-limit window, counter). That the
 * memory goes with an erased tenant (its next delivery: 404) is in tenant-lifecycle-delete.test.ts.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TenantDO } from "../../durable-objects/tenant-do.ts";
import { newTenant } from "./support/clients.ts";
import { DEPLOY_HOOK, HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

const ENDPOINT = "/workflow/trigger";

/** A signed delivery that the filter drops (no `ref`): stored, matched, no run. */
async function delivery(n: number) {
  const body = JSON.stringify({ n });
  return { body, headers: await sign("standard", HOOK_SECRET, body, { id: `msg_statements_${n}` }) };
}

/** The statements `work` runs on this object's SQLite, in order. */
function counting<T>(sql: SqlStorage, work: () => Promise<T>): Promise<{ value: T; statements: string[] }> {
  const statements: string[] = [];
  const exec = sql.exec;
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    statements.push(query.replace(/\s+/g, " ").trim());
    return exec.call(sql, query, ...bindings);
  }) as typeof sql.exec;
  return work()
    .then((value) => ({ value, statements }))
    .finally(() => {
      sql.exec = exec;
    });
}

describe("the statements of one warm webhook delivery", () => {
  it("reads neither the tenant row nor the counter's series again, and still writes every row", async () => {
    const { id, apiKey } = await newTenant("statements");
    await setSecret(id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(apiKey, DEPLOY_HOOK);
    // two deliveries over HTTP: the tenant row is read, the counter's series created then seen
    for (const n of [1, 2]) {
      const warm = await delivery(n);
      expect((await postHook(id, ENDPOINT, warm.body, warm.headers)).status).toBe(202);
    }
    const next = await delivery(3);
    const { value, statements } = await runInDurableObject(tenantObject(id), (instance: TenantDO, state) =>
      counting(state.storage.sql, () =>
        instance.receiveWebhook(id, {
          endpoint: ENDPOINT,
          headers: next.headers,
          body: new TextEncoder().encode(next.body),
          now: Date.now(),
          contentType: "application/json",
        }),
      ),
    );
    expect(value.ok).toBe(true);
    expect(statements.filter((query) => query.includes("sqlite_master"))).toEqual([]);
    expect(statements.filter((query) => /FROM tenant\b/.test(query))).toEqual([]);
    expect(statements.filter((query) => query.startsWith("SELECT 1 FROM metric_series"))).toEqual([]);
    // what the 202 promises is still written, once each
    const writes = (table: string) => statements.filter((query) => query.startsWith(`INSERT INTO ${table} `));
    expect(writes("events")).toHaveLength(1);
    expect(writes("event_bodies")).toHaveLength(1);
    expect(writes("event_log")).toHaveLength(1);
    expect(writes("webhook_dedup")).toHaveLength(1);
    expect(writes("rate_limit_windows")).toHaveLength(1);
    expect(writes("metric_series")).toHaveLength(1);
    const counted = await runInDurableObject(tenantObject(id), (_instance, state) =>
      state.storage.sql
        .exec<{ value: number }>(
          "SELECT value FROM metric_series WHERE name = 'edgeflow_events_received_total'",
        )
        .one(),
    );
    expect(counted.value).toBe(3);
  });
});
