/**
 * @module
 * What `plugin_list` shows of a plugin version: name, version, description, roles, capabilities
 * (which configuration fields are secrets, outbound HTTP/TCP, bindings), the configuration's JSON
 * Schema and each method's params and result JSON Schemas (zod's `toJSONSchema`, as a tool input
 * would be described). Made once per isolate per catalog: the catalog does not change while it runs.
 */
import { z } from "zod";
import type { PluginCatalog, PluginDescriptor } from "../../engine/plugins/descriptor.ts";
import { versionsOf } from "../../engine/plugins/resolve.ts";

const jsonSchema = z.record(z.string(), z.unknown());

export const pluginViewSchema = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  roles: z.array(z.enum(["call", "notify", "state"])),
  capabilities: z.object({
    http: z.boolean(),
    sockets: z.boolean(),
    bindings: z.array(z.string()),
    secret_fields: z.array(z.string()).describe("config fields that take {{ env.NAME }}"),
  }),
  config_schema: jsonSchema,
  methods: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      params_schema: jsonSchema,
      result_schema: jsonSchema,
    }),
  ),
});
export type PluginView = z.output<typeof pluginViewSchema>;

const views = new WeakMap<PluginCatalog, PluginView[]>();

/** Every version in `catalog`, by name then highest version first. */
export function pluginViews(catalog: PluginCatalog): PluginView[] {
  const known = views.get(catalog);
  if (known !== undefined) return known;
  const names = [...new Set(catalog.plugins.map((plugin) => plugin.name))].sort();
  const made = names.flatMap((name) => versionsOf(catalog, name).map(pluginView));
  views.set(catalog, made);
  return made;
}

function pluginView(plugin: PluginDescriptor): PluginView {
  return {
    name: plugin.name,
    version: plugin.version,
    description: plugin.description,
    roles: [...plugin.roles],
    capabilities: {
      http: plugin.capabilities.http,
      sockets: plugin.capabilities.sockets,
      bindings: [...plugin.capabilities.bindings],
      secret_fields: [...plugin.capabilities.secretFields],
    },
    config_schema: toJson(plugin.config, "input"),
    methods: Object.entries(plugin.methods)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, method]) => ({
        name,
        description: method.description,
        params_schema: toJson(method.params, "input"),
        result_schema: toJson(method.result, "output"),
      })),
  };
}

function toJson(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
}
