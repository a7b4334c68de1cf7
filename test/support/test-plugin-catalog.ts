/**
 * Plugin descriptors for tests of resolution, services and `plugin_list`, independent of the
 * first-party plugins: `demo` in two majors side by side (1.0.0, 1.4.2, 2.0.0 and a 2.1.0 beta),
 * stand-ins named `http`, `kv` and `redis` for the workflows of older tests, a `chat` notifier and
 * a `vault` state backend with a secret field. Only what publish checks: no `invoke`.
 */
import { z } from "zod";
import type { PluginCatalog, PluginDescriptor, PluginMethodSpec } from "../../engine/plugins/descriptor.ts";

const anyResult = z.unknown();

function method(params: z.ZodType, description = "a test method"): PluginMethodSpec {
  return { description, params, result: anyResult };
}

function descriptor(
  fields: Pick<PluginDescriptor, "name" | "version" | "roles" | "config" | "methods"> & {
    secretFields?: string[];
  },
): PluginDescriptor {
  return {
    name: fields.name,
    version: fields.version,
    description: `${fields.name} ${fields.version} (test plugin)`,
    roles: fields.roles,
    config: fields.config,
    methods: fields.methods,
    capabilities: { http: true, sockets: false, bindings: [], secretFields: fields.secretFields ?? [] },
  };
}

const demoConfigV1 = z.strictObject({
  base_url: z.url(),
  token: z.string().optional(),
  retries: z.number().int().min(0).optional(),
});

export function demoV1(version: string): PluginDescriptor {
  return descriptor({
    name: "demo",
    version,
    roles: ["call"],
    config: demoConfigV1,
    secretFields: ["token"],
    methods: {
      echo: method(z.strictObject({ text: z.string(), count: z.number().int().optional() })),
      ping: method(z.strictObject({})),
    },
  });
}

export function demoV2(version: string): PluginDescriptor {
  return descriptor({
    name: "demo",
    version,
    roles: ["call", "notify"],
    config: z.strictObject({ endpoint: z.url(), auth: z.strictObject({ key: z.string() }).optional() }),
    secretFields: ["auth.key"],
    methods: {
      echo: method(z.strictObject({ text: z.string(), loud: z.boolean().default(false) })),
      shout: method(z.strictObject({ text: z.string() })),
    },
  });
}

/** `http@1.0.0`: any method name (`"*"`), any params, an optional base_url, `token` secret. */
export const httpStandIn = descriptor({
  name: "http",
  version: "1.0.0",
  roles: ["call"],
  config: z.strictObject({ base_url: z.string().optional(), token: z.string().optional() }),
  secretFields: ["token"],
  methods: { "*": method(z.record(z.string(), z.unknown())) },
});

/** A state backend whose `url` is a secret field. */
function stateStandIn(name: string): PluginDescriptor {
  return descriptor({
    name,
    version: "1.0.0",
    roles: ["call", "state"],
    config: z.strictObject({
      url: z.string().optional(),
      prefix: z.string().optional(),
      ttl: z.number().int().positive().optional(),
    }),
    secretFields: ["url"],
    methods: { get: method(z.strictObject({ key: z.string() })) },
  });
}

export const chatNotifier = descriptor({
  name: "chat",
  version: "1.2.0",
  roles: ["notify"],
  config: z.strictObject({ webhook_url: z.string().optional() }),
  secretFields: ["webhook_url"],
  methods: { send: method(z.strictObject({ text: z.string() })) },
});

export const TEST_PLUGINS: readonly PluginDescriptor[] = [
  demoV1("1.0.0"),
  demoV1("1.4.2"),
  demoV2("2.0.0"),
  demoV2("2.1.0-beta.1"),
  httpStandIn,
  stateStandIn("kv"),
  stateStandIn("redis"),
  chatNotifier,
];

export const TEST_CATALOG: PluginCatalog = { plugins: TEST_PLUGINS };

/** A catalog with one more release of `demo` 1.x, as if published after a workflow was. */
export function withNewerDemo(version: string): PluginCatalog {
  return { plugins: [...TEST_PLUGINS, demoV1(version)] };
}
