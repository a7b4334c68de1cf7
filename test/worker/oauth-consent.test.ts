/**
 * The OAuth consent page (docs/auth.md, "The consent page" and "Signing in"): what it shows and
 * its headers, sign-in with an API key (a wrong one refused with a clear message), Allow and
 * Deny, CSRF and replay refused, and one-time sign-in links that work exactly once.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newTenant } from "./support/clients.ts";
import {
  authorizeUrl,
  newPkce,
  openConsent,
  openSignInLink,
  postConsent,
  REDIRECT_URI,
  registerClient,
  SECURE_BASE,
  secureMcp,
  tokenRequest,
} from "./support/oauth-client.ts";

describe("the consent page", () => {
  it("shows the client's name, its redirect URI and the scopes, with a CSP and no framing", async () => {
    const client = await registerClient("Acme <script>Agent</script>");
    const page = await openConsent(authorizeUrl(client, await newPkce(), "runs:read"));
    expect(page.status).toBe(200);
    expect(page.html).toContain("Acme &#60;script&#62;Agent&#60;/script&#62;");
    expect(page.html).not.toContain("<script>");
    expect(page.html).toContain(REDIRECT_URI);
    expect(page.html).toMatch(/value="runs:read" checked/);
    expect(page.html).toMatch(/value="runs:drive">/);
    expect(page.html).toContain('<label for="api_key">');
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:33418");
    expect(page.cookie).toMatch(/__Host-oauth-consent/);
  });

  it("refuses a wrong API key with a clear message and lets the person try again", async () => {
    const { apiKey } = await newTenant("oa");
    const client = await registerClient();
    const url = authorizeUrl(client, await newPkce());
    const page = await openConsent(url);
    const refused = await postConsent(url, page, { decision: "approve", apiKey: "efk_wrong_key" });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("That API key is not valid (unknown or revoked).");
    const nothing = await postConsent(url, page, { decision: "approve" });
    expect(await nothing.text()).toContain("Sign in first");
    const approved = await postConsent(url, page, { decision: "approve", apiKey });
    expect(approved.status).toBe(302);
    const location = new URL(approved.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("code")).toMatch(/./);
    expect(location.searchParams.get("state")).toBe("state-123");
  });

  it("refuses a POST without the page's cookie (CSRF) and a replayed one", async () => {
    const { apiKey } = await newTenant("oa");
    const url = authorizeUrl(await registerClient(), await newPkce());
    const page = await openConsent(url);
    const forged = await postConsent(
      url,
      { handle: page.handle, cookie: "" },
      { decision: "approve", apiKey },
    );
    expect(forged.status).toBe(400);
    expect(forged.headers.get("location")).toBeNull();
    const first = await postConsent(url, page, { decision: "approve", apiKey });
    expect(first.status).toBe(302);
    const replayed = await postConsent(url, page, { decision: "approve", apiKey });
    expect(replayed.status).toBe(400);
  });

  it("sends the person back with access_denied when they deny", async () => {
    const url = authorizeUrl(await registerClient(), await newPkce());
    const page = await openConsent(url);
    const denied = await postConsent(url, page, { decision: "deny" });
    expect(denied.status).toBe(302);
    const location = new URL(denied.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("answers an authorize request for an unknown client or redirect with a page, never a redirect or a 500", async () => {
    const client = await registerClient();
    const pkce = await newPkce();
    const unknown = await SELF.fetch(
      `${SECURE_BASE}/authorize?response_type=code&client_id=nope&redirect_uri=${REDIRECT_URI}`,
      {
        redirect: "manual",
      },
    );
    expect(unknown.status).toBe(400);
    const elsewhere = authorizeUrl(client, pkce).replace(
      encodeURIComponent(REDIRECT_URI),
      encodeURIComponent("https://evil.example/cb"),
    );
    const other = await SELF.fetch(elsewhere, { redirect: "manual" });
    expect(other.status).toBe(400);
    expect(other.headers.get("location")).toBeNull();
    const huge = await SELF.fetch(authorizeUrl(client, pkce), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `handle=${"x".repeat(100_000)}`,
    });
    expect(huge.status).toBe(413);
  });
});

describe("one-time sign-in links", () => {
  it("signs a person in once: the link opens, Allow uses it up, and a second use is refused", async () => {
    const { id } = await newTenant("oa");
    const issued = await SELF.fetch(`${SECURE_BASE}/admin/tenants/${id}/sign-in-links`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
    });
    expect(issued.status).toBe(201);
    const link = (await issued.json()) as { url: string; expires_at: string };
    expect(link.url).toMatch(new RegExp(`^${SECURE_BASE}/sign-in/efs_${id}_`));

    const opened = await openSignInLink(link.url);
    expect(opened.status).toBe(200);
    expect(opened.html).toContain(`Signed in to ${id}`);
    expect(opened.cookie).toContain("__Host-edgeflow-sign-in=");

    const client = await registerClient();
    const pkce = await newPkce();
    const url = authorizeUrl(client, pkce);
    const page = await openConsent(url, opened.cookie);
    expect(page.html).toContain(`sign-in link for the tenant <strong>${id}</strong>`);
    const approved = await postConsent(url, page, { decision: "approve", scopes: ["runs:read"] });
    expect(approved.status).toBe(302);
    const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const tokens = (await (
      await tokenRequest({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        client_id: client.client_id,
        code_verifier: pkce.verifier,
      })
    ).json()) as { access_token: string; scope: string };
    expect(tokens.scope).toBe("runs:read");
    expect((await secureMcp(tokens.access_token, "tools/list")).res.status).toBe(200);

    // used once: the link itself and a second consent with the same cookie are refused
    const again = await openSignInLink(link.url);
    expect(again.status).toBe(410);
    expect(again.html).toContain("already used");
    const second = authorizeUrl(client, await newPkce());
    const secondPage = await openConsent(second, opened.cookie);
    const refused = await postConsent(second, secondPage, { decision: "approve" });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("already used");
  });

  it("refuses a made-up link and a link for a tenant that does not exist", async () => {
    for (const code of [`efs_nobody_${"A".repeat(43)}`, "garbage"]) {
      const res = await SELF.fetch(`${SECURE_BASE}/sign-in/${code}`);
      expect(res.status).toBe(410);
    }
    const missing = await SELF.fetch(`${SECURE_BASE}/admin/tenants/no-such-tenant/sign-in-links`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
    });
    expect(missing.status).toBe(404);
  });
});
