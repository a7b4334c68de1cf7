/**
 * @module
 * The `tools/call`s of a `/mcp` body, as the rate limits see them (read by `mcp-admission.ts`,
 * answered when refused by `mcp-refusal.ts`). Types only.
 */

/** A `tools/call` request of the body: its JSON-RPC id and the tool it names. */
export interface ToolCallRef {
  id: string | number;
  name: string;
}

/** Set when every message of the body is a `tools/call` request (`batch`: the body was an array). */
export interface McpToolCalls {
  batch: boolean;
  calls: ToolCallRef[];
}
