/**
 * @module
 * The consent page's HTML (docs/auth.md, "The consent page"): who asks (the client's name, as it
 * registered itself, and the exact redirect URI its access goes to), the sign-in (an API key of
 * the tenant, or the one-time link this browser opened), the scopes to grant, and Allow / Deny.
 * Also the page a sign-in link opens (its tenant and a Continue button).
 * Server-rendered, no script, no external asset; every value that came from a client is escaped.
 * The caller sends it with `pageHeaders` (CSP, no framing, no caching). Pure functions.
 */
import { SCOPE_DESCRIPTIONS, type Scope } from "./scopes.ts";

export interface ConsentView {
  clientName: string;
  redirectUri: string;
  redirectIsLoopback: boolean;
  /** the scopes offered, each ticked or not */
  scopes: { scope: Scope; checked: boolean }[];
  /** the consent helper's handle (cookie-bound, single use) */
  handle: string;
  /** set when this browser opened a sign-in link that is still usable */
  linkTenant?: string;
  /** with `linkTenant`: the digest of that link the form sends back (Allow checks it is still this browser's) */
  signInMark?: string;
  /** why the last attempt was refused */
  error?: string;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:34rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.3rem;margin-top:0}fieldset{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0}
label{display:block;margin:.4rem 0}input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}
.error{color:#a40e26;background:#ffebe9;border:1px solid #ff8182;padding:.5rem;border-radius:6px}
.hint{color:#57606a;font-size:.9rem}button{font:inherit;padding:.5rem 1.2rem;margin-right:.5rem}
code{word-break:break-all}`;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function renderConsentPage(view: ConsentView, nonce: string): string {
  const name = escapeHtml(view.clientName);
  const signIn =
    view.linkTenant === undefined
      ? ""
      : `<p>You opened a sign-in link for the tenant <strong>${escapeHtml(view.linkTenant)}</strong>. Allow uses it up; or sign in with an API key instead.</p>`;
  const scopes = view.scopes
    .map(
      ({ scope, checked }) =>
        `<label><input type="checkbox" name="scope" value="${scope}"${checked ? " checked" : ""}> <code>${scope}</code>: ${escapeHtml(SCOPE_DESCRIPTIONS[scope])}</label>`,
    )
    .join("\n");
  return page(
    `Allow ${name} to use edgeflow?`,
    nonce,
    `<h1>Allow <strong>${name}</strong> to use your edgeflow tenant?</h1>
<p class="hint">This app registered itself: its name is not verified.</p>
<p>Access will be sent to <code>${escapeHtml(view.redirectUri)}</code>.</p>
${view.redirectIsLoopback ? "<p><strong>That is an app on your computer.</strong> Continue only if you just started adding edgeflow in it.</p>" : ""}
${view.error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(view.error)}</p>`}
<form method="post">
<input type="hidden" name="handle" value="${escapeHtml(view.handle)}">
${view.signInMark === undefined ? "" : `<input type="hidden" name="sign_in" value="${escapeHtml(view.signInMark)}">`}
<fieldset><legend>Sign in</legend>
${signIn}
<label for="api_key">API key of your tenant</label>
<input id="api_key" name="api_key" type="password" autocomplete="off" spellcheck="false" aria-describedby="key_hint">
<p class="hint" id="key_hint">It starts with <code>efk_</code>. No key? Ask your admin for a one-time sign-in link and open it in this browser.</p>
</fieldset>
<fieldset><legend>Allow it to</legend>
${scopes}
</fieldset>
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** `GET /sign-in/<code>`: names the link's tenant; Continue (a same-origin POST) signs this browser in. */
export function renderSignInLinkPage(tenant: string, nonce: string): string {
  const name = escapeHtml(tenant);
  return page(
    `Sign in to ${name}?`,
    nonce,
    `<h1>Sign in to the tenant <strong>${name}</strong>?</h1>
<p>This one-time link signs this browser in to the edgeflow tenant <strong>${name}</strong>, for the next consent page you approve here. Continue only if you asked your admin for it and are about to add edgeflow in your app.</p>
<form method="post">
<button type="submit">Continue as tenant ${name}</button>
</form>`,
  );
}

/** A page that only says something: an expired consent, a bad request, a sign-in link's state. */
export function renderMessagePage(title: string, message: string, nonce: string): string {
  return page(
    escapeHtml(title),
    nonce,
    `<h1>${escapeHtml(title)}</h1>\n<p role="status">${escapeHtml(message)}</p>`,
  );
}

function page(title: string, nonce: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

/**
 * Headers for every page: a CSP that allows only this page's style, forms posted here (and the
 * redirect to the client that follows an answer, which browsers check against `form-action`),
 * no framing, no caching.
 */
export function pageHeaders(nonce: string, redirectOrigin?: string): Record<string, string> {
  const formAction = redirectOrigin === undefined ? "'self'" : `'self' ${redirectOrigin}`;
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  };
}

export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}
