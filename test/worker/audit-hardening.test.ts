/**
 * The audit log after the attacker review of issue 15: each block names the finding it closes
 * (the reproductions passed on the code before these fixes).
 */

import { runInDurableObject } from "cloudflare:test";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyAuditExport } from "../../cli/audit/verify-export.ts";
import { changeDigest } from "../../engine/audit/audit-chain.ts";
import type { AuditEntry } from "../../engine/audit/audit-entry.ts";
import { parseChainHead } from "../../engine/audit/chain-verifier.ts";
import { adminFetch, callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { postEvent, settledEvent } from "./support/events.ts";
import { runObject } from "./support/runs.ts";
import { GREET } from "./support/workflows.ts";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

async function entriesOf(tenant: string): Promise<AuditEntry[]> {
  const res = await adminFetch(`/admin/tenants/${tenant}/audit`);
  expect(res.status).toBe(200);
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as AuditEntry);
}

async function transitionsOf(tenant: string, runId: string) {
  return runInDurableObject(runObject(tenant, runId), (_instance, state) =>
    state.storage.sql
      .exec<{ event: string; actor: string | null }>("SELECT event, actor FROM transitions ORDER BY seq")
      .toArray(),
  );
}

async function startedRun(prefix: string) {
  const t = await newTenant(prefix);
  const pub = await callTool(t.apiKey, "workflow_publish", { yaml: GREET });
  expect(pub.isError, pub.text).toBe(false);
  const started = await callTool(t.apiKey, "workflow_start", {
    workflow: "demo:greet",
    inputs: { name: "Ada" },
  });
  return { t, runId: started.structured.workflow_id as string };
}

describe("finding 1: a run change is never committed without its audit entry", () => {
  it("updates holding 1e999 (a JSON-string argument) are input.invalid and change nothing", async () => {
    const { t, runId } = await startedRun("hard-inf");
    const before = await entriesOf(t.id);
    const transitionsBefore = await transitionsOf(t.id, runId);
    const call = await callTool(t.apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: '[{"path":"global.hidden","value":1e999}]',
    });
    expect(call.isError).toBe(true);
    expect(toolErrorOf(call).code).toBe("input.invalid");
    expect(await transitionsOf(t.id, runId)).toEqual(transitionsBefore);
    expect(await entriesOf(t.id)).toEqual(before);
  });

  it("the entry is written before the RunDO applies the change; a refused change is followed by _failed", async () => {
    const { t, runId } = await startedRun("hard-intent");
    const first = await callTool(t.apiKey, "workflow_cancel", { workflow_id: runId });
    expect(first.isError, first.text).toBe(false);
    const again = await callTool(t.apiKey, "workflow_cancel", { workflow_id: runId });
    expect(again.isError).toBe(true);
    const runEntries = (await entriesOf(t.id)).filter((entry) => entry.object.type === "run");
    expect(runEntries.map((entry) => entry.action)).toEqual([
      "run.cancel",
      "run.cancel",
      "run.cancel_failed",
    ]);
    expect(runEntries[2]).toMatchObject({ actor: `key:${t.keyId}`, object: { type: "run", id: runId } });
    const cancels = (await transitionsOf(t.id, runId)).filter((row) => row.event === "cancel");
    expect(cancels).toEqual([{ event: "cancel", actor: `key:${t.keyId}` }]);
  });
});

describe("finding 2: a hashed value JSON cannot hold is a coded 400, not a 500", () => {
  it("PATCH settings with 1e999 is 400 input.invalid and appends nothing", async () => {
    const t = await newTenant("hard-500");
    const before = await entriesOf(t.id);
    const res = await adminFetch(`/admin/tenants/${t.id}/settings`, {
      method: "PATCH",
      body: '{"note": 1e999}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("input.invalid");
    expect(await entriesOf(t.id)).toEqual(before);
  });

  it("a service config with -1e999 is 400 input.invalid", async () => {
    const t = await newTenant("hard-svc");
    const res = await adminFetch(`/admin/tenants/${t.id}/services/api`, {
      method: "PUT",
      body: '{"base_url":"https://api.example.com","timeout_ms":-1e999}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("input.invalid");
  });
});

describe("finding 3: every entry written is one the readers and verify accept", () => {
  it("a workflow name longer than an object id may be is recorded as its digest; workflow_audit and verify pass", async () => {
    const t = await newTenant("hard-long");
    const name = `${"a".repeat(4100)}:b`;
    const yaml = GREET.replace('"demo:greet"', `"${name}"`);
    const pub = await callTool(t.apiKey, "workflow_publish", { yaml });
    expect(pub.isError, pub.text).toBe(false);
    const read = await callTool(t.apiKey, "workflow_audit", {});
    expect(read.isError, read.text).toBe(false);
    const res = await adminFetch(`/admin/tenants/${t.id}/audit`);
    const text = new TextDecoder().decode(await res.arrayBuffer());
    expect(verifyAuditExport(text)).toMatchObject({ ok: true, entries: 2 });
    const published = (await entriesOf(t.id)).find((entry) => entry.action === "workflow.publish");
    expect(published?.object).toEqual({ type: "workflow", id: changeDigest(`${name}@1.0.0`, sha256) });
  });
});

describe("finding 4: a run's start actor comes from the event's source, never its id", () => {
  const EVENT_GREET = GREET.replace(
    'version: "1.0.0"',
    'version: "1.0.0"\ntriggers:\n  - type: event\n    event_type: "atk.go"\n    inputs_mapping:\n      name: "payload.who"',
  );

  it("a posted event id starting with schedule: is refused with events.reserved_id", async () => {
    const t = await newTenant("hard-actor");
    expect((await callTool(t.apiKey, "workflow_publish", { yaml: EVENT_GREET })).isError).toBe(false);
    const posted = await postEvent(t.apiKey, {
      id: "schedule:nightly",
      type: "atk.go",
      payload: { who: "Eve" },
    });
    expect(posted.status).toBe(400);
    expect((posted.body as unknown as { error: { code: string; path?: string } }).error).toMatchObject({
      code: "events.reserved_id",
    });
  });

  it("a posted event starts a run whose first transition is by actor event", async () => {
    const t = await newTenant("hard-actor2");
    expect((await callTool(t.apiKey, "workflow_publish", { yaml: EVENT_GREET })).isError).toBe(false);
    const posted = await postEvent(t.apiKey, { id: "nightly", type: "atk.go", payload: { who: "Eve" } });
    expect(posted.status).toBe(202);
    const settled = await settledEvent(t.apiKey, posted.body.event_id!);
    const runId = settled.matches[0]!.workflow_id!;
    expect((await transitionsOf(t.id, runId))[0]).toMatchObject({ event: "start", actor: "event" });
  });
});

describe("finding 5: a change that changes nothing records nothing", () => {
  it("revoking an already revoked key appends no second key.revoke", async () => {
    const t = await newTenant("hard-revoke");
    const res = await adminFetch(`/admin/tenants/${t.id}/keys`, {
      method: "POST",
      body: JSON.stringify({ label: "x" }),
    });
    const keyId = ((await res.json()) as { key: { id: string } }).key.id;
    const r1 = await adminFetch(`/admin/tenants/${t.id}/keys/${keyId}`, { method: "DELETE" });
    const r2 = await adminFetch(`/admin/tenants/${t.id}/keys/${keyId}`, { method: "DELETE" });
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const revokes = (await entriesOf(t.id)).filter((entry) => entry.action === "key.revoke");
    expect(revokes.map((entry) => entry.object.id)).toEqual([keyId]);
  });

  it("an empty settings patch, or one that sets what is already set, appends no settings.update", async () => {
    const t = await newTenant("hard-noop");
    const patch = (body: unknown) =>
      adminFetch(`/admin/tenants/${t.id}/settings`, { method: "PATCH", body: JSON.stringify(body) });
    expect((await patch({})).status).toBe(200);
    expect((await patch({ note: "x" })).status).toBe(200);
    expect((await patch({ note: "x" })).status).toBe(200);
    const updates = (await entriesOf(t.id)).filter((entry) => entry.action === "settings.update");
    expect(updates).toHaveLength(1);
  });
});

describe("finding 7: the export names its head", () => {
  it("X-Audit-Head is <seq>:<hash> of the newest entry, and the export verifies against it", async () => {
    const t = await newTenant("hard-head");
    expect((await callTool(t.apiKey, "workflow_publish", { yaml: GREET })).isError).toBe(false);
    const res = await adminFetch(`/admin/tenants/${t.id}/audit`);
    const head = res.headers.get("x-audit-head") ?? "";
    const text = new TextDecoder().decode(await res.arrayBuffer());
    const newest = (await entriesOf(t.id)).at(-1)!;
    expect(head).toBe(`${newest.seq}:${newest.hash}`);
    expect(verifyAuditExport(text, parseChainHead(head))).toMatchObject({ ok: true, entries: newest.seq });
    const cut = text.split("\n").slice(0, 1).join("\n");
    expect(verifyAuditExport(`${cut}\n`, parseChainHead(head))).toMatchObject({ ok: false });
  });
});
