/**
 * Hardening of the OAuth for connectors (issue 12, attack review b; docs/auth.md): refresh-token
 * reuse revokes the grant, anonymous registration and consent pages are bounded, a sign-in link
 * signs in only on a same-origin Continue and Allow grants the tenant the page showed, redirect
 * hosts cannot reach the consent page's CSP, revoking a tenant's grants withdraws its links, the
 * grant's user id is keyed, one bearer syntax everywhere, and publishing is ticked only on request.
 * The "holds" tests pin what resisted the review.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { revokeTenantGrants } from "../../worker/oauth/tenant-grants.ts";
import { newTenant } from "./support/clients.ts";
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

const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}` };

async function issueLink(tenant: string): Promise<string> {
  const res = await SELF.fetch(`${SECURE_BASE}/admin/tenants/${tenant}/sign-in-links`, {
    method: "POST",
    headers: admin,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { url: string }).url;
}

function oauthKv(): KVNamespace {
  if (env.OAUTH_KV === undefined) throw new Error("OAUTH_KV binding missing");
  return env.OAUTH_KV;
}

async function register(metadata: Record<string, unknown>): Promise<Response> {
  return SELF.fetch(`${SECURE_BASE}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token_endpoint_auth_method: "none", ...metadata }),
  });
}

async function grantsOf(tenant: string): Promise<string[]> {
  const res = await SELF.fetch(`${SECURE_BASE}/admin/tenants/${tenant}/grants`, { headers: admin });
  return ((await res.json()) as { grants: { client_id: string }[] }).grants.map((g) => g.client_id);
}

async function grantWithLink(linkUrl: string, scopes?: string[]) {
  const opened = await openSignInLink(linkUrl);
  const client = await registerClient();
  const pkce = await newPkce();
  const url = authorizeUrl(client, pkce);
  const page = await openConsent(url, opened.cookie);
  const approved = await postConsent(url, page, { decision: "approve", ...(scopes ? { scopes } : {}) });
  expect(approved.status).toBe(302);
  const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const res = await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    client_id: client.client_id,
    code_verifier: pkce.verifier,
  });
  expect(res.status).toBe(200);
  return { client, tokens: (await res.json()) as { access_token: string; refresh_token: string } };
}

describe("refresh tokens: reuse revokes the grant", () => {
  const refresh = (clientId: string, token: string) =>
    tokenRequest({ grant_type: "refresh_token", refresh_token: token, client_id: clientId });

  it("a thief replaying a superseded token gets one retry at most, and the owner's next refresh revokes everything", async () => {
    const { apiKey } = await newTenant("hard");
    const { client, tokens } = await grantWithKey(apiKey);
    const r1 = tokens.refresh_token;
    // the legitimate client rotates r1 -> r2
    const r2 = ((await (await refresh(client.client_id, r1)).json()) as { refresh_token: string })
      .refresh_token;
    // r1 is the previous token: accepted once (a client retrying a lost answer)...
    const retried = await refresh(client.client_id, r1);
    expect(retried.status).toBe(200);
    const stolen = (await retried.json()) as { access_token: string; refresh_token: string };
    // ...never twice: the second use revokes the grant, and every token of it with it
    const again = await refresh(client.client_id, r1);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
    expect((await secureMcp(stolen.access_token, "tools/list")).res.status).toBe(401);
    expect((await refresh(client.client_id, stolen.refresh_token)).status).toBe(400);
    expect((await refresh(client.client_id, r2)).status).toBe(400);
  });

  it("the owner presenting a token the thief already rotated away revokes the grant (the breach signal)", async () => {
    const { apiKey, id } = await newTenant("hard");
    const { client, tokens } = await grantWithKey(apiKey);
    const r1 = tokens.refresh_token;
    const r2 = ((await (await refresh(client.client_id, r1)).json()) as { refresh_token: string })
      .refresh_token;
    // the thief, holding r1, is first: the one retry
    const thief = (await (await refresh(client.client_id, r1)).json()) as {
      access_token: string;
      refresh_token: string;
    };
    // the owner's r2 is now neither current nor previous: refused, and the grant goes
    expect((await refresh(client.client_id, r2)).status).toBe(400);
    expect((await secureMcp(thief.access_token, "tools/list")).res.status).toBe(401);
    expect((await refresh(client.client_id, thief.refresh_token)).status).toBe(400);
    expect(await grantsOf(id)).not.toContain(client.client_id);
  });

  it("a rotated-out token after the current one was used is refused and revokes the grant; normal rotation goes on", async () => {
    const { apiKey } = await newTenant("hard");
    const { client, tokens } = await grantWithKey(apiKey);
    let current = tokens.refresh_token;
    const first = current;
    for (let i = 0; i < 3; i += 1) {
      const res = await refresh(client.client_id, current);
      expect(res.status, `rotation #${i + 1}`).toBe(200);
      current = ((await res.json()) as { refresh_token: string }).refresh_token;
    }
    expect((await refresh(client.client_id, first)).status).toBe(400);
    expect((await refresh(client.client_id, current)).status).toBe(400);
  });

  it("a token the grant never had (unknown grant, malformed) is refused without a 500", async () => {
    const { apiKey } = await newTenant("hard");
    const { client, tokens } = await grantWithKey(apiKey);
    const [user] = tokens.refresh_token.split(":");
    for (const bad of [`${user}:nogrant:secret`, "a:b", "x".repeat(300)]) {
      const res = await refresh(client.client_id, bad);
      expect(res.status, bad.slice(0, 30)).toBe(400);
    }
    expect((await refresh(client.client_id, tokens.refresh_token)).status).toBe(200);
  });
});

describe("anonymous registration and consent pages are bounded", () => {
  it("refuses oversized registrations with the OAuth error shape, and stores nothing", async () => {
    const before = (await oauthKv().list({ prefix: "client:" })).keys.length;
    const cases: [string, Record<string, unknown>][] = [
      ["1 MiB name", { client_name: "N".repeat(1_000_000), redirect_uris: [REDIRECT_URI] }],
      ["201-char name", { client_name: "N".repeat(201), redirect_uris: [REDIRECT_URI] }],
      [
        "6 redirect URIs",
        { client_name: "x", redirect_uris: [1, 2, 3, 4, 5, 6].map((n) => `${REDIRECT_URI}${n}`) },
      ],
      ["501-char URI", { client_name: "x", redirect_uris: [`https://app.example/${"p".repeat(481)}`] }],
      [
        "9 KiB of other metadata",
        { client_name: "x", redirect_uris: [REDIRECT_URI], contacts: ["c".repeat(9000)] },
      ],
    ];
    for (const [label, metadata] of cases) {
      const res = await register(metadata);
      expect(res.status, label).toBe(400);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(["invalid_client_metadata", "invalid_redirect_uri"], label).toContain(body.error);
      expect(body.error_description.length, label).toBeGreaterThan(0);
    }
    expect((await oauthKv().list({ prefix: "client:" })).keys.length).toBe(before);
    // at the limits it registers
    const fine = await register({
      client_name: "N".repeat(200),
      redirect_uris: [1, 2, 3, 4, 5].map((n) => `${REDIRECT_URI}${n}`),
    });
    expect(fine.status).toBe(201);
  });

  it("limits /register and GET /authorize per client address (429), other addresses unaffected", async () => {
    const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const registerFrom = (ip: string) =>
      SELF.fetch(`${SECURE_BASE}/register`, {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
        body: JSON.stringify({
          client_name: "x",
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: "none",
        }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i += 1) statuses.push((await registerFrom(address)).status);
    expect(statuses.slice(0, 20).every((status) => status === 201)).toBe(true);
    const limited = await registerFrom(address);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: string }).error).toBe("temporarily_unavailable");
    expect((await registerFrom("203.0.113.9")).status).toBe(201);

    const client = await registerClient();
    const url = authorizeUrl(client, await newPkce());
    const pages: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      const res = await SELF.fetch(url, { headers: { "cf-connecting-ip": address }, redirect: "manual" });
      await res.body?.cancel();
      pages.push(res.status);
    }
    expect(pages.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(pages[20]).toBe(429);
  });
});

describe("sign-in links: no login CSRF", () => {
  it("opening a link only shows its tenant; the cookie comes from a same-origin Continue only", async () => {
    const { id } = await newTenant("hard");
    const link = await issueLink(id);
    const shown = await SELF.fetch(link);
    expect(shown.status).toBe(200);
    expect(shown.headers.getSetCookie()).toEqual([]);
    expect(await shown.text()).toContain(`Continue as tenant ${id}`);
    const refusedHeaders: Record<string, string>[] = [
      {},
      { origin: "https://attacker.example" },
      { "sec-fetch-site": "cross-site", origin: SECURE_BASE },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of refusedHeaders) {
      const res = await SELF.fetch(link, { method: "POST", headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const signedIn = await openSignInLink(link);
    expect(signedIn.status).toBe(200);
    expect(signedIn.cookie).toContain("__Host-edgeflow-sign-in=");
    // the refusals did not use the link up
    const { tokens } = await grantWithLink(await issueLink(id));
    expect((await secureMcp(tokens.access_token, "tools/list")).res.status).toBe(200);
  });

  it("Allow is refused when the browser's sign-in changed after the page showed another tenant", async () => {
    const victim = await newTenant("hardv");
    const attacker = await newTenant("harda");
    const victimOpened = await openSignInLink(await issueLink(victim.id));
    const client = await registerClient("Victim's own app");
    const url = authorizeUrl(client, await newPkce());
    const page = await openConsent(url, victimOpened.cookie);
    expect(page.html).toContain(`tenant <strong>${victim.id}</strong>`); // what the person reads
    const planted = await openSignInLink(await issueLink(attacker.id), page.cookie); // swapped meanwhile
    const refused = await postConsent(
      url,
      { handle: page.handle, cookie: planted.cookie, signIn: page.signIn },
      { decision: "approve" },
    );
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("sign-in changed");
    expect(await grantsOf(attacker.id)).not.toContain(client.client_id);
    // a consent form without the displayed sign-in is refused the same way
    const bare = await postConsent(
      url,
      { handle: page.handle, cookie: page.cookie },
      { decision: "approve" },
    );
    expect(bare.status).toBe(409);
    expect(await grantsOf(victim.id)).not.toContain(client.client_id);
  });
});

describe("redirect hosts cannot reach the consent page's CSP", () => {
  const bad = [
    "https://x.example;frame-ancestors,sandbox/cb",
    "https://x.example,evil/cb",
    "https://X.example'/cb",
  ];

  it("refuses such a redirect URI at registration", async () => {
    for (const uri of bad) {
      const res = await register({ client_name: "x", redirect_uris: [uri] });
      expect(res.status, uri).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe("invalid_redirect_uri");
    }
    for (const uri of ["http://[::1]:8080/cb", "https://app.example:8443/cb"]) {
      expect((await register({ client_name: "x", redirect_uris: [uri] })).status, uri).toBe(201);
    }
  });

  it("refuses it at /authorize for a client stored before the check", async () => {
    const client = await registerClient();
    const key = `client:${client.client_id}`;
    const stored = (await oauthKv().get(key, { type: "json" })) as { redirectUris: string[] };
    const uri = bad[0] ?? "";
    await oauthKv().put(key, JSON.stringify({ ...stored, redirectUris: [uri] }));
    const pkce = await newPkce();
    const params = new URLSearchParams({
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: uri,
      code_challenge: pkce.challenge,
      code_challenge_method: "S256",
    });
    const page = await SELF.fetch(`${SECURE_BASE}/authorize?${params}`, { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("content-security-policy") ?? "").not.toContain("frame-ancestors,sandbox");
  });
});

describe("revocation", () => {
  it("revoking a tenant's grants withdraws its unused sign-in links", async () => {
    const { id } = await newTenant("hard");
    const link = await issueLink(id); // sent to the wrong person, say
    const removed = await SELF.fetch(`${SECURE_BASE}/admin/tenants/${id}/grants`, {
      method: "DELETE",
      headers: admin,
    });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ revoked: 0, withdrawn_sign_in_links: 1 });
    expect((await SELF.fetch(link)).status).toBe(410);
    expect((await openSignInLink(link)).status).toBe(410);
  });

  it("revokeTenantGrants (what tenant deletion calls first): a restored registry key revives nothing", async () => {
    const { id } = await newTenant("hard");
    const { tokens } = await grantWithLink(await issueLink(id));
    expect((await secureMcp(tokens.access_token, "tools/list")).res.status).toBe(200);
    // on a plain env, without the provider's helpers of a request (as a deletion route may run)
    expect(await revokeTenantGrants({ ...env, OAUTH_PROVIDER: undefined }, id, { actor: "admin" })).toEqual({
      grants: 1,
      signInLinks: 0,
    });
    await env.TENANTS.delete(`tenant:${id}`);
    await env.TENANTS.put(`tenant:${id}`, JSON.stringify({ registered_at: "restored" }));
    expect((await secureMcp(tokens.access_token, "tools/list")).res.status).toBe(401);
  });

  it("the token's user id is keyed: the bare digest of the tenant id is not it", async () => {
    const { id, apiKey } = await newTenant("hard");
    const { tokens } = await grantWithKey(apiKey);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`edgeflow-oauth-user:${id}`)),
    );
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    const userId = tokens.access_token.split(":")[0] ?? "";
    expect(userId).toMatch(/^u[0-9a-f]{32}$/);
    expect(userId).not.toBe(`u${hex.slice(0, 32)}`);
  });
});

describe("one bearer syntax, and the consent page's ticks", () => {
  it("'Bearer <token>,x' gets edgeflow's error shape, not a bare 401", async () => {
    const { apiKey } = await newTenant("hard");
    const res = await SELF.fetch(`${SECURE_BASE}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey},x`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toMatch(/^auth\./);
    expect(res.headers.get("www-authenticate") ?? "").toContain("resource_metadata=");
  });

  it("ticks what the client asked for, and never workflows:publish unasked", async () => {
    const client = await registerClient();
    const ticked = async (scope?: string) => {
      const { html } = await openConsent(authorizeUrl(client, await newPkce(), scope));
      return [...html.matchAll(/name="scope" value="([^"]+)" checked/g)].map((m) => m[1]);
    };
    expect(await ticked()).toEqual(["runs:read", "runs:drive"]);
    expect(await ticked("runs:read")).toEqual(["runs:read"]);
    expect(await ticked("runs:read workflows:publish")).toEqual(["runs:read", "workflows:publish"]);
  });
});

describe("HOLDS", () => {
  it("a code or refresh token minted on one origin is refused at another origin's /token and /mcp", async () => {
    const { apiKey } = await newTenant("atk");
    const client = await registerClient();
    const pkce = await newPkce();
    const url = authorizeUrl(client, pkce);
    const page = await openConsent(url);
    const approved = await postConsent(url, page, { decision: "approve", apiKey });
    const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const other = "https://other.test";
    const exchange = await SELF.fetch(`${other}/token`, {
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
    expect(exchange.status).toBeGreaterThanOrEqual(400);
    expect(exchange.status).toBeLessThan(500);
    const { tokens, client: c2 } = await grantWithKey(apiKey);
    const atOther = await SELF.fetch(`${other}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(atOther.status).toBe(401);
    const refreshOther = await SELF.fetch(`${other}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token,
        client_id: c2.client_id,
      }).toString(),
    });
    expect(refreshOther.status).toBeGreaterThanOrEqual(400);
    expect(refreshOther.status).toBeLessThan(500);
    // the http (no-OAuth) origin does not take the token either
    const plain = await SELF.fetch("http://edgeflow.test/mcp", {
      method: "POST",
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(plain.status).toBe(401);
  });

  it("refuses PKCE plain and a public client without PKCE", async () => {
    const client = await registerClient();
    const pkce = await newPkce();
    const plain = authorizeUrl(client, pkce).replace(
      "code_challenge_method=S256",
      "code_challenge_method=plain",
    );
    const errorOf = (res: Response) =>
      res.status === 302 ? new URL(res.headers.get("location") ?? "").searchParams.get("error") : res.status;
    const r1 = await SELF.fetch(plain, { redirect: "manual" });
    expect(errorOf(r1)).toBe("invalid_request"); // sent back to the client, no consent page
    const none = authorizeUrl(client, pkce)
      .replace(/&code_challenge=[^&]*/, "")
      .replace("&code_challenge_method=S256", "");
    const r2 = await SELF.fetch(none, { redirect: "manual" });
    expect(errorOf(r2)).toBe("invalid_request");
  });

  it("a token cannot widen its scopes at /token, and odd casing is not a scope", async () => {
    const { apiKey } = await newTenant("atk");
    const { client, tokens } = await grantWithKey(apiKey, ["runs:read"]);
    const up = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: client.client_id,
      scope: "runs:read workflows:publish RUNS:DRIVE",
    });
    expect(up.status).toBe(200);
    const fresh = (await up.json()) as { access_token: string; scope: string };
    expect(fresh.scope).toBe("runs:read");
    expect((await toolCallError(fresh.access_token, "workflow_publish", { yaml: "x" }))?.code).toBe(
      "auth.insufficient_scope",
    );
    // tampered consent checkboxes: unknown / cased values are dropped, nothing left -> refused
    const c2 = await registerClient();
    const url = authorizeUrl(c2, await newPkce());
    const page = await openConsent(url);
    const tampered = await postConsent(url, page, {
      decision: "approve",
      apiKey,
      scopes: ["RUNS:READ", " runs:read", "admin", "runs:read runs:drive"],
    });
    expect(tampered.status).toBe(400);
  });

  it("a sign-in link works once even when two consent tabs race, and not for another tenant", async () => {
    const a = await newTenant("atk");
    const b = await newTenant("atk");
    const link = await issueLink(a.id);
    const opened = await openSignInLink(link);
    const client = await registerClient();
    const pages = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const url = authorizeUrl(client, await newPkce());
        return { url, page: await openConsent(url, opened.cookie) };
      }),
    );
    const answers = await Promise.all(
      pages.map(({ url, page }) => postConsent(url, page, { decision: "approve" })),
    );
    expect(answers.filter((res) => res.status === 302)).toHaveLength(1);
    // A's secret under B's name
    const secret = link.split(`efs_${a.id}_`)[1] ?? "";
    const forged = await SELF.fetch(`${SECURE_BASE}/sign-in/efs_${b.id}_${secret}`);
    expect(forged.status).toBe(410);
  });

  it("API-key-shaped and a:b:c-shaped garbage is refused on /mcp with a 401, never a 500", async () => {
    const { apiKey, id } = await newTenant("atk");
    const { tokens } = await grantWithKey(apiKey);
    const [user, grant, secret] = tokens.access_token.split(":");
    for (const bad of [
      `${user}:${grant}:${secret}x`,
      `${user}:${grant}:${secret}:x`,
      `efk_${id}_${"0".repeat(16)}_${"A".repeat(43)}`,
      `${apiKey}:x:y`,
      `efs_${id}_${"A".repeat(43)}`,
      tokens.refresh_token,
    ]) {
      const { res } = await secureMcp(bad, "tools/list");
      expect(res.status, bad.slice(0, 40)).toBe(401);
      const text = await res.text();
      expect(text).not.toMatch(/[0-9a-f]{64}/); // no key hash in the error
    }
  });
});
