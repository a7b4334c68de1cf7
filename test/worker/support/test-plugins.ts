/**
 * `http-test`, a plugin built from the contract (plugins/contract.ts) for the effect runner's own
 * tests (test/worker/effect-calls.test.ts), which pass it to `runEffect` with their own plugin
 * finder; it is never in plugins/index.ts. Any method: POST `<base_url>/<method>` with the params
 * as JSON, `Idempotency-Key`, the auth header; a status >= 400 fails with `external.http_status`
 * and the `Retry-After` hint. Unlike the first-party `http`, its configuration takes any URL, so
 * a test reaches the context's egress rule with a `file:` URL.
 */
import { z } from "zod";
import { EngineError } from "../../../engine/errors.ts";
import type { Plugin, PluginContext } from "../../../plugins/contract.ts";

/** An HTTP failure that carries the target's `Retry-After` (seconds), read by the effect runner. */
export class HttpStatusError extends EngineError {
  constructor(status: number, retryAfterSeconds: number | undefined) {
    super(
      "external.http_status",
      `the target answered ${status}`,
      retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
    );
  }
}

const authSchema = z.strictObject({
  type: z.enum(["bearer", "basic", "header", "none"]),
  token: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  header: z.string().optional(),
  value: z.string().optional(),
});
const httpConfig = z.strictObject({ base_url: z.url(), auth: authSchema.optional() });
const anything = z.record(z.string(), z.unknown());
const httpResult = z.strictObject({ status: z.number(), body: z.unknown() });

function authHeaders(auth: z.output<typeof authSchema> | undefined): Record<string, string> {
  if (auth === undefined) return {};
  if (auth.type === "bearer") return { authorization: `Bearer ${auth.token ?? ""}` };
  if (auth.type === "basic") return { authorization: `Basic ${btoa(`${auth.username}:${auth.password}`)}` };
  if (auth.type === "header" && auth.header !== undefined) return { [auth.header]: auth.value ?? "" };
  return {};
}

async function postJson(context: PluginContext, url: string, body: unknown, headers: Record<string, string>) {
  const response = await context.fetch(
    new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": context.idempotencyKey, ...headers },
      body: JSON.stringify(body),
    }),
  );
  if (response.status >= 400) {
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new HttpStatusError(
      response.status,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the text
  }
  return { status: response.status, body: parsed };
}

export const httpTestPlugin: Plugin = {
  name: "http-test",
  version: "1.0.0",
  description: "POSTs params as JSON to <base_url>/<method> (tests only)",
  roles: ["call"],
  config: httpConfig,
  methods: { "*": { description: "any path", params: anything, result: httpResult } },
  capabilities: {
    http: true,
    sockets: false,
    bindings: [],
    secretFields: ["auth.token", "auth.password", "auth.value"],
  },
  async invoke(method, params, context) {
    const config = httpConfig.parse(context.config);
    return postJson(context, `${config.base_url}/${method}`, params, authHeaders(config.auth));
  },
};
