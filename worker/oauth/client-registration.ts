/**
 * @module
 * Limits on dynamic client registration (`POST /register`, docs/auth.md, "Client registration"):
 * anyone may register, so a record stays small. Refused with the OAuth error shape (400
 * `invalid_client_metadata`, or `invalid_redirect_uri`): a body over 8 KiB, a `client_name` over
 * 200 characters, more than 5 redirect URIs, a URI over 500 characters, or a redirect URI whose
 * host could carry anything but a host name into the consent page's CSP (`isSafeRedirectUri`).
 */
import type { ClientRegistrationCallbackResult } from "@cloudflare/workers-oauth-provider";

export const MAX_REGISTRATION_BODY_BYTES = 8 * 1024;
export const MAX_CLIENT_NAME_CHARS = 200;
export const MAX_REDIRECT_URIS = 5;
export const MAX_REDIRECT_URI_CHARS = 500;

const HOST_NAME = /^[a-z0-9.-]+$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;

/**
 * A redirect URI whose host is a plain host name or a bracketed IPv6 literal (the port is numeric
 * by URL parsing). A private-use scheme (`cursor://...`, `com.example.app:/cb`) may have no host.
 */
export function isSafeRedirectUri(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.hostname === "") return url.protocol !== "http:" && url.protocol !== "https:";
  return HOST_NAME.test(url.hostname) || IPV6_LITERAL.test(url.hostname);
}

export function refusedRegistration(
  metadata: Record<string, unknown>,
): ClientRegistrationCallbackResult | undefined {
  if (new TextEncoder().encode(JSON.stringify(metadata)).length > MAX_REGISTRATION_BODY_BYTES) {
    return refusal(`The registration is larger than ${MAX_REGISTRATION_BODY_BYTES} bytes.`);
  }
  const name = metadata.client_name;
  if (typeof name === "string" && name.length > MAX_CLIENT_NAME_CHARS) {
    return refusal(`client_name is longer than ${MAX_CLIENT_NAME_CHARS} characters.`);
  }
  const uris = Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris : [];
  if (uris.length > MAX_REDIRECT_URIS) return refusal(`More than ${MAX_REDIRECT_URIS} redirect_uris.`);
  for (const uri of uris) {
    if (typeof uri !== "string" || uri.length > MAX_REDIRECT_URI_CHARS) {
      return refusal(
        `A redirect URI is longer than ${MAX_REDIRECT_URI_CHARS} characters.`,
        "invalid_redirect_uri",
      );
    }
    if (!isSafeRedirectUri(uri)) {
      return refusal(
        "A redirect URI's host must be a host name (letters, digits, '.', '-') or a bracketed IPv6 address.",
        "invalid_redirect_uri",
      );
    }
  }
  return undefined;
}

function refusal(description: string, code = "invalid_client_metadata"): ClientRegistrationCallbackResult {
  return { code, description, status: 400 };
}
