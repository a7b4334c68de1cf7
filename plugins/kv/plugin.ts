/**
 * @module
 * `kv@1.0.0`: a tenant's keys in the `STATE_KV` namespace, under `t/<tenant>/`. Values are JSON
 * text; `ttl` is KV's `expirationTtl` (at least 60 seconds, KV's floor). KV is eventually
 * consistent across locations: a read elsewhere may see an older value for up to a minute.
 */
import type { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import type { PluginContext } from "../contract.ts";
import { definePlugin } from "../define-plugin.ts";
import {
  deleteParamsSchema,
  deleteResultSchema,
  getParamsSchema,
  getResultSchema,
  listParamsSchema,
  listResultSchema,
  parseStoredValue,
  putParamsSchema,
  putResultSchema,
  putVersionedParamsSchema,
  putVersionedResultSchema,
  storedVersion,
} from "../store/store-methods.ts";
import { tenantKeys } from "../store/tenant-keys.ts";
import { kvConfigSchema } from "./kv-config.ts";

const KV_MIN_TTL_SECONDS = 60;

export const kvPlugin = definePlugin({
  name: "kv",
  version: "1.0.0",
  description: "JSON values in Workers KV (the STATE_KV namespace), under the tenant's own prefix",
  roles: ["state", "call"],
  config: kvConfigSchema,
  capabilities: { http: false, sockets: false, bindings: ["STATE_KV"], secretFields: [] },
  methods: (method) => ({
    get: method({
      description: "The value of a key",
      params: getParamsSchema,
      result: getResultSchema,
      run: async ({ key }, _config, context) => {
        const text = await namespace(context).get(tenantKeys(context.keyPrefix).stored(key), "text");
        return text === null ? { found: false, value: null } : { found: true, value: parseStoredValue(text) };
      },
    }),
    put: method({
      description: "Stores a JSON value, optionally expiring after ttl seconds",
      params: putParamsSchema(KV_MIN_TTL_SECONDS),
      result: putResultSchema,
      run: async ({ key, value, ttl }, _config, context) => {
        await namespace(context).put(
          tenantKeys(context.keyPrefix).stored(key),
          JSON.stringify(value),
          ttl === undefined ? {} : { expirationTtl: ttl },
        );
        return { key };
      },
    }),
    delete: method({
      description: "Removes a key (no error when it is absent)",
      params: deleteParamsSchema,
      result: deleteResultSchema,
      run: async ({ key }, _config, context) => {
        await namespace(context).delete(tenantKeys(context.keyPrefix).stored(key));
        return { key };
      },
    }),
    put_versioned: method({
      description:
        "Stores {version, value} unless the stored version is the same or newer (read then write: KV has no compare-and-set)",
      params: putVersionedParamsSchema(KV_MIN_TTL_SECONDS),
      result: putVersionedResultSchema,
      run: async ({ key, value, version, ttl }, _config, context) => {
        const stored = tenantKeys(context.keyPrefix).stored(key);
        const current = storedVersion(await namespace(context).get(stored, "text"));
        if (current >= version) return { written: false, version: current };
        await namespace(context).put(
          stored,
          JSON.stringify({ version, value }),
          ttl === undefined ? {} : { expirationTtl: ttl },
        );
        return { written: true, version };
      },
    }),
    list: method({
      description: "Keys starting with prefix, a page at a time, in key order",
      params: listParamsSchema,
      result: listResultSchema,
      run: (params, _config, context) => listKeys(params, context),
    }),
  }),
});

async function listKeys(
  { prefix, limit, cursor }: z.output<typeof listParamsSchema>,
  context: PluginContext,
): Promise<z.input<typeof listResultSchema>> {
  const keys = tenantKeys(context.keyPrefix);
  const page = await namespace(context).list({
    prefix: keys.listPrefix(prefix),
    limit,
    ...(cursor === undefined ? {} : { cursor }),
  });
  return {
    keys: page.keys.flatMap((entry) => keys.visible(entry.name) ?? []),
    cursor: page.list_complete ? null : page.cursor,
  };
}

function namespace(context: PluginContext): KVNamespace {
  const kv = context.bindings.kv;
  if (kv === undefined)
    throw new EngineError("external.failed", "kv: the STATE_KV binding is not configured");
  return kv;
}
