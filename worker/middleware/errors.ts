/**
 * @module
 * The edge's error boundary: every error becomes `{error: {code, message, path?}}` with the
 * status `errors/codes.ts` assigns. Unexpected errors are logged with the request id and answered
 * with a generic 500; expected ones never are.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { ErrorShape } from "../../engine/errors.ts";
import { RateLimitedError } from "../../engine/rate-limits/rate-limited-error.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { mapError } from "../errors/to-error-shape.ts";
import { rateLimitHeaders } from "../rate-limits/rate-limit-headers.ts";

export const handleError: ErrorHandler = (thrown, c) => {
  const mapped = mapError(thrown);
  if (mapped.unexpected) {
    console.error(`[${requestIdOf(c)}] unexpected error`, thrown);
  }
  const extra = thrown instanceof RateLimitedError ? rateLimitHeaders(thrown.verdict) : {};
  return errorResponse(mapped.status, mapped.error, extra);
};

export const handleNotFound: NotFoundHandler = (c) =>
  errorResponse(404, {
    code: RuntimeCodes.routeNotFound,
    message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}. Routes: POST /mcp, POST /hooks/:tenant/<endpoint>, POST /events, GET /healthz, /admin/*.`,
  });

export function errorResponse(
  status: number,
  error: ErrorShape,
  extraHeaders: Record<string, string> = {},
): Response {
  const headers: Record<string, string> = { ...extraHeaders, "content-type": "application/json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="edgeflow"';
  return new Response(JSON.stringify({ error }), { status, headers });
}

function requestIdOf(c: Context): string {
  return (c.get("requestId" as never) as string | undefined) ?? "-";
}
