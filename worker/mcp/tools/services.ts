/**
 * @module
 * Tenant services over MCP: `service_register` (a named, configured use of a plugin for all the
 * tenant's workflows, resolved now to one exact version), `service_list`, `service_delete`. A
 * workflow's own `services:` entry of the same name wins over a tenant service.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { serviceNameSchema, usesSchema } from "../../../engine/dialect/index.ts";
import { freeObjectSchema } from "../../../engine/dialect/scalars.ts";
import { registerService } from "../../plugins/service-registration.ts";
import { defineTool } from "../tool-kit.ts";

export const tenantServiceSchema = z.object({
  name: z.string(),
  uses: z.string(),
  plugin: z.string(),
  version: z.string().describe("the exact version resolved when it was registered"),
  config: z.record(z.string(), z.unknown()).describe("as registered: {{ env.NAME }} references unresolved"),
  description: z.string().optional(),
  registered_at: z.string(),
  updated_at: z.string(),
});

export const serviceRegister = defineTool({
  name: "service_register",
  title: "Register a tenant service",
  description:
    "Registers (or replaces) a service every workflow of yours can name in external_call.service or " +
    'notify.channel without declaring it: {name, uses: "<plugin>@<range>", config}. `uses` resolves now to ' +
    "the highest version in range and that exact version is stored (register again to move to a newer one). " +
    "`config` is checked against the plugin's schema (plugin_list); only its secret_fields take " +
    "{{ env.NAME }} (a tenant secret, resolved when a call is made, never shown). A workflow's own " +
    "services: entry of the same name wins.",
  input: z.strictObject({
    name: serviceNameSchema,
    uses: usesSchema,
    config: freeObjectSchema.optional().describe("The plugin's configuration"),
    description: z.string().max(500).optional(),
  }),
  output: z.object({ service: tenantServiceSchema, created: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, { env, tenant, plugins, audit }) {
    return registerService(tenantStub(env, tenant), tenant, plugins, args, audit);
  },
});

export const serviceList = defineTool({
  name: "service_list",
  title: "List tenant services",
  description:
    "Lists the services registered for your tenant (service_register): name, uses, the exact plugin " +
    "version pinned, and the configuration as registered ({{ env.NAME }} references, never secret values).",
  input: z.strictObject({}),
  output: z.object({ services: z.array(tenantServiceSchema) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(_args, { env, tenant }) {
    return { services: await unwrap(tenantStub(env, tenant).listServices(tenant)) };
  },
});

export const serviceDelete = defineTool({
  name: "service_delete",
  title: "Delete a tenant service",
  description:
    "Deletes a tenant service by name. Published workflows that name it without declaring it themselves " +
    "fail that step with service.unknown until it is registered again.",
  input: z.strictObject({ name: serviceNameSchema }),
  output: z.object({ name: z.string(), deleted: z.literal(true) }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ name }, { env, tenant, audit }) {
    return unwrap(tenantStub(env, tenant).deleteService(tenant, name, audit));
  },
});
