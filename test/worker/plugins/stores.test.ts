/**
 * kv, r2 and redis against the real KV namespace, R2 bucket and redis-server: get, put, delete and
 * list by prefix with pages, JSON values, and tenant isolation: two tenants with the same keys,
 * keys spelled like paths (`../x`) or like another tenant's prefix (`t/<other>/x`), and `list`
 * never showing a neighbour's key, checked against the raw store as well.
 */
import { describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import { R2_PLUGIN_ROOT } from "../../../plugins/r2/plugin.ts";
import { pluginContext } from "../support/plugin-context.ts";
import { freshTenant, STORES, type StoreUnderTest } from "./store-support.ts";

function client(store: StoreUnderTest, tenant: string) {
  const context = pluginContext(store.plugin, { tenant, config: store.config() });
  return (method: string, params: Record<string, unknown>) => store.plugin.invoke(method, params, context);
}

async function allKeys(call: ReturnType<typeof client>, prefix: string, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const answer = (await call("list", { prefix, limit, ...(cursor === null ? {} : { cursor }) })) as {
      keys: string[];
      cursor: string | null;
    };
    keys.push(...answer.keys);
    cursor = answer.cursor;
    if (cursor === null) break;
  }
  return [...new Set(keys)].sort();
}

const rootOf = (store: StoreUnderTest) => (store.name === "r2" ? R2_PLUGIN_ROOT : "");

describe.each(STORES)("$name", (store) => {
  it("stores JSON values and reads them back; a missing key is not found", async () => {
    const call = client(store, freshTenant("json"));
    for (const value of [{ a: [1, "two", null], b: { c: true } }, "text", 42, null]) {
      expect(await call("put", { key: "k", value })).toEqual({ key: "k" });
      expect(await call("get", { key: "k" })).toEqual({ found: true, value });
    }
    expect(await call("get", { key: "absent" })).toEqual({ found: false, value: null });
  });

  it("deletes a key, and deleting an absent key is fine", async () => {
    const call = client(store, freshTenant("del"));
    await call("put", { key: "gone", value: 1 });
    expect(await call("delete", { key: "gone" })).toEqual({ key: "gone" });
    expect(await call("get", { key: "gone" })).toEqual({ found: false, value: null });
    expect(await call("delete", { key: "gone" })).toEqual({ key: "gone" });
  });

  it("lists keys by prefix, page by page", async () => {
    const call = client(store, freshTenant("list"));
    const orders = ["order/1", "order/2", "order/3", "order/4", "order/5"];
    for (const key of [...orders, "other/1"]) await call("put", { key, value: key });
    expect(await allKeys(call, "order/", 2)).toEqual(orders);
    expect(await allKeys(call, "", 100)).toEqual([...orders, "other/1"]);
    expect(await allKeys(call, "nothing/", 10)).toEqual([]);
  });

  it("keeps each tenant inside its own prefix, whatever its keys look like", async () => {
    const a = freshTenant("alpha");
    const b = freshTenant("beta");
    const callA = client(store, a);
    const callB = client(store, b);
    const hostileKeys = [
      "shared",
      "../shared",
      `../${b}/shared`,
      `t/${b}/shared`,
      `/t/${b}/shared`,
      "*",
      "[a]?",
    ];
    for (const key of hostileKeys) await callA("put", { key, value: `from ${a}` });
    await callB("put", { key: "shared", value: `from ${b}` });

    expect(await callB("get", { key: "shared" })).toEqual({ found: true, value: `from ${b}` });
    expect(await callA("get", { key: "shared" })).toEqual({ found: true, value: `from ${a}` });
    for (const key of [`../${a}/shared`, `t/${a}/shared`, "../shared", "*"]) {
      expect(await callB("get", { key })).toEqual({ found: false, value: null });
    }
    expect(await allKeys(callB, "", 100)).toEqual(["shared"]);
    expect(await allKeys(callB, "*", 100)).toEqual([]);
    expect(await allKeys(callA, "", 100)).toEqual([...hostileKeys].sort());
    expect(await allKeys(callA, "*", 100)).toEqual(["*"]);

    // Past the plugin: every key of A sits under t/<a>/ and B's store holds one key.
    const root = rootOf(store);
    expect((await store.rawKeys(`${root}t/${a}/`)).sort()).toEqual(
      hostileKeys.map((key) => `${root}t/${a}/${key}`).sort(),
    );
    expect(await store.rawKeys(`${root}t/${b}/`)).toEqual([`${root}t/${b}/shared`]);
  });

  it("put_versioned writes {version, value} only over an older version", async () => {
    const call = client(store, freshTenant("ver"));
    expect(await call("put_versioned", { key: "run/r-1", value: { step: 2 }, version: 2 })).toEqual({
      written: true,
      version: 2,
    });
    expect(await call("put_versioned", { key: "run/r-1", value: { step: 1 }, version: 1 })).toEqual({
      written: false,
      version: 2,
    });
    expect(await call("put_versioned", { key: "run/r-1", value: { step: 9 }, version: 2 })).toEqual({
      written: false,
      version: 2,
    });
    expect(await call("get", { key: "run/r-1" })).toEqual({
      found: true,
      value: { version: 2, value: { step: 2 } },
    });
    expect(await call("put_versioned", { key: "run/r-1", value: { step: 3 }, version: 3 })).toEqual({
      written: true,
      version: 3,
    });
    expect(await call("get", { key: "run/r-1" })).toEqual({
      found: true,
      value: { version: 3, value: { step: 3 } },
    });
  });

  it.skipIf(store.name === "kv")(
    "put_versioned keeps the newest of concurrent writes in any order",
    async () => {
      const call = client(store, freshTenant("race"));
      const versions = [4, 9, 1, 7, 2, 10, 3, 8, 6, 5];
      await Promise.all(
        versions.map((version) => call("put_versioned", { key: "s", value: version, version })),
      );
      expect(await call("get", { key: "s" })).toEqual({ found: true, value: { version: 10, value: 10 } });
    },
  );

  it("refuses a context whose key prefix is not t/<tenant>/", async () => {
    const context = { ...pluginContext(store.plugin, { config: store.config() }), keyPrefix: "t/acme" };
    const error = await store.plugin.invoke("get", { key: "x" }, context).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "external.failed" });
  });

  it("refuses an empty key or one with control characters", async () => {
    const call = client(store, freshTenant("bad"));
    for (const key of ["", "a\nb", "x".repeat(401)]) {
      await expect(call("put", { key, value: 1 })).rejects.toMatchObject({ code: "external.failed" });
    }
  });
});
