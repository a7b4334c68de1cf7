/**
 * A hand-driven OAuth client for the workerd tests (test/worker/oauth-*.test.ts): dynamic
 * registration, PKCE S256, the consent page (its handle and cookie), the token endpoint, and
 * MCP calls with the access token. Against `https://edgeflow.test`, an origin that offers OAuth
 * (plain `http://edgeflow.test` takes API keys only: worker/oauth/resource.ts).
 */
import { SELF } from "cloudflare:test";
import { type RpcResponse, readRpcBody } from "./clients.ts";

export const SECURE_BASE = "https://edgeflow.test";
export const RESOURCE = `${SECURE_BASE}/mcp`;
export const REDIRECT_URI = "http://127.0.0.1:33418/oauth/callback";

export interface RegisteredClient {
  client_id: string;
  client_name?: string;
}

export async function registerClient(name = "Test Connector"): Promise<RegisteredClient> {
  const res = await SELF.fetch(`${SECURE_BASE}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return (await res.json()) as RegisteredClient;
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export async function newPkce(): Promise<Pkce> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return { verifier, challenge: base64Url(digest) };
}

export function authorizeUrl(client: RegisteredClient, pkce: Pkce, scope?: string): string {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    state: "state-123",
    resource: RESOURCE,
  });
  if (scope !== undefined) params.set("scope", scope);
  return `${SECURE_BASE}/authorize?${params}`;
}

export interface ConsentPage {
  status: number;
  html: string;
  handle: string;
  /** the link sign-in the page showed (hidden `sign_in` field), or "" */
  signIn: string;
  /** the cookies to send back (name=value; ...) */
  cookie: string;
  headers: Headers;
}

export async function openConsent(url: string, cookie = ""): Promise<ConsentPage> {
  const res = await SELF.fetch(url, { headers: cookie === "" ? {} : { cookie }, redirect: "manual" });
  const html = await res.text();
  const handle = /name="handle" value="([^"]*)"/.exec(html)?.[1] ?? "";
  const signIn = /name="sign_in" value="([^"]*)"/.exec(html)?.[1] ?? "";
  return {
    status: res.status,
    html,
    handle,
    signIn,
    cookie: joinCookies(cookie, res.headers),
    headers: res.headers,
  };
}

/**
 * What a person does with a sign-in link: opens it (a page naming the tenant) and presses
 * Continue, a same-origin form post that sets the sign-in cookie. The answer of the post.
 */
export async function openSignInLink(linkUrl: string, cookie = ""): Promise<ConsentPage> {
  const shown = await SELF.fetch(linkUrl, { headers: cookie === "" ? {} : { cookie }, redirect: "manual" });
  if (shown.status !== 200) {
    const html = await shown.text();
    return { status: shown.status, html, handle: "", signIn: "", cookie, headers: shown.headers };
  }
  await shown.body?.cancel();
  const res = await SELF.fetch(linkUrl, {
    method: "POST",
    headers: {
      origin: new URL(linkUrl).origin,
      "sec-fetch-site": "same-origin",
      ...(cookie === "" ? {} : { cookie }),
    },
    redirect: "manual",
  });
  const html = await res.text();
  return {
    status: res.status,
    html,
    handle: "",
    signIn: "",
    cookie: joinCookies(cookie, res.headers),
    headers: res.headers,
  };
}

export async function postConsent(
  url: string,
  page: Pick<ConsentPage, "handle" | "cookie"> & { signIn?: string },
  fields: { decision: "approve" | "deny"; apiKey?: string; scopes?: string[] },
): Promise<Response> {
  const form = new URLSearchParams({ handle: page.handle, decision: fields.decision });
  if (fields.apiKey !== undefined) form.set("api_key", fields.apiKey);
  if (page.signIn !== undefined && page.signIn !== "") form.set("sign_in", page.signIn);
  for (const scope of fields.scopes ?? ["runs:read", "runs:drive", "workflows:publish"])
    form.append("scope", scope);
  return SELF.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie },
    body: form.toString(),
    redirect: "manual",
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

export async function tokenRequest(fields: Record<string, string>): Promise<Response> {
  return SELF.fetch(`${SECURE_BASE}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Registration, consent with an API key, code exchange: the tokens of a fresh grant. */
export async function grantWithKey(
  apiKey: string,
  scopes?: string[],
): Promise<{ client: RegisteredClient; tokens: Tokens }> {
  const client = await registerClient();
  const pkce = await newPkce();
  const url = authorizeUrl(client, pkce);
  const page = await openConsent(url);
  const answer = await postConsent(url, page, {
    decision: "approve",
    apiKey,
    ...(scopes === undefined ? {} : { scopes }),
  });
  const location = answer.headers.get("location") ?? "";
  const code = new URL(location).searchParams.get("code");
  if (answer.status !== 302 || code === null)
    throw new Error(`consent: ${answer.status} ${await answer.text()}`);
  const res = await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    client_id: client.client_id,
    code_verifier: pkce.verifier,
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return { client, tokens: (await res.json()) as Tokens };
}

let rpcId = 0;

export async function secureMcp(
  token: string | null,
  method: string,
  params: unknown = {},
): Promise<{ res: Response; body: RpcResponse["body"] | null }> {
  rpcId += 1;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
  };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await SELF.fetch(RESOURCE, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: rpcId, method, params }),
  });
  if (res.status !== 200) return { res, body: null };
  return { res, body: await readRpcBody(res) };
}

/** A tool call's coded error read from its text content (what every client shows), or `null` on success. */
export async function toolCallError(
  token: string,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ code: string; message: string } | null> {
  const { res, body } = await secureMcp(token, "tools/call", { name, arguments: args });
  if (res.status !== 200 || body?.result === undefined) throw new Error(`tools/call ${name}: ${res.status}`);
  const result = body.result as { isError?: boolean; content?: { text?: string }[] };
  if (result.isError !== true) return null;
  return (JSON.parse(result.content?.[0]?.text ?? "{}") as { error: { code: string; message: string } })
    .error;
}

function joinCookies(previous: string, headers: Headers): string {
  const jar = new Map<string, string>();
  for (const part of previous
    .split(";")
    .map((text) => text.trim())
    .filter(Boolean)) {
    const [name, ...rest] = part.split("=");
    if (name !== undefined) jar.set(name, rest.join("="));
  }
  for (const line of headers.getSetCookie()) {
    const pair = line.split(";")[0] ?? "";
    const [name, ...rest] = pair.split("=");
    if (name === undefined) continue;
    const value = rest.join("=");
    if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
