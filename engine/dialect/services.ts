/**
 * @module
 * The top-level `services:` block: named, configured uses of a plugin
 * (`deployment_api: {uses: "http@^1", config: {base_url: ...}}`). `external_call.service` and
 * `notify.channel` name them; a name the block does not define may be a service the tenant
 * registered. Which plugin version a service gets, and whether its configuration fits, is decided
 * at publish against the plugin catalog (engine/plugins/).
 */
import { z } from "zod";
import { freeObjectSchema } from "./scalars.ts";

/**
 * A service's name: a letter or `_`, then letters, digits, `_` and `-`; 64 characters at most;
 * not `__proto__` (as an object key it would set the prototype and the service would vanish).
 */
export const SERVICE_NAME_PATTERN = /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export const serviceNameSchema = z
  .string()
  .regex(
    SERVICE_NAME_PATTERN,
    "a service name must match ^[A-Za-z_][A-Za-z0-9_-]{0,63}$ and not be __proto__",
  )
  .describe(
    "Service name: a letter or _, then letters, digits, _ and - (64 characters at most; not __proto__)",
  );

/** `uses` is short: a plugin name and a semver range. */
export const MAX_USES_LENGTH = 200;

export const usesSchema = z
  .string()
  .min(1)
  .max(MAX_USES_LENGTH)
  .describe('Plugin and semver range, "<name>@<range>" (e.g. "http@^1"); resolved at publish');

export const serviceSchema = z
  .strictObject({
    uses: usesSchema,
    config: freeObjectSchema
      .optional()
      .describe(
        "The plugin's configuration, checked against its schema at publish. Only the plugin's secret fields take {{ env.NAME }}; no other {{ }} is evaluated",
      ),
    description: z.string().optional().describe("What the service is for"),
  })
  .describe("A named, configured use of one plugin");
export type ServiceDefinition = z.output<typeof serviceSchema>;

export const servicesSchema = z
  .record(serviceNameSchema, serviceSchema)
  .describe("Services the steps name (external_call.service, notify.channel); they win over tenant services");
