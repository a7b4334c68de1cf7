/**
 * Small plugins built from the contract (plugins/contract.ts) for the effect tests, registered
 * through `registerPlugin` (durable-objects/tenant/plugin-registry.ts), never through
 * plugins/index.ts: `http-test` (any method: POST `<base_url>/<method>` with the params as JSON,
 * `Idempotency-Key`, the auth header; a status >= 400 fails with `external.http_status` and the
 * `Retry-After` hint), `notify-test` (`send`: POST `{message, title}` to `url`) and `kv-test`
 * (`get`/`put` in the STATE_KV binding under the tenant's prefix). The crash test registers
 * `http-test` under `wrangler dev` through its own entry point; switch it to the first-party
 * `http` plugin once that is merged.
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

const notifyConfig = z.strictObject({ url: z.url() });
const notifyParams = z.strictObject({ message: z.unknown(), title: z.unknown().optional() });

export const notifyTestPlugin: Plugin = {
  name: "notify-test",
  version: "1.0.0",
  description: "POSTs {message, title} to url (tests only)",
  roles: ["notify"],
  config: notifyConfig,
  methods: { send: { description: "sends", params: notifyParams, result: httpResult } },
  capabilities: { http: true, sockets: false, bindings: [], secretFields: [] },
  async invoke(_method, params, context) {
    return postJson(context, notifyConfig.parse(context.config).url, params, {});
  },
};

const kvGet = z.strictObject({ key: z.string() });
const kvPut = z.strictObject({ key: z.string(), value: z.unknown(), ttl: z.number().optional() });

export const kvTestPlugin: Plugin = {
  name: "kv-test",
  version: "1.0.0",
  description: "JSON values in STATE_KV under the tenant's prefix (tests only)",
  roles: ["state"],
  config: z.strictObject({}),
  methods: {
    get: {
      description: "reads",
      params: kvGet,
      result: z.strictObject({ found: z.boolean(), value: z.unknown() }),
    },
    put: { description: "writes", params: kvPut, result: z.strictObject({ key: z.string() }) },
  },
  capabilities: { http: false, sockets: false, bindings: ["STATE_KV"], secretFields: [] },
  async invoke(method, params, context) {
    const kv = context.bindings.kv;
    if (kv === undefined) throw new EngineError("external.failed", "no STATE_KV binding");
    if (method === "get") {
      const { key } = kvGet.parse(params);
      const text = await kv.get(context.keyPrefix + key, "text");
      return text === null ? { found: false, value: null } : { found: true, value: JSON.parse(text) };
    }
    const { key, value, ttl } = kvPut.parse(params);
    await kv.put(
      context.keyPrefix + key,
      JSON.stringify(value),
      ttl === undefined ? {} : { expirationTtl: ttl },
    );
    return { key };
  },
};

export const TEST_PLUGINS: readonly Plugin[] = [httpTestPlugin, notifyTestPlugin, kvTestPlugin];
