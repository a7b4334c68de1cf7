/**
 * @module
 * The pages a person sees (docs/auth.md): `GET /authorize` shows the consent page for a client's
 * authorization request, `POST /authorize` signs the person in to a tenant (an API key, or the
 * one-time link this browser opened) and grants or denies, `GET /sign-in/<code>` shows a
 * one-time sign-in link's tenant and `POST /sign-in/<code>` (same-origin only) signs this browser
 * in with it. The OAuth provider validated nothing here yet: `parseAuthRequest` checks the
 * client and its exact redirect URI, and the consent helpers bind the form to this browser with
 * a cookie (a forged or replayed POST is refused). The consent form names the link sign-in it
 * showed (`sign_in`), and Allow is refused when this browser's link changed since. The grant
 * holds the tenant, never a key.
 */
import { AuthorizationError, type AuthRequest, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { type Context, Hono } from "hono";
import { getCookie } from "hono/cookie";
import { EngineError, isEngineError } from "../../engine/errors.ts";
import type { AppEnv } from "../app-env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { hashApiKey } from "../keys/api-key.ts";
import { verifyApiKey } from "../middleware/tenant-auth.ts";
import { isSafeRedirectUri } from "./client-registration.ts";
import {
  newNonce,
  pageHeaders,
  renderConsentPage,
  renderMessagePage,
  renderSignInLinkPage,
} from "./consent-page.ts";
import type { GrantProps } from "./grant-props.ts";
import { ALL_SCOPES, isScope, type Scope, Scopes } from "./scopes.ts";
import {
  clearSignInCookie,
  peekSignInLink,
  redeemSignInLink,
  SIGN_IN_COOKIE,
  signInCookie,
} from "./sign-in-links.ts";
import { opaqueUserIdOf } from "./tenant-grants.ts";

type PageContext = Context<AppEnv>;

export const authorizeRoutes = new Hono<AppEnv>()
  .get("/authorize", async (c) => {
    const oauth = helpersOf(c);
    const request = await parsedOrPage(c, oauth);
    if (request instanceof Response) return request;
    return consentPage(c, oauth, request, requestedScopes(request));
  })
  .post("/authorize", async (c) => {
    const oauth = helpersOf(c);
    const request = await parsedOrPage(c, oauth);
    if (request instanceof Response) return request;
    const form = await formOf(c);
    if (form === null)
      return messagePage(c, 400, "Bad request", "The form could not be read; start again from your app.");
    const handle = String(form.get("handle") ?? "");
    try {
      if (form.get("decision") !== "approve") {
        const denied = await oauth.denyConsent(c.req.raw, handle);
        return new Response(null, { status: 302, headers: denied.headers });
      }
      const chosen = new Set(form.getAll("scope").map(String).filter(isScope));
      const signIn = await signInOf(c, String(form.get("api_key") ?? "").trim());
      if ("refused" in signIn) return consentPage(c, oauth, request, chosen, handle, signIn.refused, 401);
      if (signIn.via === "sign_in_link" && !(await isDisplayedSignIn(signIn.code, form.get("sign_in")))) {
        return consentPage(c, oauth, request, chosen, handle, SIGN_IN_CHANGED, 409);
      }
      if (chosen.size === 0) {
        return consentPage(
          c,
          oauth,
          request,
          chosen,
          handle,
          "Choose at least one thing the app may do.",
          400,
        );
      }
      const approved = await oauth.approveConsent(c.req.raw, handle, { scope: [...chosen] });
      const props = await grantPropsOf(c, signIn);
      if (props === null) {
        return messagePage(c, 401, "Sign-in link used", LINK_REFUSED);
      }
      const { redirectTo } = await oauth.completeAuthorization({
        request: approved.request,
        userId: await opaqueUserIdOf(c.env, props.tenant),
        metadata: { tenant: props.tenant, signed_in_with: props.signedInWith.via },
        scope: approved.request.scope,
        props,
      });
      approved.headers.set("location", redirectTo);
      if (signIn.via === "sign_in_link") approved.headers.append("set-cookie", clearSignInCookie());
      return new Response(null, { status: 302, headers: approved.headers });
    } catch (thrown) {
      if (thrown instanceof AuthorizationError) {
        return messagePage(
          c,
          400,
          "This page has expired",
          `${thrown.description} The page works once, for ten minutes, in the browser that opened it: start again from your app.`,
        );
      }
      throw thrown;
    }
  })
  .get("/sign-in/:code", async (c) => {
    helpersOf(c);
    const link = await peekSignInLink(c.env, c.req.param("code"));
    if (link === null) return messagePage(c, 410, "Sign-in link not valid", LINK_REFUSED);
    const nonce = newNonce();
    // `same-origin`: the browser then sends our own Origin with Continue (with `no-referrer` it would send `null`)
    const headers = { ...pageHeaders(nonce), "referrer-policy": "same-origin" };
    return c.html(renderSignInLinkPage(link.tenant, nonce), 200, headers);
  })
  .post("/sign-in/:code", async (c) => {
    helpersOf(c);
    if (!isSameOriginPost(c)) {
      return messagePage(c, 403, "Sign-in refused", "Open the sign-in link itself and press Continue there.");
    }
    const code = c.req.param("code");
    const link = await peekSignInLink(c.env, code);
    if (link === null) return messagePage(c, 410, "Sign-in link not valid", LINK_REFUSED);
    const response = messagePage(
      c,
      200,
      `Signed in to ${link.tenant}`,
      `This browser is signed in to the tenant "${link.tenant}" until ${new Date(link.expiresAt).toISOString()}. ` +
        "Now add edgeflow in your app (or go back to it): on the consent page that opens here, Allow uses this sign-in, once.",
    );
    response.headers.append("set-cookie", signInCookie(code, (link.expiresAt - Date.now()) / 1000));
    return response;
  });

const SIGN_IN_CHANGED =
  "This browser's sign-in changed since this page was shown (another sign-in link was opened). Nothing was " +
  "granted: check the tenant named above and press Allow again, or sign in with an API key.";

const LINK_REFUSED =
  "This sign-in link was already used, has expired (links work once, for 15 minutes), or was mistyped. " +
  "Ask your admin for a new one (POST /admin/tenants/:id/sign-in-links), or sign in with an API key.";

type SignIn =
  | { via: "api_key"; tenant: string; keyId: string; keyHash: string }
  | { via: "sign_in_link"; tenant: string; code: string }
  | { refused: string };

async function signInOf(c: PageContext, apiKey: string): Promise<SignIn> {
  if (apiKey !== "") {
    try {
      const key = await verifyApiKey(c.env, apiKey);
      return { via: "api_key", ...key };
    } catch (thrown) {
      if (isEngineError(thrown) && thrown.code === RuntimeCodes.authInvalidKey) {
        return {
          refused:
            "That API key is not valid (unknown or revoked). Paste the whole key (efk_<tenant>_<id>_<secret>), or ask your admin for a new key or a one-time sign-in link.",
        };
      }
      throw thrown;
    }
  }
  const code = getCookie(c, SIGN_IN_COOKIE);
  const link = code === undefined ? null : await peekSignInLink(c.env, code);
  if (code !== undefined && link !== null) return { via: "sign_in_link", tenant: link.tenant, code };
  return {
    refused:
      code === undefined
        ? "Sign in first: paste an API key of your tenant, or open the one-time sign-in link your admin gave you in this browser."
        : LINK_REFUSED,
  };
}

/** The grant's props; for a link, uses it up now (`null` when another tab was faster). */
async function grantPropsOf(
  c: PageContext,
  signIn: Exclude<SignIn, { refused: string }>,
): Promise<GrantProps | null> {
  if (signIn.via === "api_key") {
    return {
      kind: "grant",
      tenant: signIn.tenant,
      signedInWith: { via: "api_key", keyId: signIn.keyId, keyHash: signIn.keyHash },
    };
  }
  const tenant = await redeemSignInLink(c.env, signIn.code);
  return tenant === null ? null : { kind: "grant", tenant, signedInWith: { via: "sign_in_link" } };
}

async function consentPage(
  c: PageContext,
  oauth: OAuthHelpers,
  request: AuthRequest,
  ticked: ReadonlySet<Scope>,
  handle?: string,
  error?: string,
  status = 200,
): Promise<Response> {
  const details = await oauth.describeConsent(request);
  const consent = handle === undefined ? await oauth.beginConsent(request) : null;
  const code = getCookie(c, SIGN_IN_COOKIE);
  const link = code === undefined ? null : await peekSignInLink(c.env, code);
  const nonce = newNonce();
  const html = renderConsentPage(
    {
      clientName: details.clientName,
      redirectUri: details.redirectUri,
      redirectIsLoopback: details.redirectIsLoopback,
      scopes: ALL_SCOPES.map((scope) => ({ scope, checked: ticked.has(scope) })),
      handle: consent?.handle ?? handle ?? "",
      ...(code === undefined || link === null
        ? {}
        : { linkTenant: link.tenant, signInMark: await displayedSignInMark(code) }),
      ...(error === undefined ? {} : { error }),
    },
    nonce,
  );
  const headers = new Headers(consent?.headers);
  for (const [name, value] of Object.entries(pageHeaders(nonce, formActionSource(details.redirectUri)))) {
    headers.set(name, value);
  }
  return new Response(html, { status, headers });
}

/**
 * The scopes ticked when the page opens: those the client asked for, or, when it named none we
 * know, reading and driving runs (publishing is ticked only when asked for).
 */
function requestedScopes(request: AuthRequest): Set<Scope> {
  const asked = request.scope.filter(isScope);
  return new Set(asked.length > 0 ? asked : [Scopes.runsRead, Scopes.runsDrive]);
}

/** What the consent form carries of the link sign-in it showed: a digest of the link's code. */
async function displayedSignInMark(code: string): Promise<string> {
  return hashApiKey(`edgeflow-consent-sign-in:${code}`);
}

async function isDisplayedSignIn(code: string, mark: unknown): Promise<boolean> {
  if (typeof mark !== "string") return false;
  const expected = new TextEncoder().encode(await displayedSignInMark(code));
  const given = new TextEncoder().encode(mark);
  return expected.length === given.length && crypto.subtle.timingSafeEqual(expected, given);
}

/** A form post from a page of this origin: `Sec-Fetch-Site: same-origin`, or else an `Origin` equal to ours. */
function isSameOriginPost(c: PageContext): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) return site === "same-origin";
  return c.req.header("origin") === new URL(c.req.url).origin;
}

/** The redirect's origin as a CSP source (`cursor:` for a private-use scheme, whose origin is opaque). */
function formActionSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.origin === "null" ? url.protocol : url.origin;
}

function messagePage(c: PageContext, status: number, title: string, message: string): Response {
  const nonce = newNonce();
  return c.html(renderMessagePage(title, message, nonce), status as 200, pageHeaders(nonce));
}

async function parsedOrPage(c: PageContext, oauth: OAuthHelpers): Promise<AuthRequest | Response> {
  try {
    const request = await oauth.parseAuthRequest(c.req.raw);
    if (!isSafeRedirectUri(request.redirectUri)) {
      return messagePage(
        c,
        400,
        "This sign-in request is not valid",
        "The app's redirect URI has a host that is not a plain host name; it cannot be used here.",
      );
    }
    return request;
  } catch (thrown) {
    if (thrown instanceof AuthorizationError) {
      if (thrown.redirectTo !== undefined) return c.redirect(thrown.redirectTo, 302);
      return messagePage(c, 400, "This sign-in request is not valid", thrown.description);
    }
    throw thrown;
  }
}

async function formOf(c: PageContext): Promise<FormData | null> {
  try {
    return await c.req.raw.formData();
  } catch {
    return null;
  }
}

function helpersOf(c: PageContext): OAuthHelpers {
  const helpers = c.env.OAUTH_PROVIDER;
  if (helpers === undefined) {
    throw new EngineError(
      RuntimeCodes.routeNotFound,
      "OAuth is offered on https origins and on http://localhost or 127.0.0.1, with the OAUTH_KV binding; this origin takes API keys only.",
    );
  }
  return helpers;
}
