/**
 * @module
 * The audit log for the operator: `GET /admin/tenants/:id/audit` streams every entry as JSONL
 * (one JSON object per line, oldest first, the order the chain is verified in), reading the
 * tenant's DO a page at a time so an export of any length holds one page in memory. The first page
 * is read before the response starts, so an unknown tenant is a 404, not a broken stream; so is the
 * newest entry, sent as `X-Audit-Head: <seq>:<hash>` for `edgeflow audit verify --expect`. Admin
 * changes are recorded as actor `admin` with the request's id (`adminAudit`).
 */
import type { Context } from "hono";
import type { TenantRpc } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AuditContext, AuditPage } from "../../durable-objects/tenant/contracts.ts";
import { auditLine } from "../../engine/audit/audit-chain.ts";
import { GENESIS_HASH } from "../../engine/audit/audit-entry.ts";
import type { AppEnv } from "../app-env.ts";
import type { Env } from "../env.ts";
import { assertTenantId } from "./tenant-id.ts";
import { registeredTenantStub } from "./tenant-registry.ts";

/** Entries read from the DO per round trip of an export. */
export const AUDIT_EXPORT_PAGE = 500;

/** The audit context of an admin request: actor `admin` (never the token), the request id. */
export function adminAudit(c: Context<AppEnv>): AuditContext {
  return { actor: "admin", requestId: c.get("requestId") };
}

export async function exportAudit(env: Env, tenant: string): Promise<Response> {
  assertTenantId(tenant);
  const stub = await registeredTenantStub(env, tenant);
  // the head is read first: every entry up to it is in the export (entries appended meanwhile may follow)
  const head = await readHead(stub, tenant);
  let page: AuditPage | undefined = await readPage(stub, tenant, undefined);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (page === undefined) {
        controller.close();
        return;
      }
      const lines = page.entries.map((entry) => `${auditLine(entry)}\n`).join("");
      if (lines !== "") controller.enqueue(encoder.encode(lines));
      const cursor = page.next_cursor;
      page = cursor === undefined ? undefined : await readPage(stub, tenant, cursor);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
      "x-audit-head": head,
    },
  });
}

/** `<seq>:<hash>` of the newest entry (`0:<64 zeros>` for an empty log): `edgeflow audit verify --expect`. */
async function readHead(stub: TenantRpc, tenant: string): Promise<string> {
  const newest = await unwrap(stub.listAudit(tenant, { order: "newest", limit: 1 }));
  const [entry] = newest.entries;
  return entry === undefined ? `0:${GENESIS_HASH}` : `${entry.seq}:${entry.hash}`;
}

function readPage(stub: TenantRpc, tenant: string, cursor: string | undefined): Promise<AuditPage> {
  const query = {
    order: "oldest" as const,
    limit: AUDIT_EXPORT_PAGE,
    ...(cursor === undefined ? {} : { cursor }),
  };
  return unwrap(stub.listAudit(tenant, query));
}
