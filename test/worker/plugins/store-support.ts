/**
 * @module
 * The three state stores (kv, r2, redis) behind one face for the shared tests: a plugin, its
 * configuration against the real bindings or the real redis-server, and a way to read the raw
 * store under a stored key (to prove where a tenant's keys really land).
 */
import { env } from "cloudflare:test";
import type { Plugin } from "../../../plugins/contract.ts";
import { kvPlugin } from "../../../plugins/kv/plugin.ts";
import { r2Plugin } from "../../../plugins/r2/plugin.ts";
import { redisPlugin } from "../../../plugins/redis/plugin.ts";
import { withRedis } from "../../../plugins/redis/redis-session.ts";
import { parseRedisUrl } from "../../../plugins/redis/redis-url.ts";
import { pluginContext, pluginTargets } from "../support/plugin-context.ts";

export interface StoreUnderTest {
  name: string;
  plugin: Plugin;
  config(): Record<string, unknown>;
  /** Every stored key that starts with `rawPrefix`, read past the plugin. */
  rawKeys(rawPrefix: string): Promise<string[]>;
}

export function redisUrl(): string {
  const targets = pluginTargets();
  return `redis://:${targets.redisPassword}@127.0.0.1:${targets.redisPort}`;
}

export const STORES: StoreUnderTest[] = [
  {
    name: "kv",
    plugin: kvPlugin,
    config: () => ({}),
    rawKeys: async (prefix) =>
      (await requireBinding(env.STATE_KV).list({ prefix })).keys.map((key) => key.name),
  },
  {
    name: "r2",
    plugin: r2Plugin,
    config: () => ({}),
    rawKeys: async (prefix) =>
      (await requireBinding(env.FILES).list({ prefix })).objects.map((object) => object.key),
  },
  {
    name: "redis",
    plugin: redisPlugin,
    config: () => ({ url: redisUrl() }),
    rawKeys: (prefix) =>
      withRedis(parseRedisUrl(redisUrl()), pluginContext(redisPlugin), async (redis) => {
        const reply = await redis.command(["KEYS", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`]);
        return reply.type === "array" && reply.items !== null
          ? reply.items.flatMap((item) => (item.type === "bulk" && item.value !== null ? [item.value] : []))
          : [];
      }),
  },
];

/** A tenant id no other test uses (Redis is shared by every test file). */
export function freshTenant(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

function requireBinding<T>(binding: T | undefined): T {
  if (binding === undefined) throw new Error("the binding is missing from wrangler.toml");
  return binding;
}
