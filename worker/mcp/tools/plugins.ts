/**
 * @module
 * `plugin_list`: the plugins the platform holds, every version (two majors may sit side by side),
 * with roles, methods and the JSON Schemas of their params and results, the configuration schema
 * and which configuration fields are secrets. What an agent reads before writing `uses:`.
 */
import { z } from "zod";
import { pluginViewSchema, pluginViews } from "../../plugins/plugin-view.ts";
import { defineTool } from "../tool-kit.ts";

export const pluginList = defineTool({
  name: "plugin_list",
  title: "List plugins",
  description:
    "Lists the plugins services are built on, every version the platform holds (highest first), with roles " +
    "(call: external_call services; notify: notify channels; state: external_state backends), methods with the " +
    "JSON Schemas of their params and results, the configuration schema, and secret_fields (the only config " +
    'fields that take {{ env.NAME }}). Pass `name` for one plugin. Write `uses: "<name>@<range>"` (e.g. ' +
    '"http@^1") in a services: entry, an external_call/notify step or external_state; it resolves to the ' +
    "highest version in range at publish, and that exact version stays with the workflow version.",
  input: z.strictObject({
    name: z.string().min(1).max(64).optional().describe("Only this plugin's versions"),
  }),
  output: z.object({ plugins: z.array(pluginViewSchema) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ name }, scope) {
    const plugins = pluginViews(scope.plugins);
    return { plugins: name === undefined ? plugins : plugins.filter((plugin) => plugin.name === name) };
  },
});
