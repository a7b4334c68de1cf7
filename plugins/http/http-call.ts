/**
 * @module
 * One http call, shared by both majors: build the request, send it through the context's `fetch`
 * (egress-checked, timed out, size-capped by the runtime), throw `external.http_status` outside
 * 2xx, and answer `{status, headers, body}` with a JSON body parsed.
 */
import { z } from "zod";
import type { PluginContext } from "../contract.ts";
import { httpStatusError } from "../outbound/http-status-error.ts";
import { headersObject, readResponseBody } from "../outbound/response-body.ts";
import type { HttpConfig, HttpRoute } from "./http-config.ts";
import { buildHttpRequest } from "./http-request.ts";

export const httpParamsSchema = z
  .record(z.string(), z.unknown())
  .describe(
    "Sent as the JSON body (as the query string for GET, HEAD and DELETE); `{name}` path placeholders take theirs",
  );

export const httpResponseSchema = z.strictObject({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown().describe("Parsed when the answer is JSON, the text otherwise, null when empty"),
});
export type HttpResponse = z.output<typeof httpResponseSchema>;

export async function callHttp(
  config: HttpConfig,
  route: HttpRoute,
  params: Readonly<Record<string, unknown>>,
  context: PluginContext,
  label: string,
): Promise<HttpResponse> {
  const request = buildHttpRequest({ config, route, params, idempotencyKey: context.idempotencyKey, label });
  const response = await context.fetch(request);
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel();
    throw httpStatusError(response, label, Date.now());
  }
  return {
    status: response.status,
    headers: headersObject(response.headers),
    body: await readResponseBody(response),
  };
}
