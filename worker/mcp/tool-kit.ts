/**
 * @module
 * How edgeflow defines an MCP tool: a name, a description written for an agent reading it cold,
 * zod input and output schemas, and a `run` function over validated arguments. `registerTools`
 * puts them on an SDK v2 `McpServer`.
 *
 * Input is validated here, not by the SDK: the SDK advertises the zod schema in `tools/list`,
 * but its own validation answers with free text, while edgeflow answers every failure the same
 * way: `isError: true` and the coded JSON `{error: {code, message, path?}}` as the text
 * content. An error carries no `structuredContent`: that is checked against the tool's
 * `outputSchema` by clients (SDK v1, the Inspector), which would answer a schema complaint
 * instead of the error (MCP spec, tools: errors are reported in the result with `isError`).
 */
import type {
  CallToolResult,
  McpServer,
  StandardSchemaWithJSON,
  ToolAnnotations,
} from "@modelcontextprotocol/server";
import type { z } from "zod";
import type { AuditContext } from "../../durable-objects/tenant/contracts.ts";
import type { PluginCatalog } from "../../engine/plugins/descriptor.ts";
import type { Env } from "../env.ts";
import { mapError } from "../errors/to-error-shape.ts";
import { parseInput } from "../http/parse-input.ts";
import { WorkflowDiagnosticsError } from "./diagnostics-error.ts";

/** What every tool runs against: the bindings, the tenant the API key belongs to, the plugin catalog. */
export interface TenantScope {
  env: Env;
  tenant: string;
  /** who calls (`key:<key id>`) and the request id: recorded with every change a tool makes */
  audit: AuditContext;
  /** what `uses:` resolves against (worker/plugins/installed-plugins.ts; a test may pass its own) */
  plugins: PluginCatalog;
}

/**
 * What a host may assume about a tool before calling it (MCP tool annotations), declared by every
 * tool: a host shows them, and may ask before a destructive call or retry an idempotent one.
 * `openWorldHint` is true where a call can make a run reach outside edgeflow (a step calling a
 * tenant's service). `tools/list` advertises them with the tool's `title` (README, "Tools").
 */
export type ToolHints = Required<
  Pick<ToolAnnotations, "readOnlyHint" | "destructiveHint" | "idempotentHint" | "openWorldHint">
>;

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolHints;
  run(args: z.output<I>, scope: TenantScope): Promise<z.input<O>>;
}

/** Keeps each tool's input and output types tied together. */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(
  tool: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return tool;
}

export function registerTools(server: McpServer, tools: readonly ToolDefinition[], scope: TenantScope): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: advertiseOnly(tool.input),
        outputSchema: withCachedJsonSchema(tool.output),
        annotations: { title: tool.title, ...tool.annotations },
      },
      (args: unknown) => runTool(tool, args, scope),
    );
  }
}

export async function runTool(
  tool: ToolDefinition,
  args: unknown,
  scope: TenantScope,
): Promise<CallToolResult> {
  try {
    const parsed = parseInput(tool.input, args ?? {}, `arguments for ${tool.name}`);
    const value = (await tool.run(parsed, scope)) as Record<string, unknown>;
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
  } catch (thrown) {
    return toolError(thrown, tool.name);
  }
}

export function toolError(thrown: unknown, toolName: string): CallToolResult {
  const mapped = mapError(thrown);
  if (mapped.unexpected) console.error(`tool ${toolName} failed unexpectedly`, thrown);
  const body =
    thrown instanceof WorkflowDiagnosticsError
      ? { error: mapped.error, errors: thrown.errors, warnings: thrown.warnings }
      : { error: mapped.error };
  return { isError: true, content: [{ type: "text", text: JSON.stringify(body) }] };
}

/**
 * The zod schema's JSON Schema for `tools/list`, with a validator that accepts anything, so the
 * arguments reach `runTool`, which validates them with the same schema and a structured error.
 */
function advertiseOnly(schema: z.ZodType): StandardSchemaWithJSON<unknown, unknown> {
  return {
    "~standard": {
      version: 1,
      vendor: "edgeflow",
      validate: (value: unknown) => ({ value }),
      jsonSchema: cachedJsonSchema(schema),
    },
  };
}

/** The zod schema as it is (the SDK validates results with it), its JSON Schema made once. */
function withCachedJsonSchema(schema: z.ZodType): StandardSchemaWithJSON<unknown, unknown> {
  return {
    "~standard": { ...schema["~standard"], jsonSchema: cachedJsonSchema(schema) },
  };
}

type JsonSchemaConverter = z.ZodType["~standard"]["jsonSchema"];
const jsonSchemas = new WeakMap<z.ZodType, Map<string, Record<string, unknown>>>();

/**
 * zod's JSON Schema conversion, remembered per schema, direction and target for the life of the
 * isolate: a server is built for every request (stateless MCP), and converting 17 tools' schemas
 * again for each `tools/list` cost about 3 ms. Callers get a copy, so none can change another's.
 */
function cachedJsonSchema(schema: z.ZodType): JsonSchemaConverter {
  const convert = schema["~standard"].jsonSchema;
  const remembered =
    (direction: "input" | "output"): JsonSchemaConverter["input"] =>
    (options) => {
      const known = jsonSchemas.get(schema) ?? new Map<string, Record<string, unknown>>();
      jsonSchemas.set(schema, known);
      const key = `${direction}:${JSON.stringify(options)}`;
      const converted = known.get(key) ?? convert[direction](options);
      known.set(key, converted);
      return structuredClone(converted);
    };
  return { input: remembered("input"), output: remembered("output") };
}
