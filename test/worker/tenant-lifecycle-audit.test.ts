/**
 * The lifecycle actions are audited (docs/operations.md, "Tenant lifecycle" and "Audit log"):
 * suspend and resume append `tenant.suspend` / `tenant.resume` to the tenant's own hash-chained
 * log (actor `admin`, the request id, the reason only as a digest); resuming an active tenant
 * changes nothing and records nothing. A deletion erases the tenant's log with the tenant, so it
 * is recorded as one JSON line in the worker's log, without any secret.
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyAuditExport } from "../../cli/audit/verify-export.ts";
import type { AuditEntry } from "../../engine/audit/audit-entry.ts";
import { adminFetch, newTenant } from "./support/clients.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

async function exportText(tenant: string): Promise<string> {
  const res = await adminFetch(`/admin/tenants/${tenant}/audit`);
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer());
}

async function entriesOf(tenant: string): Promise<AuditEntry[]> {
  return (await exportText(tenant))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as AuditEntry);
}

function admin(path: string, method: string, requestId: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { "x-request-id": requestId } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return adminFetch(path, init);
}

describe("lifecycle actions in the audit log", () => {
  it("suspend and resume each append one entry; a second resume appends none; the chain verifies", async () => {
    const tenant = await newTenant("lca");
    const before = (await entriesOf(tenant.id)).length;
    const reason = "invoice overdue";

    expect(
      (await admin(`/admin/tenants/${tenant.id}/suspend`, "POST", "req-suspend-1", { reason })).status,
    ).toBe(200);
    expect((await admin(`/admin/tenants/${tenant.id}/resume`, "POST", "req-resume-1", {})).status).toBe(200);
    expect((await admin(`/admin/tenants/${tenant.id}/resume`, "POST", "req-resume-2", {})).status).toBe(200);

    const added = (await entriesOf(tenant.id)).slice(before);
    expect(added.map((entry) => [entry.action, entry.actor, entry.request_id, entry.object])).toEqual([
      ["tenant.suspend", "admin", "req-suspend-1", { type: "tenant", id: tenant.id }],
      ["tenant.resume", "admin", "req-resume-1", { type: "tenant", id: tenant.id }],
    ]);
    // text is hashed as its UTF-8 bytes (docs/operations.md, "Audit log")
    const reasonDigest = createHash("sha256").update(reason, "utf8").digest("hex");
    expect(added[0]?.changes).toEqual({ reason: `sha256:${reasonDigest}` });
    const text = await exportText(tenant.id);
    expect(text).not.toContain(reason);
    expect(verifyAuditExport(text)).toMatchObject({ ok: true });
  });

  it("a deletion is one JSON line in the worker's log: action, tenant, actor, request id, no secret", async () => {
    const tenant = await newTenant("lcd");
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
    const deleted = await admin(`/admin/tenants/${tenant.id}`, "DELETE", "req-delete-1");
    expect(deleted.status).toBe(200);
    // a repeated DELETE of a deleted tenant is a 404 and logs nothing more
    expect((await admin(`/admin/tenants/${tenant.id}`, "DELETE", "req-delete-2")).status).toBe(404);

    const records = lines.filter((line) => line.includes('"audit":"tenant.delete"'));
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0]!)).toMatchObject({
      audit: "tenant.delete",
      tenant: tenant.id,
      actor: "admin",
      request_id: "req-delete-1",
    });
    expect(records[0]).not.toContain(tenant.apiKey);
  });
});
