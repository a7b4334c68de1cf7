/**
 * @module
 * `r2@1.0.0`: a tenant's objects in the `FILES` bucket under `_plugins/t/<tenant>/`. The
 * `_plugins/` segment can never be a tenant id (ids are lower-case letters, digits and inner
 * hyphens), so the bucket's event notifications for these writes are dropped by the queue
 * consumer instead of reaching a tenant as `file_change` events. R2 has no expiry per object:
 * `ttl` is stored as `expires_at` metadata, and an expired object reads as absent (and is removed
 * then), is left out of `list`, and is gone for good with a bucket lifecycle rule on `_plugins/`.
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
import { type TenantKeys, tenantKeys } from "../store/tenant-keys.ts";
import { r2ConfigSchema } from "./r2-config.ts";

/** The fixed first segment of every object this plugin writes in the shared bucket. */
export const R2_PLUGIN_ROOT = "_plugins/";
const EXPIRES_AT = "expires_at";

export const r2Plugin = definePlugin({
  name: "r2",
  version: "1.0.0",
  description: "JSON objects in R2 (the FILES bucket, under _plugins/), under the tenant's own prefix",
  roles: ["state", "call"],
  config: r2ConfigSchema,
  capabilities: { http: false, sockets: false, bindings: ["FILES"], secretFields: [] },
  methods: (method) => ({
    get: method({
      description: "The value of a key",
      params: getParamsSchema,
      result: getResultSchema,
      run: async ({ key }, _config, context) => {
        const stored = keysOf(context).stored(key);
        const object = await bucket(context).get(stored);
        if (object === null) return { found: false, value: null };
        if (isExpired(object.customMetadata, Date.now())) {
          await object.body.cancel();
          await bucket(context).delete(stored);
          return { found: false, value: null };
        }
        return { found: true, value: parseStoredValue(await object.text()) };
      },
    }),
    put: method({
      description: "Stores a JSON value, optionally expiring after ttl seconds",
      params: putParamsSchema(1),
      result: putResultSchema,
      run: async ({ key, value, ttl }, _config, context) => {
        await bucket(context).put(keysOf(context).stored(key), JSON.stringify(value), {
          httpMetadata: { contentType: "application/json" },
          customMetadata: expiryMetadata(ttl),
        });
        return { key };
      },
    }),
    delete: method({
      description: "Removes a key (no error when it is absent)",
      params: deleteParamsSchema,
      result: deleteResultSchema,
      run: async ({ key }, _config, context) => {
        await bucket(context).delete(keysOf(context).stored(key));
        return { key };
      },
    }),
    put_versioned: method({
      description:
        "Stores {version, value} unless the stored version is the same or newer (conditional on the ETag read)",
      params: putVersionedParamsSchema(1),
      result: putVersionedResultSchema,
      run: ({ key, value, version, ttl }, _config, context) =>
        putVersioned(keysOf(context).stored(key), { version, value }, ttl, context),
    }),
    list: method({
      description: "Keys starting with prefix, a page at a time, in key order (expired ones left out)",
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
  const keys = keysOf(context);
  const page = await bucket(context).list({
    prefix: keys.listPrefix(prefix),
    limit,
    include: ["customMetadata"],
    ...(cursor === undefined ? {} : { cursor }),
  });
  const now = Date.now();
  return {
    keys: page.objects
      .filter((object) => !isExpired(object.customMetadata, now))
      .flatMap((object) => keys.visible(object.key) ?? []),
    cursor: page.truncated ? page.cursor : null,
  };
}

/** Attempts at a conditional write that lost to a concurrent writer before giving up. */
const MAX_VERSIONED_ATTEMPTS = 10;

async function putVersioned(
  stored: string,
  document: { version: number; value: unknown },
  ttl: number | undefined,
  context: PluginContext,
): Promise<z.input<typeof putVersionedResultSchema>> {
  for (let attempt = 0; attempt < MAX_VERSIONED_ATTEMPTS; attempt++) {
    const current = await bucket(context).get(stored);
    const currentVersion =
      current === null || isExpired(current.customMetadata, Date.now())
        ? -1
        : storedVersion(await current.text());
    if (currentVersion >= document.version) return { written: false, version: currentVersion };
    const written = await bucket(context).put(stored, JSON.stringify(document), {
      httpMetadata: { contentType: "application/json" },
      customMetadata: expiryMetadata(ttl),
      // Create only if still absent, else replace only the object read: a concurrent writer makes it null.
      onlyIf: current === null ? { etagDoesNotMatch: "*" } : { etagMatches: current.etag },
    });
    if (written !== null) return { written: true, version: document.version };
  }
  throw new EngineError("external.failed", "r2 put_versioned: the object kept changing under the write", {
    retryable: true,
  });
}

function expiryMetadata(ttl: number | undefined): Record<string, string> {
  return ttl === undefined ? {} : { [EXPIRES_AT]: String(Date.now() + ttl * 1000) };
}

function isExpired(metadata: Record<string, string> | undefined, now: number): boolean {
  const expiresAt = Number(metadata?.[EXPIRES_AT]);
  return Number.isFinite(expiresAt) && expiresAt <= now;
}

function keysOf(context: PluginContext): TenantKeys {
  return tenantKeys(context.keyPrefix, R2_PLUGIN_ROOT);
}

function bucket(context: PluginContext): R2Bucket {
  const r2 = context.bindings.r2;
  if (r2 === undefined) throw new EngineError("external.failed", "r2: the FILES binding is not configured");
  return r2;
}
