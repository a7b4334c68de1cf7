/**
 * The redis plugin's own parts against a real redis-server over `cloudflare:sockets`: incr and
 * expire, put's ttl, AUTH as the default user and as an ACL user, the database index of the URL,
 * and the errors for a wrong password and an unreachable server (neither quoting the URL).
 */
import { describe, expect, it } from "vitest";
import { redisPlugin } from "../../../plugins/redis/plugin.ts";
import { withRedis } from "../../../plugins/redis/redis-session.ts";
import { parseRedisUrl } from "../../../plugins/redis/redis-url.ts";
import { pluginContext, pluginTargets } from "../support/plugin-context.ts";
import { freshTenant, redisUrl } from "./store-support.ts";

function client(url: string, tenant = freshTenant("redis")) {
  const context = pluginContext(redisPlugin, { tenant, config: { url } });
  return (method: string, params: Record<string, unknown>) => redisPlugin.invoke(method, params, context);
}

async function raw(url: string, args: string[]) {
  return withRedis(parseRedisUrl(url), pluginContext(redisPlugin), (redis) => redis.command(args));
}

describe("redis", () => {
  it("increments from 0, by any step, and adds to a number put before", async () => {
    const call = client(redisUrl());
    expect(await call("incr", { key: "hits" })).toEqual({ value: 1 });
    expect(await call("incr", { key: "hits", by: 41 })).toEqual({ value: 42 });
    expect(await call("incr", { key: "hits", by: -2 })).toEqual({ value: 40 });
    expect(await call("get", { key: "hits" })).toEqual({ found: true, value: 40 });
    await call("put", { key: "n", value: 7 });
    expect(await call("incr", { key: "n" })).toEqual({ value: 8 });
  });

  it("answers Redis's own error when incr meets a value that is not an integer", async () => {
    const call = client(redisUrl());
    await call("put", { key: "text", value: "abc" });
    await expect(call("incr", { key: "text" })).rejects.toMatchObject({
      code: "external.failed",
      message: expect.stringContaining("not an integer"),
    });
  });

  it("sets an expiry with expire and with put's ttl, under the tenant's prefix", async () => {
    const tenant = freshTenant("ttl");
    const call = client(redisUrl(), tenant);
    expect(await call("expire", { key: "absent", ttl: 60 })).toEqual({ applied: false });
    await call("put", { key: "a", value: 1 });
    expect(await call("expire", { key: "a", ttl: 120 })).toEqual({ applied: true });
    await call("put", { key: "b", value: 2, ttl: 300 });
    const ttlA = await raw(redisUrl(), ["TTL", `t/${tenant}/a`]);
    const ttlB = await raw(redisUrl(), ["TTL", `t/${tenant}/b`]);
    expect(ttlA).toMatchObject({ type: "integer", value: expect.any(Number) });
    expect(ttlA.type === "integer" && ttlA.value > 0 && ttlA.value <= 120).toBe(true);
    expect(ttlB.type === "integer" && ttlB.value > 120 && ttlB.value <= 300).toBe(true);
  });

  it("authenticates as an ACL user and uses the URL's database", async () => {
    const targets = pluginTargets();
    const userUrl = `redis://${targets.redisUser}:${targets.redisUserPassword}@127.0.0.1:${targets.redisPort}/3`;
    const tenant = freshTenant("db");
    await client(userUrl, tenant)("put", { key: "where", value: "db 3" });
    expect(await raw(`${redisUrl()}/3`, ["GET", `t/${tenant}/where`])).toEqual({
      type: "bulk",
      value: '"db 3"',
    });
    expect(await raw(redisUrl(), ["GET", `t/${tenant}/where`])).toEqual({ type: "bulk", value: null });
  });

  it("fails with Redis's answer to a wrong password, which does not hold the password", async () => {
    const wrong = `redis://:not-the-password@127.0.0.1:${pluginTargets().redisPort}`;
    const error = await client(wrong)("get", { key: "x" }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: "external.failed",
      message: expect.stringMatching(/^redis AUTH: WRONGPASS/),
    });
    expect(String(Reflect.get(Object(error), "message"))).not.toContain("not-the-password");
  });

  it("fails without a password where the server requires one", async () => {
    const call = client(`redis://127.0.0.1:${pluginTargets().redisPort}`);
    await expect(call("get", { key: "x" })).rejects.toMatchObject({
      message: expect.stringContaining("NOAUTH"),
    });
  });

  it("fails as external.failed when nothing listens, without quoting the URL", async () => {
    const closed = 1; // tcpmux: nothing listens on it here, so the connection is refused
    const error = await client(`redis://:secret-pw@127.0.0.1:${closed}`)("get", { key: "x" }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: "external.failed", retryable: true });
    expect(String(Reflect.get(Object(error), "message"))).not.toContain("secret-pw");
  });

  it("refuses a URL that is not redis:// or rediss://", async () => {
    await expect(client("http://127.0.0.1:6379")("get", { key: "x" })).rejects.toMatchObject({
      code: "external.failed",
      message: expect.stringContaining("redis:// or rediss://"),
    });
  });
});

describe("redis and the call's signal", () => {
  it("closes the connection when the call's signal aborts: external.timeout, nothing written", async () => {
    const tenant = freshTenant("abort");
    const controller = new AbortController();
    controller.abort();
    const context = pluginContext(redisPlugin, {
      tenant,
      config: { url: redisUrl() },
      signal: controller.signal,
    });
    await expect(redisPlugin.invoke("put", { key: "k", value: 1 }, context)).rejects.toMatchObject({
      code: "external.timeout",
    });
    expect(await raw(redisUrl(), ["EXISTS", `t/${tenant}/k`])).toEqual({ type: "integer", value: 0 });
  });
});
