/**
 * What kv and r2 do beyond the shared store tests: kv's ttl floor (KV's 60 seconds) and its
 * expiry passed to KV; r2's ttl kept as `expires_at` metadata, an expired object reading as
 * absent (and removed) and left out of `list`, and its objects under `_plugins/` in FILES.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { kvPlugin } from "../../../plugins/kv/plugin.ts";
import { r2Plugin } from "../../../plugins/r2/plugin.ts";
import { pluginContext } from "../support/plugin-context.ts";
import { freshTenant } from "./store-support.ts";

describe("kv", () => {
  it("refuses a ttl under KV's 60 seconds and passes a valid one to KV", async () => {
    const tenant = freshTenant("kv-ttl");
    const context = pluginContext(kvPlugin, { tenant });
    await expect(kvPlugin.invoke("put", { key: "k", value: 1, ttl: 59 }, context)).rejects.toMatchObject({
      code: "external.failed",
      message: expect.stringContaining("ttl"),
    });
    await kvPlugin.invoke("put", { key: "k", value: 1, ttl: 3600 }, context);
    const listed = await env.STATE_KV?.list({ prefix: `t/${tenant}/` });
    expect(listed?.keys).toEqual([{ name: `t/${tenant}/k`, expiration: expect.any(Number) }]);
  });

  it("has no method it does not declare", async () => {
    await expect(kvPlugin.invoke("incr", { key: "k" }, pluginContext(kvPlugin))).rejects.toMatchObject({
      code: "external.failed",
      message: expect.stringContaining('has no method "incr"'),
    });
  });
});

describe("r2", () => {
  it("writes under _plugins/t/<tenant>/ with the expiry as metadata", async () => {
    const tenant = freshTenant("r2-ttl");
    await r2Plugin.invoke(
      "put",
      { key: "k", value: { a: 1 }, ttl: 3600 },
      pluginContext(r2Plugin, { tenant }),
    );
    const object = await env.FILES?.head(`_plugins/t/${tenant}/k`);
    expect(Number(object?.customMetadata?.expires_at)).toBeGreaterThan(0);
    expect(object?.httpMetadata?.contentType).toBe("application/json");
  });

  it("reads an expired object as absent, removes it, and leaves it out of list", async () => {
    const tenant = freshTenant("r2-exp");
    const context = pluginContext(r2Plugin, { tenant });
    const bucket = env.FILES;
    if (bucket === undefined) throw new Error("FILES is not bound");
    await bucket.put(`_plugins/t/${tenant}/old`, "1", { customMetadata: { expires_at: "1000" } });
    await r2Plugin.invoke("put", { key: "fresh", value: 2 }, context);
    expect(await r2Plugin.invoke("list", {}, context)).toEqual({ keys: ["fresh"], cursor: null });
    expect(await r2Plugin.invoke("get", { key: "old" }, context)).toEqual({ found: false, value: null });
    expect(await bucket.head(`_plugins/t/${tenant}/old`)).toBeNull();
  });
});
