/**
 * Issue 9, class 10: retention and the stored-runs cap. A finished run older than the tenant's
 * retention is deleted by the tenant alarm (its RunDO storage and alarm, then its index row);
 * an active run is kept; the cap deletes the oldest finished runs first and refuses a start with
 * `quota.stored_runs` when only active runs remain; a deletion interrupted after the RunDO's part
 * is finished by the next alarm; bad settings are a 400. No sleeps: the test moves a run's
 * finish time into the past, and runs the alarm with `runDurableObjectAlarm`.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PURGE_BATCH } from "../../durable-objects/tenant/run-retention.ts";
import { adminFetch, callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { activeRuns, type EventMatchView, postEvent, publish, settledEvent } from "./support/events.ts";
import { publishAndStart, runObject, tenantObject } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

const DAY_MS = 86_400_000;

async function setSettings(tenant: string, patch: Record<string, unknown>): Promise<Response> {
  return adminFetch(`/admin/tenants/${tenant}/settings`, { method: "PATCH", body: JSON.stringify(patch) });
}

async function startGreet(apiKey: string): Promise<string> {
  const started = await callTool(apiKey, "workflow_start", {
    workflow: "demo:greet",
    inputs: { name: "Ada" },
  });
  if (started.isError) throw new Error(started.text);
  return started.structured.workflow_id as string;
}

async function cancel(apiKey: string, runId: string): Promise<void> {
  const cancelled = await callTool(apiKey, "workflow_cancel", { workflow_id: runId });
  expect(cancelled.structured.status).toBe("cancelled");
}

/** Moves a run's finish (and so its expiry) `days` into the past in the tenant's index. */
async function finishedDaysAgo(tenant: string, runId: string, days: number): Promise<void> {
  await runInDurableObject(tenantObject(tenant), (_instance, state) => {
    state.storage.sql.exec(
      "UPDATE runs SET updated_at = updated_at - ?, expires_at = expires_at - ? WHERE id = ?",
      days * DAY_MS,
      days * DAY_MS,
      runId,
    );
  });
}

async function indexRow(tenant: string, runId: string): Promise<Record<string, SqlStorageValue> | undefined> {
  return runInDurableObject(
    tenantObject(tenant),
    (_instance, state) => state.storage.sql.exec("SELECT * FROM runs WHERE id = ?", runId).toArray()[0],
  );
}

/** The RunDO's own tables and alarm: nothing left once it is deleted. */
async function runStorage(
  tenant: string,
  runId: string,
): Promise<{ tables: string[]; alarm: number | null }> {
  return runInDurableObject(runObject(tenant, runId), async (_instance, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE '__miniflare%'",
      )
      .toArray()
      .map((row) => row.name),
    alarm: await state.storage.getAlarm(),
  }));
}

async function statusCode(apiKey: string, runId: string): Promise<string> {
  const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
  return status.isError ? toolErrorOf(status).code : String(status.structured.status);
}

describe("run retention", () => {
  it("deletes a finished run past the retention (storage, alarm, index row) and keeps an active one", async () => {
    const tenant = await newTenant("retention");
    const old = await publishAndStart(tenant.apiKey, GREET, { name: "Ada" });
    const recent = await startGreet(tenant.apiKey);
    const active = await startGreet(tenant.apiKey);
    await cancel(tenant.apiKey, old);
    await cancel(tenant.apiKey, recent);
    // finishing armed the tenant alarm for the expiry, 30 days (the default) after the finish
    const row = await indexRow(tenant.id, old);
    expect(row?.expires_at).toBe((row?.updated_at as number) + 30 * DAY_MS);
    const armed = await runInDurableObject(tenantObject(tenant.id), (_i, state) => state.storage.getAlarm());
    expect(armed).not.toBeNull();
    expect(armed!).toBeLessThanOrEqual(row?.expires_at as number);

    await finishedDaysAgo(tenant.id, old, 31);
    expect(await runDurableObjectAlarm(tenantObject(tenant.id))).toBe(true);
    expect(await runStorage(tenant.id, old)).toEqual({ tables: [], alarm: null });
    expect(await indexRow(tenant.id, old)).toBeUndefined();
    expect(await statusCode(tenant.apiKey, old)).toBe("run.not_found");
    expect(await statusCode(tenant.apiKey, recent)).toBe("cancelled");
    expect(await statusCode(tenant.apiKey, active)).toBe("running");
    // the alarm is armed again for the next expiry (the recent run), not left behind
    const next = await indexRow(tenant.id, recent);
    const rearmed = await runInDurableObject(tenantObject(tenant.id), (_i, state) =>
      state.storage.getAlarm(),
    );
    expect(rearmed).toBe(next?.expires_at);
  });

  it("a shorter run_retention_days applies to runs already finished", async () => {
    const tenant = await newTenant("retention-days");
    const runId = await publishAndStart(tenant.apiKey, GREET, { name: "Ada" });
    await cancel(tenant.apiKey, runId);
    await finishedDaysAgo(tenant.id, runId, 2);
    expect((await setSettings(tenant.id, { run_retention_days: 3 })).status).toBe(200);
    await runDurableObjectAlarm(tenantObject(tenant.id));
    expect(await statusCode(tenant.apiKey, runId)).toBe("cancelled");
    expect((await setSettings(tenant.id, { run_retention_days: 1 })).status).toBe(200);
    await runDurableObjectAlarm(tenantObject(tenant.id));
    expect(await statusCode(tenant.apiKey, runId)).toBe("run.not_found");
  });

  it("an active run past any retention is kept, and the index corrected if it was behind", async () => {
    const tenant = await newTenant("retention-active");
    const runId = await publishAndStart(tenant.apiKey, GREET, { name: "Ada" });
    // an index that wrongly says "completed" long ago: the RunDO knows better
    await runInDurableObject(tenantObject(tenant.id), async (_instance, state) => {
      state.storage.sql.exec("UPDATE runs SET status = 'completed', expires_at = 1 WHERE id = ?", runId);
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(tenantObject(tenant.id))).toBe(true);
    expect(await statusCode(tenant.apiKey, runId)).toBe("running");
    expect(await indexRow(tenant.id, runId)).toMatchObject({ status: "running", expires_at: null });
  });

  it("a deletion interrupted after the RunDO's part is finished by the next alarm", async () => {
    const tenant = await newTenant("retention-crash");
    const runId = await publishAndStart(tenant.apiKey, GREET, { name: "Ada" });
    await cancel(tenant.apiKey, runId);
    await finishedDaysAgo(tenant.id, runId, 31);
    // the RunDO deleted its storage, then the TenantDO "crashed" before dropping the row
    const stub = env.RUN_DO.get(env.RUN_DO.idFromName(`${tenant.id}/${runId}`));
    expect(await stub.purge(tenant.id, runId)).toEqual({ ok: true, value: { deleted: true } });
    expect(await stub.purge(tenant.id, runId)).toEqual({ ok: true, value: { deleted: true } });
    expect(await indexRow(tenant.id, runId)).toBeDefined();
    await runDurableObjectAlarm(tenantObject(tenant.id));
    expect(await indexRow(tenant.id, runId)).toBeUndefined();
    expect(await runStorage(tenant.id, runId)).toEqual({ tables: [], alarm: null });
  });
});

describe("stored-runs cap", () => {
  it("deletes the oldest finished runs first, and refuses a start when only active runs remain", async () => {
    const tenant = await newTenant("cap");
    expect((await setSettings(tenant.id, { max_stored_runs: 3 })).status).toBe(200);
    const first = await publishAndStart(tenant.apiKey, GREET, { name: "Ada" });
    const second = await startGreet(tenant.apiKey);
    // "oldest" is by finish: the second run finishes first, so it is deleted first
    await cancel(tenant.apiKey, second);
    await cancel(tenant.apiKey, first);
    const third = await startGreet(tenant.apiKey);
    const fourth = await startGreet(tenant.apiKey);
    expect(await statusCode(tenant.apiKey, second)).toBe("run.not_found");
    expect(await runStorage(tenant.id, second)).toEqual({ tables: [], alarm: null });
    expect(await statusCode(tenant.apiKey, first)).toBe("cancelled");
    const fifth = await startGreet(tenant.apiKey);
    expect(await statusCode(tenant.apiKey, first)).toBe("run.not_found");
    // three active runs stored, the cap is three: refused, nothing deleted
    const refused = await callTool(tenant.apiKey, "workflow_start", {
      workflow: "demo:greet",
      inputs: { name: "Ada" },
    });
    const error = toolErrorOf(refused);
    expect(error.code).toBe("quota.stored_runs");
    expect(error.message).toContain("max_stored_runs");
    for (const runId of [third, fourth, fifth])
      expect(await statusCode(tenant.apiKey, runId)).toBe("running");
    // finishing one makes room again
    await cancel(tenant.apiKey, third);
    await startGreet(tenant.apiKey);
    expect(await statusCode(tenant.apiKey, third)).toBe("run.not_found");
  });
});

describe("retention settings", () => {
  it("bad values are a 400 settings.invalid naming the setting; null restores the default", async () => {
    const tenant = await newTenant("retention-settings");
    for (const patch of [
      { run_retention_days: 0 },
      { run_retention_days: -1 },
      { run_retention_days: 1.5 },
      { run_retention_days: "30" },
      { run_retention_days: 100_000 },
      { max_stored_runs: 0 },
      { max_stored_runs: true },
      { max_stored_runs: 10_000_000 },
      { max_event_runs_per_minute: -5 },
      { max_event_payload_bytes: -1 },
      { max_event_payload_bytes: "64MiB" },
      { max_event_payload_bytes: 2 * 1024 * 1024 * 1024 },
    ]) {
      const res = await setSettings(tenant.id, patch);
      expect(res.status, JSON.stringify(patch)).toBe(400);
      const body = (await res.json()) as { error: { code: string; path?: string } };
      expect(body.error.code).toBe("settings.invalid");
      expect(body.error.path).toBe(Object.keys(patch)[0]);
    }
    const ok = await setSettings(tenant.id, { run_retention_days: 7, max_stored_runs: 500 });
    expect(await ok.json()).toEqual({ settings: { max_stored_runs: 500, run_retention_days: 7 } });
    const cleared = await setSettings(tenant.id, { run_retention_days: null, max_stored_runs: null });
    expect(await cleared.json()).toEqual({ settings: {} });
  });
});

describe("retention in bounded batches", () => {
  it("one alarm deletes at most a batch; the alarm is due again at once for the rest", async () => {
    const tenant = await newTenant("retention-batch");
    const runs = [await publishAndStart(tenant.apiKey, GREET, { name: "Ada" })];
    while (runs.length < PURGE_BATCH + 5) runs.push(await startGreet(tenant.apiKey));
    for (const runId of runs) await cancel(tenant.apiKey, runId);
    for (const runId of runs) await finishedDaysAgo(tenant.id, runId, 31);
    const stored = () =>
      runInDurableObject(tenantObject(tenant.id), (_i, state) => ({
        runs: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM runs").one().n,
      }));
    await runDurableObjectAlarm(tenantObject(tenant.id));
    expect(await stored()).toEqual({ runs: 5 });
    const again = await runInDurableObject(tenantObject(tenant.id), (_i, state) => state.storage.getAlarm());
    expect(again).not.toBeNull();
    expect(again!).toBeLessThanOrEqual(Date.now());
    await runDurableObjectAlarm(tenantObject(tenant.id));
    expect(await stored()).toEqual({ runs: 0 });
  });
});

describe("stored-runs cap on runs started by events", () => {
  const ON_PING = `name: "ping:event"
description: "Runs on a custom event"
version: "1.0.0"
triggers:
  - type: event
    event_type: "ping"
steps:
  - id: "say"
    type: "user_message"
    message: "pong"
`;

  async function ping(apiKey: string): Promise<EventMatchView> {
    const res = await postEvent(apiKey, { type: "ping", source: "test", payload: {} });
    expect(res.status).toBe(202);
    const event = await settledEvent(apiKey, res.body.event_id!);
    return event.matches[0]!;
  }

  it("a start over the cap is logged start_failed with quota.stored_runs, after a finished run makes room it starts", async () => {
    const tenant = await newTenant("cap-events");
    await publish(tenant.apiKey, ON_PING);
    expect((await setSettings(tenant.id, { max_stored_runs: 2 })).status).toBe(200);
    const first = await ping(tenant.apiKey);
    const second = await ping(tenant.apiKey);
    expect([first.outcome, second.outcome]).toEqual(["started", "started"]);
    const refused = await ping(tenant.apiKey);
    expect(refused).toMatchObject({ outcome: "start_failed", error: { code: "quota.stored_runs" } });
    // the first run finishes (its messages are taken), so the next start deletes it and goes ahead
    await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: first.workflow_id });
    await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: first.workflow_id });
    expect(await statusCode(tenant.apiKey, first.workflow_id!)).toBe("completed");
    expect((await ping(tenant.apiKey)).outcome).toBe("started");
    expect(await statusCode(tenant.apiKey, first.workflow_id!)).toBe("run.not_found");
    expect(await statusCode(tenant.apiKey, second.workflow_id!)).toBe("running");
  });
  it("a batch of events cannot pass the cap: starts in flight count against it", async () => {
    const tenant = await newTenant("cap-burst");
    await publish(tenant.apiKey, ON_PING);
    expect((await setSettings(tenant.id, { max_stored_runs: 3 })).status).toBe(200);
    const events = Array.from({ length: 12 }, (_, i) => ({ type: "ping", id: `burst:${i}`, payload: {} }));
    const res = await postEvent(tenant.apiKey, { events });
    expect(res.status).toBe(202);
    const outcomes: string[] = [];
    for (const { id } of events) {
      const [match] = (await settledEvent(tenant.apiKey, id)).matches;
      outcomes.push(match?.outcome === "start_failed" ? String(match.error?.code) : String(match?.outcome));
    }
    expect(outcomes.filter((outcome) => outcome === "started")).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === "quota.stored_runs")).toHaveLength(9);
    expect(await activeRuns(tenant.apiKey)).toHaveLength(3);
  });

  it("concurrent workflow_start calls cannot pass the cap either", async () => {
    const tenant = await newTenant("cap-parallel");
    await publish(tenant.apiKey, GREET);
    expect((await setSettings(tenant.id, { max_stored_runs: 3 })).status).toBe(200);
    const calls = await Promise.all(
      Array.from({ length: 8 }, () =>
        callTool(tenant.apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "Ada" } }),
      ),
    );
    const refused = calls.filter((call) => call.isError).map((call) => toolErrorOf(call).code);
    expect(refused).toEqual(Array(5).fill("quota.stored_runs"));
    expect(await activeRuns(tenant.apiKey)).toHaveLength(3);
  });
});
