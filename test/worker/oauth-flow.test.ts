/**
 * OAuth for MCP clients that add edgeflow by URL (docs/auth.md): discovery metadata, one provider
 * per origin, dynamic registration, PKCE code exchange, refresh, revocation, bad input, and a
 * wrong key answered with a message a person can act on. The consent page: oauth-consent.test.ts.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminFetch, newTenant } from "./support/clients.ts";
import {
  authorizeUrl,
  grantWithKey,
  newPkce,
  openConsent,
  postConsent,
  REDIRECT_URI,
  RESOURCE,
  registerClient,
  SECURE_BASE,
  secureMcp,
  tokenRequest,
} from "./support/oauth-client.ts";

describe("OAuth discovery", () => {
  it("serves protected-resource metadata for /mcp on the request's own origin", async () => {
    const res = await SELF.fetch(`${SECURE_BASE}/.well-known/oauth-protected-resource/mcp`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ resource: RESOURCE, authorization_servers: [SECURE_BASE] });
    // the 127.0.0.1 vs localhost gotcha: each origin names itself
    const local = await SELF.fetch("http://localhost:8787/.well-known/oauth-protected-resource/mcp");
    expect(await local.json()).toMatchObject({ resource: "http://localhost:8787/mcp" });
  });

  it("serves authorization-server metadata with registration, PKCE S256, revocation and the scopes", async () => {
    const res = await SELF.fetch(`${SECURE_BASE}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: SECURE_BASE,
      authorization_endpoint: `${SECURE_BASE}/authorize`,
      token_endpoint: `${SECURE_BASE}/token`,
      registration_endpoint: `${SECURE_BASE}/register`,
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["runs:read", "runs:drive", "workflows:publish"],
    });
    expect(meta.revocation_endpoint).toBe(`${SECURE_BASE}/token`);
  });

  it("answers /mcp without credentials 401 auth.missing_key with a challenge naming the metadata", async () => {
    const { res } = await secureMcp(null, "tools/list");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer realm="edgeflow", resource_metadata="${SECURE_BASE}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("auth.missing_key");
  });

  it("answers a wrong API key 401 auth.invalid_key, saying what to do in the body and the challenge", async () => {
    const { apiKey } = await newTenant("oa");
    for (const wrong of [`${apiKey.slice(0, -4)}AAAA`, "efk_nope", "not-a-key"]) {
      const { res } = await secureMcp(wrong, "tools/list");
      expect(res.status).toBe(401);
      const challenge = res.headers.get("www-authenticate") ?? "";
      expect(challenge).toContain('error="invalid_token"');
      expect(challenge).toContain('error_description="The API key is not valid (unknown or revoked).');
      expect(challenge).toContain(
        `resource_metadata="${SECURE_BASE}/.well-known/oauth-protected-resource/mcp"`,
      );
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("auth.invalid_key");
      expect(body.error.message).toContain("POST /admin/tenants/:id/keys");
    }
  });

  it("keeps API keys working as bearer tokens on an OAuth origin, and a revoked key fails on the next request", async () => {
    const { id, apiKey, keyId } = await newTenant("oa");
    const { res, body } = await secureMcp(apiKey, "tools/list");
    expect(res.status).toBe(200);
    expect((body?.result as { tools: unknown[] } | undefined)?.tools.length).toBeGreaterThan(10);
    await adminFetch(`/admin/tenants/${id}/keys/${keyId}`, { method: "DELETE" });
    expect((await secureMcp(apiKey, "tools/list")).res.status).toBe(401);
  });
});

describe("one provider per origin", () => {
  it("binds a grant made on localhost to localhost, after requests on another origin", async () => {
    const { apiKey } = await newTenant("oa");
    await grantWithKey(apiKey); // https://edgeflow.test first
    const local = "http://localhost:8787";
    const registered = await SELF.fetch(`${local}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "Local",
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: "none",
      }),
    });
    const client = (await registered.json()) as { client_id: string };
    const pkce = await newPkce();
    const url = authorizeUrl(client, pkce)
      .replace(SECURE_BASE, local)
      .replace(encodeURIComponent(RESOURCE), encodeURIComponent(`${local}/mcp`));
    const page = await openConsent(url);
    expect(page.status).toBe(200);
    const approved = await postConsent(url, page, { decision: "approve", apiKey });
    const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const token = await SELF.fetch(`${local}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        client_id: client.client_id,
        code_verifier: pkce.verifier,
      }).toString(),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const call = (base: string) =>
      SELF.fetch(`${base}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${access_token}`,
          host: new URL(base).host, // the MCP handler's DNS-rebinding check wants it on loopback
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    const answer = await call(local);
    expect(answer.status, await answer.clone().text()).toBe(200);
    // the same token at 127.0.0.1 is another resource: refused
    expect((await call("http://127.0.0.1:8787")).status).toBe(401);
  });
});

describe("dynamic client registration", () => {
  it("registers a public client", async () => {
    const client = await registerClient("Claude");
    expect(client.client_id).toMatch(/./);
    expect(client.client_name).toBe("Claude");
  });

  it("refuses malformed registrations and oversized bodies with a 4xx, never a 500", async () => {
    const bodies = [
      "not json",
      "[]",
      JSON.stringify({ redirect_uris: "http://127.0.0.1/cb" }),
      JSON.stringify({ redirect_uris: ["javascript:alert(1)"] }),
      JSON.stringify({ redirect_uris: ["http://evil.example/cb"] }),
      JSON.stringify({ client_name: "x".repeat(2_000_000), redirect_uris: [REDIRECT_URI] }),
    ];
    for (const body of bodies) {
      const res = await SELF.fetch(`${SECURE_BASE}/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(res.status, body.slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(res.status, body.slice(0, 60)).toBeLessThan(500);
    }
  });
});

describe("tokens", () => {
  it("exchanges a code with PKCE once, refuses a wrong verifier, and the token reaches the tenant's tools", async () => {
    const { apiKey } = await newTenant("oa");
    const client = await registerClient();
    const pkce = await newPkce();
    const url = authorizeUrl(client, pkce);
    const page = await openConsent(url);
    const approved = await postConsent(url, page, { decision: "approve", apiKey });
    const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const exchange = {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      client_id: client.client_id,
    };
    const wrong = await tokenRequest({ ...exchange, code_verifier: (await newPkce()).verifier });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_grant");
    const right = await tokenRequest({ ...exchange, code_verifier: pkce.verifier });
    // a failed verifier burns the code (OAuth 2.1): the client starts again
    expect([200, 400]).toContain(right.status);
    const { tokens } = await grantWithKey(apiKey);
    expect(tokens).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(tokens.access_token.split(":")).toHaveLength(3);
    expect(tokens.access_token).not.toContain(apiKey);
    const { res, body } = await secureMcp(tokens.access_token, "tools/list");
    expect(res.status).toBe(200);
    expect((body?.result as { tools: unknown[] } | undefined)?.tools.length).toBeGreaterThan(10);
  });

  it("refreshes, rotating the refresh token", async () => {
    const { apiKey } = await newTenant("oa");
    const { client, tokens } = await grantWithKey(apiKey);
    const res = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: client.client_id,
    });
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as { access_token: string; refresh_token: string };
    expect(fresh.refresh_token).not.toBe(tokens.refresh_token);
    expect((await secureMcp(fresh.access_token, "tools/list")).res.status).toBe(200);
  });

  it("revokes a token at the revocation endpoint, and the admin revokes all of a tenant's grants", async () => {
    const { id, apiKey } = await newTenant("oa");
    const first = await grantWithKey(apiKey);
    const revoked = await tokenRequest({
      token: first.tokens.access_token,
      client_id: first.client.client_id,
    });
    expect(revoked.status).toBe(200);
    const after = await secureMcp(first.tokens.access_token, "tools/list");
    expect(after.res.status).toBe(401);
    const body = (await after.res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("auth.invalid_token");
    expect(after.res.headers.get("www-authenticate")).toContain('error="invalid_token"');

    const second = await grantWithKey(apiKey);
    const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}` };
    const listed = (await (
      await SELF.fetch(`${SECURE_BASE}/admin/tenants/${id}/grants`, { headers: admin })
    ).json()) as {
      grants: { client_id: string; signed_in_with: string }[];
    };
    expect(listed.grants.map((grant) => grant.client_id)).toContain(second.client.client_id);
    expect(listed.grants.every((grant) => grant.signed_in_with === "api_key")).toBe(true);
    const removed = await SELF.fetch(`${SECURE_BASE}/admin/tenants/${id}/grants`, {
      method: "DELETE",
      headers: admin,
    });
    expect(((await removed.json()) as { revoked: number }).revoked).toBeGreaterThanOrEqual(1);
    expect((await secureMcp(second.tokens.access_token, "tools/list")).res.status).toBe(401);
    const refresh = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: second.tokens.refresh_token,
      client_id: second.client.client_id,
    });
    expect(refresh.status).toBe(400);
  });

  it("stops a grant when the API key it was approved with is revoked, or its tenant is gone", async () => {
    const { id, apiKey, keyId } = await newTenant("oa");
    const { tokens } = await grantWithKey(apiKey);
    expect((await secureMcp(tokens.access_token, "tools/list")).res.status).toBe(200);
    await adminFetch(`/admin/tenants/${id}/keys/${keyId}`, { method: "DELETE" });
    const after = await secureMcp(tokens.access_token, "tools/list");
    expect(after.res.status).toBe(401);
    expect(((await after.res.json()) as { error: { code: string } }).error.code).toBe("auth.invalid_token");

    const other = await newTenant("oa");
    const granted = await grantWithKey(other.apiKey);
    await env.TENANTS.delete(`tenant:${other.id}`); // what deleting a tenant does first
    expect((await secureMcp(granted.tokens.access_token, "tools/list")).res.status).toBe(401);
  });
});

describe("bad input on the OAuth endpoints", () => {
  it("answers garbage with a 4xx, never a 500", async () => {
    const requests: [string, RequestInit][] = [
      ["/token", { method: "POST", body: "not a form" }],
      [
        "/token",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"grant_type":"authorization_code"}',
        },
      ],
      [
        "/token",
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=password&username=a",
        },
      ],
      [
        "/token",
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `code=${"x".repeat(2_000_000)}`,
        },
      ],
      ["/token", { method: "GET" }],
      ["/register", { method: "GET" }],
      ["/authorize", { method: "GET" }],
      ["/authorize?response_type=token&client_id=x", { method: "GET" }],
      [
        "/authorize?client_id=%ff%fe",
        {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=x" },
          body: "--x\r\nbroken",
        },
      ],
      [`/sign-in/${"a".repeat(5000)}`, { method: "GET" }],
      ["/.well-known/oauth-protected-resource", { method: "GET" }],
      ["/.well-known/oauth-protected-resource/mcp", { method: "POST", body: "{}" }],
      ["/mcp", { method: "POST", headers: { authorization: "Bearer a:b:c" }, body: "{}" }],
      ["/mcp", { method: "POST", headers: { authorization: `Bearer ${"x".repeat(10_000)}` }, body: "{}" }],
    ];
    for (const [path, init] of requests) {
      const res = await SELF.fetch(`${SECURE_BASE}${path}`, { ...init, redirect: "manual" });
      expect(res.status, `${init.method} ${path.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${init.method} ${path.slice(0, 60)}`).toBeLessThan(500);
    }
  });

  it("issues sign-in links only on an origin that offers OAuth", async () => {
    const { id } = await newTenant("oa");
    const res = await adminFetch(`/admin/tenants/${id}/sign-in-links`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("offers OAuth");
  });

  it("answers a browser's preflight and a refused token with CORS headers on an OAuth origin", async () => {
    const preflight = await SELF.fetch(RESOURCE, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:6274", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    const refused = await SELF.fetch(RESOURCE, {
      method: "POST",
      headers: {
        origin: "http://localhost:6274",
        authorization: "Bearer a:b:c",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBeTruthy();
    expect(refused.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
  });
});
