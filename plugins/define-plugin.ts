/**
 * @module
 * `definePlugin`: builds a `Plugin` from a configuration schema and methods whose `run` gets
 * typed params and configuration. `invoke` parses both again with the plugin's own schemas (the
 * runtime checked them already; parsing is cheap and gives the types without casts), runs the
 * method and checks the answer against its `result` schema. Schemas here must not transform
 * (defaults are fine), so parsing twice is harmless. Nothing here logs a configuration.
 */
import type { z } from "zod";
import { EngineError } from "../engine/errors.ts";
import type { PluginCapabilities, PluginMethodSpec, PluginRole } from "../engine/plugins/descriptor.ts";
import type { Plugin, PluginContext } from "./contract.ts";

/**
 * The key of a method that stands for any method name (the http plugin: `external_call.method`
 * is a path under `base_url`). A named method wins over it.
 */
export const ANY_METHOD = "*";

/** One method as its author writes it: typed params in, data matching `result` out. */
export interface MethodDefinition<Config, Params extends z.ZodType, Result extends z.ZodType> {
  description: string;
  params: Params;
  result: Result;
  /** `methodName` is the name the step used (for `ANY_METHOD`, the path it asked for). */
  run(
    params: z.output<Params>,
    config: Config,
    context: PluginContext,
    methodName: string,
  ): Promise<z.input<Result>>;
}

/** A method with its types bound: what `definePlugin` keeps. */
export interface BoundMethod<Config> extends PluginMethodSpec {
  run(params: unknown, config: Config, context: PluginContext, methodName: string): Promise<unknown>;
}

export type MethodFactory<Config> = <Params extends z.ZodType, Result extends z.ZodType>(
  definition: MethodDefinition<Config, Params, Result>,
) => BoundMethod<Config>;

export interface PluginDefinition<ConfigSchema extends z.ZodType> {
  name: string;
  version: string;
  description: string;
  roles: readonly PluginRole[];
  config: ConfigSchema;
  capabilities: PluginCapabilities;
  methods(method: MethodFactory<z.output<ConfigSchema>>): Record<string, BoundMethod<z.output<ConfigSchema>>>;
}

export function definePlugin<ConfigSchema extends z.ZodType>(
  definition: PluginDefinition<ConfigSchema>,
): Plugin {
  const label = `${definition.name}@${definition.version}`;
  const methods = definition.methods((method) => ({
    description: method.description,
    params: method.params,
    result: method.result,
    run: (params, config, context, methodName) =>
      method.run(parseOrThrow(method.params, params, label, "params"), config, context, methodName),
  }));
  return {
    name: definition.name,
    version: definition.version,
    description: definition.description,
    roles: definition.roles,
    config: definition.config,
    capabilities: definition.capabilities,
    methods,
    async invoke(methodName, params, context) {
      const method = Object.hasOwn(methods, methodName) ? methods[methodName] : methods[ANY_METHOD];
      if (method === undefined) {
        throw new EngineError("external.failed", `${label} has no method "${methodName.slice(0, 64)}"`);
      }
      const config = parseOrThrow(definition.config, context.config, label, "configuration");
      const answer = await method.run(params, config, context, methodName);
      const checked = method.result.safeParse(answer);
      if (!checked.success) {
        throw new EngineError(
          "external.invalid_result",
          `${label}.${methodName} answered data that does not match its result schema (${issuePaths(checked.error)})`,
        );
      }
      return checked.data;
    },
  };
}

/**
 * Parses `value` or throws `external.failed` naming only the paths that failed: zod's messages
 * may quote a received value, and a configuration holds resolved secrets.
 */
function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  label: string,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new EngineError(
    "external.failed",
    `${label}: the ${what} does not match its schema (${issuePaths(parsed.error)})`,
  );
}

function issuePaths(error: z.ZodError): string {
  const paths = error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length === 0 ? "(root)" : issue.path.join(".")));
  return `at ${paths.join(", ")}`;
}
