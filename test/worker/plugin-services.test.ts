/**
 * Services and plugin versions through MCP tools and the admin routes, in workerd with the
 * TenantDO's real storage. Tools run against the test catalog (their `TenantScope.plugins`, what
 * the MCP route fills from worker/plugins/installed-plugins.ts); the admin routes and `plugin_list`
 * over HTTP use the installed catalog, whatever it holds. Publish stores
 * the exact versions resolved, a newer plugin release changes nothing for a stored version until
 * it is published again, two majors side by side, tenant services (MCP tools and admin routes,
 * pinned at registration, the workflow's own block winning), `plugin_list`, and `serviceFor`.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { TenantServices } from "../../durable-objects/tenant/service-lookup.ts";
import type { TenantDO } from "../../durable-objects/tenant-do.ts";
import type { PluginCatalog } from "../../engine/plugins/descriptor.ts";
import { publishedServices } from "../../engine/plugins/published.ts";
import { pluginCatalog } from "../../plugins/index.ts";
import { TEST_CATALOG, withNewerDemo } from "../support/test-plugin-catalog.ts";
import {
  adminFetch,
  callTool as callOverHttp,
  newTenant,
  type ToolCall,
  toolErrorOf,
} from "./support/clients.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";

/** The catalog the tools see; a test swaps it to show a newer release appearing. */
let catalog: PluginCatalog = TEST_CATALOG;
/** tenant id by API key, for calls made in-process */
const tenants = new Map<string, string>();

beforeEach(() => {
  catalog = TEST_CATALOG;
});

async function registeredTenant(prefix: string) {
  const tenant = await newTenant(prefix);
  tenants.set(tenant.apiKey, tenant.id);
  return tenant;
}

/** Runs a tool as the MCP route would for this key's tenant, with `catalog` as its plugins. */
function callTool(apiKey: string, name: string, args: Record<string, unknown> = {}): Promise<ToolCall> {
  return callToolWithPlugins(tenants.get(apiKey)!, name, args, catalog);
}

const workflow = (name: string, version: string, body: string) =>
  `name: "${name}"\ndescription: "x"\nversion: "${version}"\n${body}`;

const TWO_MAJORS = [
  "services:",
  '  old: {uses: "demo@^1", config: {base_url: "https://old.example", token: "Bearer {{ env.OLD_TOKEN }}"}}',
  '  new: {uses: "demo@^2", config: {endpoint: "https://new.example"}}',
  "steps:",
  "  - {id: a, type: external_call, service: old, method: echo, params: {text: hi}}",
  "  - {id: b, type: external_call, service: new, method: shout, params: {text: hi}}",
  "",
].join("\n");

async function storedDefinition(tenant: string, name: string, version?: string) {
  const outcome = await tenantStub(env, tenant).getWorkflow(tenant, name, version);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome));
  return outcome.value.workflow.definition as { resolved?: unknown };
}

describe("publish stores the versions it resolved", () => {
  it("publishes demo@^1 and demo@^2 side by side, each pinned", async () => {
    const tenant = await registeredTenant("plug");
    const published = await callTool(tenant.apiKey, "workflow_publish", {
      yaml: workflow("plug:majors", "1.0.0", TWO_MAJORS),
    });
    expect(published.isError, published.text).toBe(false);
    const stored = await storedDefinition(tenant.id, "plug:majors");
    expect(stored.resolved).toEqual({
      services: [
        {
          name: "old",
          plugin: "demo",
          version: "1.4.2",
          config: { base_url: "https://old.example", token: "Bearer {{ env.OLD_TOKEN }}" },
        },
        { name: "new", plugin: "demo", version: "2.0.0", config: { endpoint: "https://new.example" } },
      ],
    });
  });

  it("keeps a stored version's pins when a newer release appears; a new publish picks it up", async () => {
    const tenant = await registeredTenant("plug");
    const v1 = workflow("plug:pinned", "1.0.0", TWO_MAJORS);
    expect((await callTool(tenant.apiKey, "workflow_publish", { yaml: v1 })).isError).toBe(false);

    catalog = withNewerDemo("1.9.0");
    // the same text again is the same version: nothing is re-resolved
    const again = await callTool(tenant.apiKey, "workflow_publish", { yaml: v1 });
    expect(again.structured.created).toBe(false);
    const pinned = await storedDefinition(tenant.id, "plug:pinned", "1.0.0");
    expect(publishedServices(pinned).find((s) => s.name === "old")?.version).toBe("1.4.2");

    const v2 = workflow("plug:pinned", "1.1.0", TWO_MAJORS);
    expect((await callTool(tenant.apiKey, "workflow_publish", { yaml: v2 })).isError).toBe(false);
    const republished = await storedDefinition(tenant.id, "plug:pinned", "1.1.0");
    expect(publishedServices(republished).find((s) => s.name === "old")?.version).toBe("1.9.0");
    expect(publishedServices(pinned).find((s) => s.name === "old")?.version).toBe("1.4.2");
  });

  it("refuses what does not resolve, located, and stores nothing", async () => {
    const tenant = await registeredTenant("plug");
    const yaml = workflow(
      "plug:bad",
      "1.0.0",
      'services:\n  api: {uses: "demo@^9"}\nsteps:\n  - {id: a, type: external_call, service: nowhere, method: echo}\n',
    );
    const validated = await callTool(tenant.apiKey, "workflow_validate", { yaml });
    const errors = validated.structured.errors as { code: string; line: number; column: number }[];
    expect(errors.map((e) => `${e.line}:${e.column} ${e.code}`)).toEqual([
      "5:16 plugin.no_matching_version",
      "7:43 service.unknown",
    ]);
    const published = await callTool(tenant.apiKey, "workflow_publish", { yaml });
    expect(toolErrorOf(published).code).toBe("workflow.invalid");
    expect((published.structured.errors as { code: string }[]).map((e) => e.code)).toEqual([
      "plugin.no_matching_version",
      "service.unknown",
    ]);
    const listed = await callTool(tenant.apiKey, "workflow_list");
    expect(JSON.stringify(listed.structured)).not.toContain("plug:bad");
  });
});

describe("tenant services", () => {
  it("registers, lists and deletes over MCP, pinned at registration; a workflow's block wins", async () => {
    const tenant = await registeredTenant("svc");
    const registered = await callTool(tenant.apiKey, "service_register", {
      name: "api",
      uses: "demo@^2",
      config: { endpoint: "https://tenant.example", auth: { key: "{{ env.API_KEY }}" } },
    });
    expect(registered.isError, registered.text).toBe(false);
    expect(registered.structured).toMatchObject({
      created: true,
      service: { name: "api", uses: "demo@^2", plugin: "demo", version: "2.0.0" },
    });

    // a workflow naming "api" without declaring it reaches the tenant service (shout is 2.x only)
    const usesTenant = workflow(
      "svc:tenant",
      "1.0.0",
      "steps:\n  - {id: a, type: external_call, service: api, method: shout, params: {text: hi}}\n",
    );
    expect((await callTool(tenant.apiKey, "workflow_publish", { yaml: usesTenant })).isError).toBe(false);
    // its own block wins: demo 1.x has no shout
    const ownBlock = workflow(
      "svc:own",
      "1.0.0",
      'services:\n  api: {uses: "demo@^1", config: {base_url: "https://own.example"}}\nsteps:\n  - {id: a, type: external_call, service: api, method: shout, params: {text: hi}}\n',
    );
    const refused = await callTool(tenant.apiKey, "workflow_publish", { yaml: ownBlock });
    expect((refused.structured.errors as { code: string }[]).map((e) => e.code)).toEqual([
      "plugin.unknown_method",
    ]);

    catalog = withNewerDemo("1.9.0");
    const listed = await callTool(tenant.apiKey, "service_list");
    expect(listed.structured.services).toEqual([
      expect.objectContaining({
        name: "api",
        version: "2.0.0",
        config: { endpoint: "https://tenant.example", auth: { key: "{{ env.API_KEY }}" } },
      }),
    ]);

    const deleted = await callTool(tenant.apiKey, "service_delete", { name: "api" });
    expect(deleted.structured).toEqual({ name: "api", deleted: true });
    expect(toolErrorOf(await callTool(tenant.apiKey, "service_delete", { name: "api" })).code).toBe(
      "service.not_found",
    );
    const after = await callTool(tenant.apiKey, "workflow_validate", {
      yaml: usesTenant.replace("1.0.0", "1.0.1"),
    });
    expect((after.structured.errors as { code: string }[]).map((e) => e.code)).toEqual(["service.unknown"]);
  });

  it("refuses a registration that does not resolve or whose config does not fit, with a path", async () => {
    const tenant = await registeredTenant("svc");
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: "a", uses: "nope@^1" }, "plugin.unknown", "uses"],
      [{ name: "a", uses: "demo" }, "plugin.invalid_uses", "uses"],
      [
        { name: "a", uses: "demo@^1", config: { base_url: "x" } },
        "service.invalid_config",
        "config.base_url",
      ],
      [
        { name: "a", uses: "demo@^1", config: { base_url: "{{ env.URL }}" } },
        "expression.env_not_allowed",
        "config.base_url",
      ],
      [{ name: "bad name", uses: "demo@^1" }, "input.invalid", "name"],
      [
        { name: "a", uses: "demo@^1", config: { base_url: "https://x.example", pad: "x".repeat(20_000) } },
        "service.invalid_config",
        "config",
      ],
    ];
    for (const [args, code, path] of cases) {
      const error = toolErrorOf(await callTool(tenant.apiKey, "service_register", args));
      expect([error.code, error.path]).toEqual([code, path]);
    }
    expect((await callTool(tenant.apiKey, "service_list")).structured.services).toEqual([]);
  });

  it("are administered under /admin/tenants/:id/services, per tenant", async () => {
    const [one, two] = [await registeredTenant("svc"), await registeredTenant("svc")];
    const registered = await callTool(one.apiKey, "service_register", {
      name: "hook",
      uses: "chat@^1",
      config: { webhook_url: "{{ env.HOOK_URL }}" },
    });
    expect(registered.isError, registered.text).toBe(false);
    const listOne = (await (await adminFetch(`/admin/tenants/${one.id}/services`)).json()) as {
      services: { name: string; uses: string; version: string; config: unknown }[];
    };
    expect(listOne.services).toEqual([
      expect.objectContaining({
        name: "hook",
        uses: "chat@^1",
        version: "1.2.0",
        config: { webhook_url: "{{ env.HOOK_URL }}" },
      }),
    ]);
    expect(await (await adminFetch(`/admin/tenants/${two.id}/services`)).json()).toEqual({ services: [] });
    expect((await callTool(two.apiKey, "service_list")).structured.services).toEqual([]);
    expect((await adminFetch(`/admin/tenants/${two.id}/services/hook`, { method: "DELETE" })).status).toBe(
      404,
    );

    // registration over the route resolves against the installed catalog: no plugin is named "nope"
    const unknown = await adminFetch(`/admin/tenants/${one.id}/services/other`, {
      method: "PUT",
      body: JSON.stringify({ uses: "nope@^1", config: {} }),
    });
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([
      422,
      "plugin.unknown",
    ]);
    const badName = await adminFetch(`/admin/tenants/${one.id}/services/bad%20name`, {
      method: "PUT",
      body: JSON.stringify({ uses: "chat@^1" }),
    });
    expect(badName.status).toBe(400);
    const badBody = await adminFetch(`/admin/tenants/${one.id}/services/other`, {
      method: "PUT",
      body: JSON.stringify({ uses: "chat@^1", extra: true }),
    });
    expect(badBody.status).toBe(400);
    expect((await adminFetch(`/admin/tenants/nobody-here/services`)).status).toBe(404);

    expect((await adminFetch(`/admin/tenants/${one.id}/services/hook`, { method: "DELETE" })).status).toBe(
      200,
    );
    expect(await (await adminFetch(`/admin/tenants/${one.id}/services`)).json()).toEqual({ services: [] });
  });

  it("serviceFor: the workflow's own service wins, else the tenant's, else nothing", async () => {
    const tenant = await registeredTenant("svc");
    await callTool(tenant.apiKey, "service_register", {
      name: "shared",
      uses: "demo@^1",
      config: { base_url: "https://tenant.example" },
    });
    const lookup = workflow(
      "svc:lookup",
      "1.0.0",
      'services:\n  shared: {uses: "demo@^2", config: {endpoint: "https://own.example"}}\nexternal_state:\n  backend: kv\nsteps:\n  - {id: a, type: external_call, service: shared, method: shout, params: {text: t}}\n',
    );
    const published = await callTool(tenant.apiKey, "workflow_publish", { yaml: lookup });
    expect(published.isError, published.text).toBe(false);
    const stub = env.TENANT_DO.get(env.TENANT_DO.idFromName(tenant.id));
    await runInDurableObject(stub, (instance: TenantDO, state) => {
      void instance;
      const services = new TenantServices(state.storage.sql);
      const own = { name: "shared", plugin: "demo", version: "2.0.0", config: {} };
      expect(services.serviceFor([own], "shared")).toEqual(own);
      expect(services.serviceFor([], "shared")).toEqual({
        name: "shared",
        plugin: "demo",
        version: "1.4.2",
        config: { base_url: "https://tenant.example" },
      });
      expect(services.serviceFor([own], "missing")).toBeUndefined();
      // a stored version's own services first: "shared" is the workflow's, "other" the tenant's
      expect(services.serviceOfVersion("svc:lookup", "1.0.0", "shared")).toMatchObject({ version: "2.0.0" });
      expect(services.serviceOfVersion("svc:lookup", "1.0.0", "nobody")).toBeUndefined();
      expect(services.externalStateOfVersion("svc:lookup", "1.0.0")).toMatchObject({ plugin: "kv" });
    });
  });
});

describe("plugin_list", () => {
  it("shows every version with roles, methods, JSON Schemas and secret fields", async () => {
    const tenant = await registeredTenant("plist");
    const listed = await callTool(tenant.apiKey, "plugin_list", { name: "demo" });
    const plugins = listed.structured.plugins as {
      version: string;
      roles: string[];
      capabilities: { secret_fields: string[] };
      config_schema: { properties?: Record<string, unknown> };
      methods: {
        name: string;
        params_schema: { properties?: Record<string, unknown>; required?: string[] };
      }[];
    }[];
    expect(plugins.map((p) => p.version)).toEqual(["2.1.0-beta.1", "2.0.0", "1.4.2", "1.0.0"]);
    const v1 = plugins.find((p) => p.version === "1.4.2")!;
    expect(v1.roles).toEqual(["call"]);
    expect(v1.capabilities.secret_fields).toEqual(["token"]);
    expect(Object.keys(v1.config_schema.properties ?? {})).toEqual(["base_url", "token", "retries"]);
    expect(v1.methods.map((m) => m.name)).toEqual(["echo", "ping"]);
    expect(v1.methods[0]!.params_schema.required).toEqual(["text"]);
    const all = await callTool(tenant.apiKey, "plugin_list");
    expect((all.structured.plugins as { name: string }[]).map((p) => p.name)).toEqual([
      "chat",
      "demo",
      "demo",
      "demo",
      "demo",
      "http",
      "kv",
      "redis",
    ]);
  });
});

describe("plugin_list over /mcp", () => {
  it("shows exactly what the installed catalog holds (empty or not), in its documented shape", async () => {
    const tenant = await newTenant("plist");
    const listed = await callOverHttp(tenant.apiKey, "plugin_list");
    expect(listed.isError, listed.text).toBe(false);
    const plugins = listed.structured.plugins as {
      name: string;
      version: string;
      roles: string[];
      capabilities: { secret_fields: string[] };
      config_schema: Record<string, unknown>;
      methods: {
        name: string;
        params_schema: Record<string, unknown>;
        result_schema: Record<string, unknown>;
      }[];
    }[];
    const expected = [...pluginCatalog.plugins].map((plugin) => `${plugin.name}@${plugin.version}`).sort();
    expect(plugins.map((plugin) => `${plugin.name}@${plugin.version}`).sort()).toEqual(expected);
    for (const plugin of plugins) {
      const source = pluginCatalog.plugins.find(
        (p) => p.name === plugin.name && p.version === plugin.version,
      )!;
      expect(plugin.roles).toEqual([...source.roles]);
      expect(plugin.capabilities.secret_fields).toEqual([...source.capabilities.secretFields]);
      expect(plugin.methods.map((method) => method.name).sort()).toEqual(Object.keys(source.methods).sort());
      expect(typeof plugin.config_schema).toBe("object");
      for (const method of plugin.methods) expect(typeof method.params_schema).toBe("object");
    }
  });
});
