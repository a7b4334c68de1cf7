/**
 * Attack (session 7, issue 16): the `/mcp` entry no longer checks an API key's hash
 * (`worker/keys/presented-key.ts`); it only checks the shape and that the tenant is registered (a
 * ≤ 1 s per-isolate memo), and the TenantDO's `authenticate` checks the hash in the admitting call
 * (`worker/oauth/grant-props.ts`). A hostile caller tries the gaps this opens: another tenant's
 * key re-shaped with a warm tenant's id, a forged secret behind a real key id (which must neither
 * pass nor spend that key's rate-limit bucket), a forged key of a suspended tenant (which must not
 * learn the tenant is suspended), and a run id another tenant just confirmed (the known-runs memo).
 * Each assertion is the secure behaviour.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminFetch, newTenant, readRpcBody, type ToolCall, toolCallOf } from "./support/clients.ts";
import { grantWithKey, toolCallError } from "./support/oauth-client.ts";
import { setSettings } from "./support/rate-limits.ts";

/**
 * An origin where OAuth is offered (https): only there does `/mcp` go through the OAuth provider's
 * `resolveExternalToken` (worker/oauth/entry.ts), the path issue 16 changed. The shared helpers'
 * `http://edgeflow.test` serves API keys without the provider and never reaches that path.
 */
const OAUTH_ORIGIN = "https://edgeflow.test";

function mcpRaw(apiKey: string, body: string, init: { method?: string } = {}): Promise<Response> {
  return SELF.fetch(`${OAUTH_ORIGIN}/mcp`, {
    method: init.method ?? "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      authorization: `Bearer ${apiKey}`,
    },
    ...(init.method === "GET" || init.method === "DELETE" ? {} : { body }),
  });
}

let callId = 0;
async function callTool(apiKey: string, name: string, args: Record<string, unknown> = {}): Promise<ToolCall> {
  callId += 1;
  const res = await mcpRaw(
    apiKey,
    JSON.stringify({ jsonrpc: "2.0", id: callId, method: "tools/call", params: { name, arguments: args } }),
  );
  const body = await readRpcBody(res);
  if (res.status !== 200 || body.result === undefined) {
    throw new Error(`tools/call ${name} failed: ${res.status} ${JSON.stringify(body)}`);
  }
  return toolCallOf(body.result as Parameters<typeof toolCallOf>[0]);
}

const ONE_STEP = `name: "atk:hot"
description: "one pending client step"
version: "1.0.0"
steps:
  - id: "work"
    type: "mcp_call"
    tool: "noop"
`;

async function startedRun(apiKey: string): Promise<string> {
  await callTool(apiKey, "workflow_publish", { yaml: ONE_STEP });
  const started = await callTool(apiKey, "workflow_start", { workflow: "atk:hot" });
  expect(started.isError, started.text).toBe(false);
  return String(started.structured.workflow_id);
}

let rpc = 0;
async function nextStep(
  apiKey: string,
  runId: string,
): Promise<{ status: number; code: unknown; toolCode?: unknown }> {
  rpc += 1;
  const res = await mcpRaw(
    apiKey,
    JSON.stringify({
      jsonrpc: "2.0",
      id: rpc,
      method: "tools/call",
      params: { name: "workflow_get_next_step", arguments: { workflow_id: runId } },
    }),
  );
  const body = (await readRpcBody(res)) as {
    error?: { code?: unknown };
    result?: Parameters<typeof toolCallOf>[0];
  };
  const call = body.result === undefined ? undefined : toolCallOf(body.result);
  return {
    status: res.status,
    code: body.error?.code,
    ...(call?.isError ? { toolCode: (call.structured as { error?: { code?: unknown } }).error?.code } : {}),
  };
}

/** `efk_<tenant>_<keyId>_<secret>` split in its parts. */
function partsOf(key: string): { tenant: string; keyId: string; secret: string } {
  const [, rest] = key.split(/^efk_/);
  const secret = key.slice(key.length - 43);
  const keyId = key.slice(key.length - 43 - 1 - 16, key.length - 43 - 1);
  const tenant = (rest ?? "").slice(0, (rest ?? "").length - 43 - 1 - 16 - 1);
  return { tenant, keyId, secret };
}

function forgedSecret(secret: string): string {
  return (secret[0] === "A" ? "B" : "A") + secret.slice(1);
}

describe("attack: the single key check on /mcp", () => {
  it("refuses tenant A's key re-shaped with tenant B's id while B's registry memo is warm", async () => {
    const a = await newTenant("atk-a");
    const b = await newTenant("atk-b");
    const runB = await startedRun(b.apiKey);
    // warm B's registry memo (and known-runs memo) in this isolate
    expect((await nextStep(b.apiKey, runB)).status).toBe(200);
    const { keyId, secret } = partsOf(a.apiKey);
    const reshaped = `efk_${b.id}_${keyId}_${secret}`;
    expect(await nextStep(reshaped, runB)).toEqual({ status: 401, code: "auth.invalid_key" });
    // B's own key id with A's secret: still not B's key
    const mixed = `efk_${b.id}_${partsOf(b.apiKey).keyId}_${secret}`;
    expect(await nextStep(mixed, runB)).toEqual({ status: 401, code: "auth.invalid_key" });
  });

  it("a forged secret behind a real key id is refused and spends none of that key's rate limit", async () => {
    const t = await newTenant("atk-rl");
    const runId = await startedRun(t.apiKey);
    await setSettings(t.id, { rate_limit_mcp_per_minute: 3 });
    const { tenant, keyId, secret } = partsOf(t.apiKey);
    const forged = `efk_${tenant}_${keyId}_${forgedSecret(secret)}`;
    for (let i = 0; i < 10; i += 1) {
      expect(await nextStep(forged, runId)).toEqual({ status: 401, code: "auth.invalid_key" });
    }
    // the real key's bucket is untouched by the ten forged requests
    const real = await nextStep(t.apiKey, runId);
    expect(real.status).toBe(200);
    expect(real.toolCode).toBeUndefined();
  });

  it("a forged key of a suspended tenant is told invalid_key, never tenant.suspended", async () => {
    const t = await newTenant("atk-susp");
    const runId = await startedRun(t.apiKey);
    expect((await nextStep(t.apiKey, runId)).status).toBe(200);
    const suspended = await adminFetch(`/admin/tenants/${t.id}/suspend`, {
      method: "POST",
      body: JSON.stringify({ reason: "attack" }),
    });
    expect(suspended.status).toBe(200);
    const { tenant, keyId, secret } = partsOf(t.apiKey);
    const forged = `efk_${tenant}_${keyId}_${forgedSecret(secret)}`;
    expect(await nextStep(forged, runId)).toEqual({ status: 401, code: "auth.invalid_key" });
    expect(await nextStep(t.apiKey, runId)).toEqual({ status: 403, code: "tenant.suspended" });
  });

  it("tenant B cannot reach a run tenant A confirmed a moment ago (known-runs memo)", async () => {
    const a = await newTenant("atk-runa");
    const b = await newTenant("atk-runb");
    const runA = await startedRun(a.apiKey);
    await callTool(b.apiKey, "workflow_publish", { yaml: ONE_STEP });
    expect((await nextStep(a.apiKey, runA)).status).toBe(200);
    const stolen = await callTool(b.apiKey, "workflow_get_next_step", { workflow_id: runA });
    expect(stolen.isError).toBe(true);
    expect(stolen.text).toContain("run.not_found");
  });

  it("a deleted tenant recreated under the same id does not inherit a run confirmed for the old one", async () => {
    const old = await newTenant("atk-reuse");
    const runId = await startedRun(old.apiKey);
    expect((await nextStep(old.apiKey, runId)).status).toBe(200);
    const deleted = await adminFetch(`/admin/tenants/${old.id}`, { method: "DELETE" });
    expect(deleted.status).toBeLessThan(300);
    const again = await adminFetch("/admin/tenants", {
      method: "POST",
      body: JSON.stringify({ id: old.id }),
    });
    expect(again.status).toBe(201);
    const freshKey = ((await again.json()) as { apiKey: string }).apiKey;
    // the old key is refused; the new tenant's key cannot reach the old tenant's run
    expect(await nextStep(old.apiKey, runId)).toEqual({ status: 401, code: "auth.invalid_key" });
    const reused = await callTool(freshKey, "workflow_get_next_step", { workflow_id: runId });
    expect(reused.isError).toBe(true);
    expect(reused.text).toContain("run.not_found");
  });

  it("does not tell a registered tenant from an unknown one to a caller with no valid key", async () => {
    const t = await newTenant("atk-enum");
    const { keyId, secret } = partsOf(t.apiKey);
    const forged = `efk_${t.id}_${keyId}_${forgedSecret(secret)}`;
    const unknown = `efk_no-such-tenant-${crypto.randomUUID().slice(0, 8)}_${keyId}_${secret}`;
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    const probes: [string, string, { method?: string }][] = [
      ["POST ping", ping, {}],
      ["POST oversized", "x".repeat(1_100_000), {}],
      ["GET", "", { method: "GET" }],
      ["DELETE", "", { method: "DELETE" }],
    ];
    const shapeOf = async (res: Response) => ({
      status: res.status,
      headers: [...res.headers.keys()].filter((name) => name !== "date").sort(),
      body: await res.text(),
    });
    for (const [label, body, init] of probes) {
      const registered = await shapeOf(await mcpRaw(forged, body, init));
      const nobody = await shapeOf(await mcpRaw(unknown, body, init));
      expect({ label, ...registered }).toEqual({ label, ...nobody });
    }
  });

  it("on the provider path, a revoked key is refused on the next call, and so is a grant it approved", async () => {
    const t = await newTenant("atk-revoke");
    const runId = await startedRun(t.apiKey);
    const { tokens } = await grantWithKey(t.apiKey);
    expect((await nextStep(t.apiKey, runId)).status).toBe(200);
    expect(
      await toolCallError(tokens.access_token, "workflow_get_next_step", { workflow_id: runId }),
    ).toBeNull();
    const revoked = await adminFetch(`/admin/tenants/${t.id}/keys/${t.keyId}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect(await nextStep(t.apiKey, runId)).toEqual({ status: 401, code: "auth.invalid_key" });
    expect(await nextStep(tokens.access_token, runId)).toMatchObject({
      status: 401,
      code: "auth.invalid_token",
    });
  });

  it("on the provider path, a read-only grant cannot call a write tool, and an API key of the same tenant still can", async () => {
    const t = await newTenant("atk-scope");
    const runId = await startedRun(t.apiKey);
    const { tokens } = await grantWithKey(t.apiKey, ["runs:read"]);
    const refused = await toolCallError(tokens.access_token, "workflow_cancel", { workflow_id: runId });
    expect(refused?.code).toBe("auth.insufficient_scope");
    expect((await nextStep(t.apiKey, runId)).status).toBe(200);
  });
});
