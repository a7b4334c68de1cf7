/**
 * The first-party catalog as the loader will read it: each plugin a lower-case name and an exact
 * semver version, name@version unique, roles matching its methods (a notify plugin has `send`,
 * a state plugin get/put/delete/list), secret fields that are string fields of its configuration
 * schema, and bindings it uses that wrangler.toml declares.
 */
import { env } from "cloudflare:test";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FIRST_PARTY_PLUGINS } from "../../../plugins/index.ts";

describe("first-party plugins", () => {
  it("have unique names and exact semver versions", () => {
    const ids = FIRST_PARTY_PLUGINS.map((plugin) => `${plugin.name}@${plugin.version}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const plugin of FIRST_PARTY_PLUGINS) {
      expect(plugin.name).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(semver.valid(plugin.version)).toBe(plugin.version);
    }
    expect(ids).toEqual(
      expect.arrayContaining([
        "http@1.1.0",
        "http@2.0.0",
        "kv@1.0.0",
        "r2@1.0.0",
        "redis@1.0.0",
        "webhook@1.0.0",
        "slack@1.0.0",
        "email@1.0.0",
      ]),
    );
  });

  it("offer the methods their roles promise", () => {
    for (const plugin of FIRST_PARTY_PLUGINS) {
      const methods = Object.keys(plugin.methods);
      if (plugin.roles.includes("notify")) expect(methods, plugin.name).toContain("send");
      if (plugin.roles.includes("state"))
        expect(methods, plugin.name).toEqual(expect.arrayContaining(["get", "put", "delete", "list"]));
      if (plugin.name === "redis") expect(methods).toEqual(expect.arrayContaining(["incr", "expire"]));
    }
  });

  it("name as secret fields only string fields of their configuration", () => {
    for (const plugin of FIRST_PARTY_PLUGINS) {
      const schema = z.toJSONSchema(plugin.config, { io: "input", unrepresentable: "any" });
      for (const field of plugin.capabilities.secretFields) {
        let node: unknown = schema;
        for (const part of field.split(".")) {
          node = Reflect.get(Object(Reflect.get(Object(node), "properties")), part);
        }
        expect(Reflect.get(Object(node), "type"), `${plugin.name}: ${field}`).toBe("string");
      }
    }
  });

  it("use only bindings wrangler.toml declares", () => {
    const declared: Record<string, unknown> = { STATE_KV: env.STATE_KV, FILES: env.FILES, EMAIL: env.EMAIL };
    for (const plugin of FIRST_PARTY_PLUGINS) {
      for (const binding of plugin.capabilities.bindings)
        expect(declared[binding], `${plugin.name}: ${binding}`).toBeDefined();
    }
  });
});
