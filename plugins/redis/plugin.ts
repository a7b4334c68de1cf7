/**
 * @module
 * `redis@1.0.0`: a tenant's keys in a Redis server reached over TCP (`cloudflare:sockets`
 * through the context's `connect`), under `t/<tenant>/`, with the repository's own RESP2 client
 * (docs/decisions/0006-redis-client.md). Besides the store methods: `incr` (INCRBY) and
 * `expire`. Values are JSON text, so a number `put` is a Redis integer string `incr` can add to.
 */

import { z } from "zod";
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
  MAX_KEY_LENGTH,
  parseStoredValue,
  putParamsSchema,
  putResultSchema,
  putVersionedParamsSchema,
  putVersionedResultSchema,
  storeKeySchema,
} from "../store/store-methods.ts";
import { tenantKeys } from "../store/tenant-keys.ts";
import { PUT_VERSIONED_SCRIPT, versionedReplyOf } from "./put-versioned-script.ts";
import { REDIS_SECRET_FIELDS, type RedisConfig, redisConfigSchema } from "./redis-config.ts";
import { bulkOf, integerOf, matchPattern, scanPageOf } from "./redis-keys.ts";
import { type RedisSession, withRedis } from "./redis-session.ts";
import { parseRedisUrl } from "./redis-url.ts";

/** SCAN rounds one `list` call makes at most before answering a cursor. */
const MAX_SCAN_ROUNDS = 20;

/** Bytes of keys one `list` call gathers at most across its rounds; past it the page ends early (its cursor goes on). */
const MAX_LIST_KEY_BYTES = 256 * 1024;

const ttlSchema = z
  .number()
  .int()
  .min(1)
  .max(365 * 24 * 3600);

export const redisPlugin = definePlugin({
  name: "redis",
  version: "1.0.0",
  description:
    "JSON values in Redis (redis:// or rediss:// with AUTH), under the tenant's own prefix; incr and expire",
  roles: ["state", "call"],
  config: redisConfigSchema,
  capabilities: { http: false, sockets: true, bindings: [], secretFields: REDIS_SECRET_FIELDS },
  methods: (method) => ({
    get: method({
      description: "The value of a key",
      params: getParamsSchema,
      result: getResultSchema,
      run: ({ key }, config, context) =>
        session(config, context, async (redis, stored) => {
          const text = bulkOf(await redis.command(["GET", stored(key)]), "GET");
          return text === null
            ? { found: false, value: null }
            : { found: true, value: parseStoredValue(text) };
        }),
    }),
    put: method({
      description: "Stores a JSON value, optionally expiring after ttl seconds",
      params: putParamsSchema(1),
      result: putResultSchema,
      run: ({ key, value, ttl: own }, config, context) =>
        session(config, context, async (redis, stored) => {
          const ttl = own ?? config.ttl;
          const expiry = ttl === undefined ? [] : ["EX", String(ttl)];
          await redis.command(["SET", stored(key), JSON.stringify(value), ...expiry]);
          return { key };
        }),
    }),
    delete: method({
      description: "Removes a key (no error when it is absent)",
      params: deleteParamsSchema,
      result: deleteResultSchema,
      run: ({ key }, config, context) =>
        session(config, context, async (redis, stored) => {
          await redis.command(["DEL", stored(key)]);
          return { key };
        }),
    }),
    put_versioned: method({
      description:
        "Stores {version, value} unless the stored version is the same or newer (atomic: one Lua script)",
      params: putVersionedParamsSchema(1),
      result: putVersionedResultSchema,
      run: ({ key, value, version, ttl: own }, config, context) => {
        const ttl = own ?? config.ttl;
        return session(config, context, async (redis, stored) =>
          versionedReplyOf(
            await redis.command([
              "EVAL",
              PUT_VERSIONED_SCRIPT,
              "1",
              stored(key),
              JSON.stringify({ version, value }),
              String(version),
              ttl === undefined ? "" : String(ttl),
            ]),
          ),
        );
      },
    }),
    list: method({
      description: "Keys starting with prefix (SCAN: unordered, a page may hold a few more than limit)",
      params: listParamsSchema,
      result: listResultSchema,
      run: (params, config, context) => listKeys(params, config, context),
    }),
    incr: method({
      description:
        "Adds by (default 1) to an integer value, from 0 when the key is absent; answers the new value",
      params: z.strictObject({ key: storeKeySchema, by: z.number().int().safe().default(1) }),
      result: z.strictObject({ value: z.number().int() }),
      run: ({ key, by }, config, context) =>
        session(config, context, async (redis, stored) => ({
          value: integerOf(await redis.command(["INCRBY", stored(key), String(by)]), "INCRBY"),
        })),
    }),
    expire: method({
      description: "Sets a key to expire after ttl seconds; applied is false when the key does not exist",
      params: z.strictObject({ key: storeKeySchema, ttl: ttlSchema }),
      result: z.strictObject({ applied: z.boolean() }),
      run: ({ key, ttl }, config, context) =>
        session(config, context, async (redis, stored) => ({
          applied: integerOf(await redis.command(["EXPIRE", stored(key), String(ttl)]), "EXPIRE") === 1,
        })),
    }),
  }),
});

function session<T>(
  config: RedisConfig,
  context: PluginContext,
  work: (redis: RedisSession, stored: (key: string) => string) => Promise<T>,
): Promise<T> {
  const keys = tenantKeys(context.keyPrefix);
  return withRedis(parseRedisUrl(config.url), context, (redis) => work(redis, keys.stored));
}

function listKeys(
  { prefix, limit, cursor }: z.output<typeof listParamsSchema>,
  config: RedisConfig,
  context: PluginContext,
): Promise<z.input<typeof listResultSchema>> {
  if (cursor !== undefined && !/^\d{1,20}$/.test(cursor)) {
    throw new EngineError("external.failed", "redis list: a cursor is the digits a previous page answered");
  }
  const keys = tenantKeys(context.keyPrefix);
  const pattern = matchPattern(keys.listPrefix(prefix));
  return withRedis(parseRedisUrl(config.url), context, async (redis) => {
    const found: string[] = [];
    let bytes = 0;
    let next = cursor ?? "0";
    for (let round = 0; round < MAX_SCAN_ROUNDS; round++) {
      const page = scanPageOf(await redis.command(["SCAN", next, "MATCH", pattern, "COUNT", String(limit)]));
      // a key longer than any the platform writes is not one of ours (a server could answer anything)
      const visible = page.keys
        .flatMap((key) => keys.visible(key) ?? [])
        .filter((key) => key.length <= MAX_KEY_LENGTH);
      found.push(...visible);
      for (const key of visible) bytes += key.length;
      next = page.cursor;
      if (next === "0" || found.length >= limit || bytes >= MAX_LIST_KEY_BYTES) break;
    }
    return { keys: found, cursor: next === "0" ? null : next };
  });
}
