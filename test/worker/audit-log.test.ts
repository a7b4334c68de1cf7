/**
 * The audit log end to end in workerd: every audited action (admin routes and MCP tools) appends
 * exactly one entry with its actor, action, object and request id, and no secret's text (nor its
 * hash) is stored anywhere in the log; a refused change appends nothing; the chain survives an
 * eviction; one flipped byte of one stored row makes the admin export fail `edgeflow audit verify`
 * at that entry; `workflow_audit` pages and filters; the run transition log names each actor.
 */

import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { createHash } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyAuditExport } from "../../cli/audit/verify-export.ts";
import type { AuditEntry } from "../../engine/audit/audit-entry.ts";
import { canonicalJson } from "../../engine/audit/canonical-json.ts";
import { adminFetch, callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { postEvent, settledEvent } from "./support/events.ts";
import { runObject, tenantObject } from "./support/runs.ts";
import { GREET, SLEEPER } from "./support/workflows.ts";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** A low-entropy secret: its hash could be brute-forced, so not even that may be stored. */
const SECRET_VALUE = "hunter2";

interface Tenant {
  id: string;
  apiKey: string;
  keyId: string;
}

async function exportOf(tenant: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await adminFetch(`/admin/tenants/${tenant}/audit`);
  // decoded by hand: workerd warns when .text() reads a body typed application/x-ndjson
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get("content-type"), text };
}

async function entriesOf(tenant: string): Promise<AuditEntry[]> {
  const { status, text } = await exportOf(tenant);
  expect(status).toBe(200);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as AuditEntry);
}

/** Runs `change`, then expects exactly one new entry and answers it. */
async function oneEntry(tenant: string, change: () => Promise<unknown>): Promise<AuditEntry> {
  const before = (await entriesOf(tenant)).length;
  await change();
  const after = await entriesOf(tenant);
  expect(after.length, "exactly one entry appended").toBe(before + 1);
  return after.at(-1)!;
}

async function noEntry(tenant: string, change: () => Promise<unknown>): Promise<void> {
  const before = (await entriesOf(tenant)).length;
  await change();
  expect((await entriesOf(tenant)).length).toBe(before);
}

async function admin(path: string, method: string, requestId: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { "x-request-id": requestId } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return adminFetch(path, init);
}

async function tool(
  apiKey: string,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const call = await callTool(apiKey, name, args);
  expect(call.isError, call.text).toBe(false);
  return call.structured;
}

describe("every audited action appends one entry", () => {
  let t: Tenant;
  let actor: string;
  beforeAll(async () => {
    t = await newTenant("audit");
    actor = `key:${t.keyId}`;
  });

  it("records tenant creation as the first entry, by admin", async () => {
    const [first, ...rest] = await entriesOf(t.id);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      seq: 1,
      actor: "admin",
      action: "tenant.create",
      object: { type: "tenant", id: t.id },
      prev_hash: "0".repeat(64),
    });
    expect(first!.request_id).toEqual(expect.any(String));
  });

  it("records key, secret and settings changes by admin, with the request id", async () => {
    let newKey = "";
    const created = await oneEntry(t.id, async () => {
      const res = await admin(`/admin/tenants/${t.id}/keys`, "POST", "req-key-create", { label: "ci" });
      expect(res.status).toBe(201);
      newKey = ((await res.json()) as { key: { id: string }; apiKey: string }).key.id;
    });
    expect(created).toMatchObject({
      actor: "admin",
      action: "key.create",
      object: { type: "key", id: newKey },
      request_id: "req-key-create",
      changes: {},
    });
    const revoked = await oneEntry(t.id, () =>
      admin(`/admin/tenants/${t.id}/keys/${newKey}`, "DELETE", "req-revoke"),
    );
    expect(revoked).toMatchObject({
      action: "key.revoke",
      object: { type: "key", id: newKey },
      request_id: "req-revoke",
    });

    const set = await oneEntry(t.id, async () => {
      const res = await admin(`/admin/tenants/${t.id}/secrets/DEPLOY_TOKEN`, "PUT", "req-secret", {
        value: SECRET_VALUE,
      });
      expect(res.status).toBe(201);
    });
    expect(set).toMatchObject({
      actor: "admin",
      action: "secret.set",
      object: { type: "secret", id: "DEPLOY_TOKEN" },
      changes: { value: "changed" },
    });
    const deleted = await oneEntry(t.id, () =>
      admin(`/admin/tenants/${t.id}/secrets/DEPLOY_TOKEN`, "DELETE", "r"),
    );
    expect(deleted).toMatchObject({
      action: "secret.delete",
      object: { type: "secret", id: "DEPLOY_TOKEN" },
    });

    const patch = { max_runs: 50, run_retention_days: 7 };
    const settings = await oneEntry(t.id, () =>
      admin(`/admin/tenants/${t.id}/settings`, "PATCH", "req-set", patch),
    );
    expect(settings).toMatchObject({
      actor: "admin",
      action: "settings.update",
      object: { type: "settings", id: t.id },
      changes: { patch: `sha256:${sha256(canonicalJson(patch))}` },
    });
  });

  it("records nothing for a change that was refused", async () => {
    await noEntry(t.id, () => admin(`/admin/tenants/${t.id}/keys/0123456789abcdef`, "DELETE", "r"));
    await noEntry(t.id, () =>
      admin(`/admin/tenants/${t.id}/settings`, "PATCH", "r", { run_retention_days: 0 }),
    );
    await noEntry(t.id, () => callTool(t.apiKey, "workflow_unsubscribe", { subscription_id: "nope" }));
  });

  it("records the admin's and a key's service changes", async () => {
    const config = { base_url: "https://api.example.com" };
    const put = await oneEntry(t.id, async () => {
      const res = await admin(`/admin/tenants/${t.id}/services/billing`, "PUT", "req-svc", {
        uses: "http@^1",
        config,
      });
      expect(res.status, await res.clone().text()).toBe(201);
    });
    expect(put).toMatchObject({
      actor: "admin",
      action: "service.register",
      object: { type: "service", id: "billing" },
    });
    expect(put.changes.service).toMatch(/^sha256:[0-9a-f]{64}$/);
    const byKey = await oneEntry(t.id, () =>
      tool(t.apiKey, "service_register", { name: "crm", uses: "http@^1", config }),
    );
    expect(byKey).toMatchObject({
      actor,
      action: "service.register",
      object: { type: "service", id: "crm" },
    });
    const removed = await oneEntry(t.id, () => tool(t.apiKey, "service_delete", { name: "crm" }));
    expect(removed).toMatchObject({
      actor,
      action: "service.delete",
      object: { type: "service", id: "crm" },
    });
    const byAdmin = await oneEntry(t.id, () =>
      admin(`/admin/tenants/${t.id}/services/billing`, "DELETE", "r"),
    );
    expect(byAdmin).toMatchObject({ actor: "admin", action: "service.delete" });
  });

  it("records a key's publishes, subscriptions, cancels and state updates", async () => {
    const published = await oneEntry(t.id, () => tool(t.apiKey, "workflow_publish", { yaml: GREET }));
    expect(published).toMatchObject({
      actor,
      action: "workflow.publish",
      object: { type: "workflow", id: "demo:greet@1.0.0" },
      changes: { yaml: `sha256:${sha256(GREET)}` },
    });
    // the same text again changes nothing
    await noEntry(t.id, () => tool(t.apiKey, "workflow_publish", { yaml: GREET }));

    let subscriptionId = "";
    const subscribed = await oneEntry(t.id, async () => {
      const made = await tool(t.apiKey, "workflow_subscribe_events", {
        event_pattern: "audit.*",
        workflow: "demo:greet",
      });
      subscriptionId = made.subscription_id as string;
    });
    expect(subscribed).toMatchObject({
      actor,
      action: "subscription.create",
      object: { type: "subscription", id: subscriptionId },
    });
    const unsubscribed = await oneEntry(t.id, () =>
      tool(t.apiKey, "workflow_unsubscribe", { subscription_id: subscriptionId }),
    );
    expect(unsubscribed).toMatchObject({
      actor,
      action: "subscription.delete",
      object: { id: subscriptionId },
    });

    // starting a run is not a change to the tenant's configuration: no entry
    let runId = "";
    await noEntry(t.id, async () => {
      runId = (await tool(t.apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "Ada" } }))
        .workflow_id as string;
    });
    const updates = [{ path: "this.count", value: 7 }];
    const updated = await oneEntry(t.id, () =>
      tool(t.apiKey, "workflow_state_update", { workflow_id: runId, updates }),
    );
    expect(updated).toMatchObject({
      actor,
      action: "run.state_update",
      object: { type: "run", id: runId },
      changes: { updates: `sha256:${sha256(canonicalJson(updates.map((u) => ({ ...u }))))}` },
    });
    const cancelled = await oneEntry(t.id, () => tool(t.apiKey, "workflow_cancel", { workflow_id: runId }));
    expect(cancelled).toMatchObject({ actor, action: "run.cancel", object: { type: "run", id: runId } });
    // cancelling again is refused: the intent entry (written before the RunDO is asked) and its _failed
    const before = (await entriesOf(t.id)).length;
    await callTool(t.apiKey, "workflow_cancel", { workflow_id: runId });
    const refused = (await entriesOf(t.id)).slice(before);
    expect(refused.map((entry) => entry.action)).toEqual(["run.cancel", "run.cancel_failed"]);
  });

  it("holds no secret: not its text, not its hash, in the stored rows or the export", async () => {
    const rows = await runInDurableObject(tenantObject(t.id), (_instance, state) =>
      state.storage.sql.exec("SELECT * FROM audit_log").toArray(),
    );
    expect(rows.length).toBeGreaterThan(10);
    const stored = JSON.stringify(rows);
    const exported = (await exportOf(t.id)).text;
    for (const text of [stored, exported]) {
      expect(text).not.toContain(SECRET_VALUE);
      expect(text).not.toContain(sha256(SECRET_VALUE));
      expect(text).not.toContain(t.apiKey);
      expect(text).not.toContain(t.apiKey.split("_").at(-1));
    }
  });

  it("exports JSONL that `edgeflow audit verify` accepts, every seq once and in order", async () => {
    const { type, text } = await exportOf(t.id);
    expect(type).toContain("application/x-ndjson");
    const entries = await entriesOf(t.id);
    expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, index) => index + 1));
    expect(verifyAuditExport(text)).toEqual({
      ok: true,
      entries: entries.length,
      lastHash: entries.at(-1)!.hash,
    });
  });
});

describe("the chain in storage", () => {
  it("goes on after an eviction of the TenantDO", async () => {
    const t = await newTenant("audit-evict");
    await admin(`/admin/tenants/${t.id}/settings`, "PATCH", "before", { max_runs: 10 });
    await evictDurableObject(tenantObject(t.id));
    await admin(`/admin/tenants/${t.id}/settings`, "PATCH", "after", { max_runs: 20 });
    const entries = await entriesOf(t.id);
    expect(entries.map((entry) => [entry.seq, entry.request_id])).toEqual([
      [1, expect.any(String)],
      [2, "before"],
      [3, "after"],
    ]);
    expect(entries[2]!.prev_hash).toBe(entries[1]!.hash);
    expect(verifyAuditExport((await exportOf(t.id)).text).ok).toBe(true);
  });

  it.each([
    ["object_id", 3],
    ["actor", 2],
    ["changes", 4],
    ["hash", 3],
    ["prev_hash", 2],
    ["request_id", 4],
  ])("one flipped byte of %s in stored entry %i fails verify at that entry", async (column, seq) => {
    const t = await newTenant("audit-flip");
    for (const days of [5, 6, 7]) {
      await admin(`/admin/tenants/${t.id}/settings`, "PATCH", `req-${days}`, { run_retention_days: days });
    }
    expect(verifyAuditExport((await exportOf(t.id)).text).ok).toBe(true);
    await runInDurableObject(tenantObject(t.id), (_instance, state) => {
      const sql = state.storage.sql;
      const value = sql
        .exec<{ value: string }>(`SELECT ${column} AS value FROM audit_log WHERE seq = ?`, seq)
        .one().value;
      // flip the last byte's lowest bit: still text, one byte different
      const flipped = value.slice(0, -1) + String.fromCharCode(value.charCodeAt(value.length - 1) ^ 1);
      sql.exec(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`, flipped, seq);
    });
    const verdict = verifyAuditExport((await exportOf(t.id)).text);
    expect(verdict).toMatchObject({ ok: false, line: seq });
  });
});

describe("a change and its entry commit together", () => {
  it("commits no change whose entry could not be appended", async () => {
    const t = await newTenant("audit-atomic");
    await tool(t.apiKey, "workflow_publish", { yaml: GREET });
    // a storage fault on the audit table only: every append fails
    await runInDurableObject(tenantObject(t.id), (_instance, state) => {
      state.storage.sql.exec(
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END",
      );
    });
    const settings = await admin(`/admin/tenants/${t.id}/settings`, "PATCH", "r", { run_retention_days: 3 });
    expect(settings.status).toBe(500);
    const secret = await admin(`/admin/tenants/${t.id}/secrets/TOKEN`, "PUT", "r", { value: "s3cret-value" });
    expect(secret.status).toBe(500);
    const key = await admin(`/admin/tenants/${t.id}/keys`, "POST", "r", {});
    expect(key.status).toBe(500);
    const subscribed = await callTool(t.apiKey, "workflow_subscribe_events", {
      event_pattern: "x.*",
      workflow: "demo:greet",
    });
    expect(subscribed.isError).toBe(true);
    const published = await callTool(t.apiKey, "workflow_publish", { yaml: GREET.replace("1.0.0", "1.0.1") });
    expect(published.isError).toBe(true);
    await runInDurableObject(tenantObject(t.id), (_instance, state) => {
      state.storage.sql.exec("DROP TRIGGER refuse_audit");
    });
    const described = (await (await adminFetch(`/admin/tenants/${t.id}`)).json()) as {
      settings: Record<string, unknown>;
      keys: unknown[];
    };
    expect(described.settings.run_retention_days).toBeUndefined();
    expect(described.keys.length).toBe(1);
    const secrets = (await (await adminFetch(`/admin/tenants/${t.id}/secrets`)).json()) as {
      secrets: unknown[];
    };
    expect(secrets.secrets).toEqual([]);
    const listed = await tool(t.apiKey, "workflow_list_subscriptions", {});
    expect(listed.count).toBe(0);
    const info = await tool(t.apiKey, "workflow_get_info", { workflow: "demo:greet" });
    expect(info.versions).toEqual(["1.0.0"]);
    expect((await entriesOf(t.id)).map((entry) => entry.action)).toEqual([
      "tenant.create",
      "workflow.publish",
    ]);
  });
});

describe("workflow_audit", () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await newTenant("audit-read");
    for (const days of [1, 2, 3, 4, 5]) {
      await admin(`/admin/tenants/${t.id}/settings`, "PATCH", `req-${days}`, { run_retention_days: days });
    }
    await tool(t.apiKey, "workflow_publish", { yaml: GREET });
  });

  it("pages newest first by default, with a cursor", async () => {
    const first = await tool(t.apiKey, "workflow_audit", { limit: 3 });
    const firstSeqs = (first.entries as AuditEntry[]).map((entry) => entry.seq);
    expect(firstSeqs).toEqual([7, 6, 5]);
    const second = await tool(t.apiKey, "workflow_audit", { limit: 3, cursor: first.next_cursor });
    expect((second.entries as AuditEntry[]).map((entry) => entry.seq)).toEqual([4, 3, 2]);
    const last = await tool(t.apiKey, "workflow_audit", { limit: 3, cursor: second.next_cursor });
    expect((last.entries as AuditEntry[]).map((entry) => entry.seq)).toEqual([1]);
    expect(last.next_cursor).toBeUndefined();
  });

  it("reads oldest first, filters by action and by time", async () => {
    const oldest = await tool(t.apiKey, "workflow_audit", { order: "oldest_first", limit: 2 });
    expect((oldest.entries as AuditEntry[]).map((entry) => entry.action)).toEqual([
      "tenant.create",
      "settings.update",
    ]);
    const publishes = await tool(t.apiKey, "workflow_audit", { action: "workflow.publish" });
    expect((publishes.entries as AuditEntry[]).map((entry) => [entry.seq, entry.actor])).toEqual([
      [7, `key:${t.keyId}`],
    ]);
    const all = (await tool(t.apiKey, "workflow_audit", { limit: 200 })).entries as AuditEntry[];
    const future = await tool(t.apiKey, "workflow_audit", { since: "2999-01-01T00:00:00Z" });
    expect(future.entries).toEqual([]);
    const past = await tool(t.apiKey, "workflow_audit", { until: "2000-01-01T00:00:00Z" });
    expect(past.entries).toEqual([]);
    const from = all.at(-1)!.at;
    const since = await tool(t.apiKey, "workflow_audit", { since: from, limit: 200 });
    expect((since.entries as AuditEntry[]).length).toBe(all.length);
  });

  it("refuses a cursor it did not hand out", async () => {
    const call = await callTool(t.apiKey, "workflow_audit", { cursor: "x'; DROP TABLE audit_log" });
    expect(toolErrorOf(call)).toMatchObject({ code: "audit.invalid_cursor", path: "cursor" });
  });
});

describe("the run transition log", () => {
  it("names the key, the event or the system behind each transition", async () => {
    const t = await newTenant("audit-actor");
    await tool(t.apiKey, "workflow_publish", {
      yaml: GREET.replace(
        'version: "1.0.0"',
        'version: "1.0.0"\ntriggers:\n  - type: event\n    event_type: "audit.go"\n    inputs_mapping:\n      name: "payload.who"',
      ),
    });
    const runId = (
      await tool(t.apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "Ada" } })
    ).workflow_id as string;
    await tool(t.apiKey, "workflow_get_next_step", { workflow_id: runId });
    await tool(t.apiKey, "workflow_cancel", { workflow_id: runId });
    const byKey = await transitionsOf(t.id, runId);
    expect(byKey.map((row) => [row.event, row.actor])).toEqual([
      ["start", `key:${t.keyId}`],
      ...byKey.slice(1, -1).map((row) => [row.event, `key:${t.keyId}`]),
      ["cancel", `key:${t.keyId}`],
    ]);
    const posted = await postEvent(t.apiKey, { type: "audit.go", payload: { who: "Ada" } });
    expect(posted.status).toBe(202);
    const settled = await settledEvent(t.apiKey, posted.body.event_id!);
    expect(
      settled.matches.map((match) => match.outcome),
      JSON.stringify(settled),
    ).toEqual(["started"]);
    const started = settled.matches[0]!.workflow_id!;
    expect((await transitionsOf(t.id, started))[0]).toMatchObject({ event: "start", actor: "event" });
  });
});

describe("the run transition log of a timer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("names the system for what the run does on its own", async () => {
    const t = await newTenant("audit-timer");
    await tool(t.apiKey, "workflow_publish", { yaml: SLEEPER });
    const runId = (await tool(t.apiKey, "workflow_start", { workflow: "demo:sleeper" }))
      .workflow_id as string;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await runDurableObjectAlarm(runObject(t.id, runId))).toBe(true);
    expect((await transitionsOf(t.id, runId)).map((row) => [row.event, row.actor])).toEqual([
      ["start", `key:${t.keyId}`],
      ["timers", "system"],
    ]);
  });
});

describe("the run transition log of a scheduled run", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("names the schedule", async () => {
    // a fake clock in the future: workerd clamps an alarm set in the (real) past to the real now
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-15T12:01:00Z"));
    const t = await newTenant("audit-cron");
    await tool(t.apiKey, "workflow_publish", {
      yaml: `name: "cron:job"
description: "Runs on a schedule"
version: "1.0.0"
triggers:
  - id: tick
    type: schedule
    cron: "*/5 * * * *"
steps:
  - id: "say"
    type: "user_message"
    message: "tick"
`,
    });
    vi.setSystemTime(new Date("2030-01-15T12:05:00.400Z"));
    expect(await runDurableObjectAlarm(tenantObject(t.id))).toBe(true);
    const [fire] = (await callTool(t.apiKey, "workflow_events", { type: "schedule" })).structured.events as {
      event_id: string;
    }[];
    const settled = await settledEvent(t.apiKey, fire!.event_id);
    const runId = settled.matches[0]!.workflow_id!;
    expect((await transitionsOf(t.id, runId))[0]).toMatchObject({ event: "start", actor: "schedule" });
  });
});

async function transitionsOf(
  tenant: string,
  runId: string,
): Promise<{ event: string; actor: string | null }[]> {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) =>
    state.storage.sql
      .exec<{ event: string; actor: string | null }>("SELECT event, actor FROM transitions ORDER BY seq")
      .toArray(),
  );
}
