/**
 * @module
 * Builds the outbound `Request` of one http call: the route (configured, or the version's
 * default), `{name}` placeholders in its path filled from params, the rest of the params as a JSON
 * body (or as the query string for GET, HEAD and DELETE), static headers, auth, and the
 * `Idempotency-Key`. The URL never leaves `base_url`: a method or placeholder that would climb
 * out of it (`..`) is refused.
 */
import { EngineError } from "../../engine/errors.ts";
import { authHeaders } from "./auth-headers.ts";
import type { HttpConfig, HttpRoute } from "./http-config.ts";

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const VERBS_WITHOUT_BODY: ReadonlySet<string> = new Set(["GET", "HEAD", "DELETE"]);

export interface HttpCallInput {
  config: HttpConfig;
  route: HttpRoute;
  params: Readonly<Record<string, unknown>>;
  idempotencyKey: string;
  label: string;
}

export function buildHttpRequest(input: HttpCallInput): Request {
  const { config, route, label } = input;
  const remaining: Record<string, unknown> = { ...input.params };
  const path = route.path.replace(PLACEHOLDER, (_match, name: string) => {
    if (!Object.hasOwn(remaining, name)) {
      throw new EngineError("external.failed", `${label}: the path needs the param "${name}"`);
    }
    const value = remaining[name];
    delete remaining[name];
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (text === "." || text === "..") {
      throw new EngineError("external.failed", `${label}: the param "${name}" may not be "." or ".."`);
    }
    return encodeURIComponent(text);
  });
  assertInsideBase(path, label);
  const url = new URL(config.base_url.replace(/\/+$/, "") + path);
  const headers = new Headers({ accept: "application/json, */*;q=0.5", ...config.headers });
  let body: string | undefined;
  if (VERBS_WITHOUT_BODY.has(route.verb)) {
    for (const [name, value] of Object.entries(remaining)) {
      url.searchParams.append(name, typeof value === "string" ? value : JSON.stringify(value));
    }
  } else {
    body = JSON.stringify(remaining);
    headers.set("content-type", "application/json");
  }
  for (const [name, value] of Object.entries(authHeaders(config.auth, label))) headers.set(name, value);
  headers.set("idempotency-key", input.idempotencyKey);
  return new Request(url, { method: route.verb, headers, ...(body === undefined ? {} : { body }) });
}

/** A method name as a path: `deploy` is `/deploy`; segments of only dots are refused. */
export function pathOfMethod(methodName: string, label: string): string {
  if (!/^[A-Za-z0-9._~!$&'()*+,;=:@/-]{1,512}$/.test(methodName)) {
    throw new EngineError(
      "external.failed",
      `${label}: a method is a URL path (letters, digits and - . _ ~ / ...), without spaces, ? or #`,
    );
  }
  const path = methodName.startsWith("/") ? methodName : `/${methodName}`;
  assertInsideBase(path, label);
  return path;
}

function assertInsideBase(path: string, label: string): void {
  if (path.split("/").some((segment) => /^\.+$/.test(segment) || /^(%2e|\.)+$/i.test(segment))) {
    throw new EngineError("external.failed", `${label}: a path segment may not be "." or ".."`);
  }
}
