/**
 * Issue 15's guardrails on the OAuth path (docs/auth.md, docs/operations.md): a request with an
 * OAuth access token is charged to the tenant's MCP rate limit like an API key's, is refused
 * `403 tenant.suspended` while the tenant is suspended, is named in the audit log by the key that
 * approved its grant (`key:<key id>`) or by its grant (`oauth:<grant id>`), never by a token; and a
 * deleted tenant's grants are revoked, so a token granted before the delete works neither after it
 * nor after the same id is registered again.
 */
import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditEntry } from "../../engine/audit/audit-entry.ts";
import { adminFetch, newTenant } from "./support/clients.ts";
import {
  authorizeUrl,
  grantWithKey,
  newPkce,
  openConsent,
  openSignInLink,
  postConsent,
  REDIRECT_URI,
  registerClient,
  SECURE_BASE,
  secureMcp,
  tokenRequest,
  toolCallError,
} from "./support/oauth-client.ts";
import { freezeInWindow, rateLimitHeadersOf, setSettings } from "./support/rate-limits.ts";
import { GREET, GREET_V2 } from "./support/workflows.ts";

const ALL = ["runs:read", "runs:drive", "workflows:publish"];

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A grant approved with a one-time sign-in link (no API key): its access token. */
async function grantWithSignInLink(tenant: string, scopes = ALL): Promise<string> {
  const issued = await SELF.fetch(`${SECURE_BASE}/admin/tenants/${tenant}/sign-in-links`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
  });
  if (issued.status !== 201) throw new Error(`sign-in link: ${issued.status}`);
  const link = (await issued.json()) as { url: string };
  const opened = await openSignInLink(link.url);
  const client = await registerClient();
  const pkce = await newPkce();
  const url = authorizeUrl(client, pkce);
  const page = await openConsent(url, opened.cookie);
  const approved = await postConsent(url, page, { decision: "approve", scopes });
  const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const res = await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    client_id: client.client_id,
    code_verifier: pkce.verifier,
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function auditEntries(tenant: string): Promise<AuditEntry[]> {
  const res = await adminFetch(`/admin/tenants/${tenant}/audit`);
  expect(res.status).toBe(200);
  return new TextDecoder()
    .decode(await res.arrayBuffer())
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as AuditEntry);
}

async function errorCodeOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("OAuth requests and the MCP rate limit", () => {
  it("charges a key-approved grant's calls: past the limit, the coded tool error with the RateLimit headers", async () => {
    const tenant = await newTenant("ogr");
    const { tokens } = await grantWithKey(tenant.apiKey, ALL);
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 3 });
    freezeInWindow(1);
    for (let i = 0; i < 3; i += 1)
      expect(await toolCallError(tokens.access_token, "workflow_list")).toBeNull();
    const { res, body } = await secureMcp(tokens.access_token, "tools/call", {
      name: "workflow_list",
      arguments: {},
    });
    expect(res.status).toBe(200);
    expect(rateLimitHeadersOf(res.headers)).toEqual({
      "retry-after": "59",
      "ratelimit-policy": '"mcp";q=3;w=60',
      ratelimit: '"mcp";r=0;t=59',
    });
    const result = body?.result as { isError?: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(JSON.parse(result.content[0]!.text)).toMatchObject({
      error: { code: "ratelimit.exceeded", retry_after_ms: 59_000 },
    });
  });

  it("charges a sign-in-link grant's calls to the same tenant limit", async () => {
    const tenant = await newTenant("ogr");
    const token = await grantWithSignInLink(tenant.id);
    await setSettings(tenant.id, { rate_limit_mcp_per_minute: 2 });
    freezeInWindow(1);
    expect(await toolCallError(token, "workflow_list")).toBeNull();
    expect(await toolCallError(token, "workflow_list")).toBeNull();
    expect((await toolCallError(token, "workflow_list"))?.code).toBe("ratelimit.exceeded");
    // an API key of the tenant shares the tenant's window
    expect((await toolCallError(tenant.apiKey, "workflow_list"))?.code).toBe("ratelimit.exceeded");
  });
});

describe("OAuth requests of a suspended tenant", () => {
  it("refuses key-approved and link-approved tokens, and API keys on the OAuth origin, with 403 tenant.suspended", async () => {
    const tenant = await newTenant("ogs");
    const { tokens } = await grantWithKey(tenant.apiKey, ALL);
    const linkToken = await grantWithSignInLink(tenant.id);
    const suspended = await adminFetch(`/admin/tenants/${tenant.id}/suspend`, { method: "POST", body: "{}" });
    expect(suspended.status).toBe(200);

    for (const credential of [tokens.access_token, linkToken, tenant.apiKey]) {
      const { res } = await secureMcp(credential, "tools/call", { name: "workflow_list", arguments: {} });
      expect(res.status).toBe(403);
      expect(await errorCodeOf(res)).toBe("tenant.suspended");
    }

    const resumed = await adminFetch(`/admin/tenants/${tenant.id}/resume`, { method: "POST", body: "{}" });
    expect(resumed.status).toBe(200);
    for (const credential of [tokens.access_token, linkToken, tenant.apiKey]) {
      expect(await toolCallError(credential, "workflow_list")).toBeNull();
    }
  });
});

describe("OAuth requests in the audit log", () => {
  it("names the approving key (key:<key id>) or the grant (oauth:<grant id>), never a token; records link issue and grant revocation", async () => {
    const tenant = await newTenant("oga");
    const { tokens } = await grantWithKey(tenant.apiKey, ALL);
    const linkToken = await grantWithSignInLink(tenant.id);
    expect(await toolCallError(tokens.access_token, "workflow_publish", { yaml: GREET })).toBeNull();
    expect(await toolCallError(linkToken, "workflow_publish", { yaml: GREET_V2 })).toBeNull();

    const publishes = (await auditEntries(tenant.id)).filter((entry) => entry.action === "workflow.publish");
    const grantId = linkToken.split(":")[1];
    expect(publishes.map((entry) => entry.actor)).toEqual([`key:${tenant.keyId}`, `oauth:${grantId}`]);
    const grants = await adminFetch(`/admin/tenants/${tenant.id}/grants`);
    const listed = ((await grants.json()) as { grants: { id: string }[] }).grants.map((grant) => grant.id);
    expect(listed).toContain(grantId);

    // the operator's OAuth changes are audited too: the link issued above, and revoking the grants
    const revoked = await adminFetch(`/admin/tenants/${tenant.id}/grants`, {
      method: "DELETE",
      headers: { "x-request-id": "req-revoke-1" },
    });
    expect(revoked.status).toBe(200);
    const oauthEntries = (await auditEntries(tenant.id)).filter((entry) => entry.object.type === "tenant");
    expect(oauthEntries.map((entry) => [entry.action, entry.actor])).toEqual([
      ["tenant.create", "admin"],
      ["sign_in_link.create", "admin"],
      ["grant.revoke", "admin"],
    ]);
    expect(oauthEntries.at(-1)?.request_id).toBe("req-revoke-1");

    const log = JSON.stringify(await auditEntries(tenant.id));
    for (const secret of [tokens.access_token, linkToken, tenant.apiKey, linkToken.split(":")[2]!]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe("deleting a tenant revokes its OAuth grants", () => {
  it("a token granted before the delete works neither after it nor once the id is registered again", async () => {
    const tenant = await newTenant("ogd");
    const linkToken = await grantWithSignInLink(tenant.id);
    const { tokens } = await grantWithKey(tenant.apiKey, ALL);
    expect(await toolCallError(linkToken, "workflow_list")).toBeNull();

    const deleted = await adminFetch(`/admin/tenants/${tenant.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    for (const token of [linkToken, tokens.access_token]) {
      expect((await secureMcp(token, "tools/list")).res.status).toBe(401);
    }

    // the same id again: the old grants stay revoked (a link grant names only the tenant)
    const again = await adminFetch("/admin/tenants", {
      method: "POST",
      body: JSON.stringify({ id: tenant.id }),
    });
    expect(again.status).toBe(201);
    for (const token of [linkToken, tokens.access_token]) {
      const { res } = await secureMcp(token, "tools/list");
      expect(res.status).toBe(401);
    }
    const grants = await adminFetch(`/admin/tenants/${tenant.id}/grants`);
    expect(((await grants.json()) as { grants: unknown[] }).grants).toEqual([]);
  });
});
