/**
 * @module
 * One JSON log line per request (docs/observability.md, "Logs"): request id, tenant (once
 * authentication named one), method, the matched route pattern (`/hooks/:tenant/*`, never the
 * raw path, which may hold a webhook endpoint or a sign-in code), status, the error code of an
 * error answer, and the duration. Never a header, a key, a query string or a body.
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { writeLogLine } from "../../engine/telemetry/log-record.ts";
import type { AppEnv } from "../app-env.ts";

/** Error answers are small JSON bodies of ours; anything larger is not read for its code. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

export const logRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  const startedAt = Date.now();
  await next();
  const status = c.res.status;
  writeLogLine(console, status >= 500 ? "error" : status >= 400 ? "warn" : "info", {
    event: "http_request",
    request_id: c.get("requestId"),
    tenant: c.get("tenant"),
    method: c.req.method,
    route: routePath(c, -1),
    status,
    code: status >= 400 ? await errorCodeOf(c.res) : undefined,
    duration_ms: Date.now() - startedAt,
  });
};

async function errorCodeOf(response: Response): Promise<string | undefined> {
  const length = Number(response.headers.get("content-length") ?? "0");
  const json = response.headers.get("content-type")?.includes("application/json") ?? false;
  if (!json || length > MAX_ERROR_BODY_BYTES) return undefined;
  try {
    const text = await response.clone().text();
    if (text.length > MAX_ERROR_BODY_BYTES) return undefined;
    const body: unknown = JSON.parse(text);
    const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
    // the platform's errors are {error: {code}}; OAuth's are {error: "invalid_token"}
    if (typeof error === "string") return error.slice(0, 64);
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" ? code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
