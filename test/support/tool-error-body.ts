/**
 * @module
 * How a test reads a failed tool call: edgeflow puts the coded JSON
 * `{error: {code, message, path?}, errors?, warnings?}` in the text content of a result with
 * `isError: true` and no `structuredContent` (worker/mcp/tool-kit.ts `toolError`), so every MCP
 * client can read it. One parser for every test helper that reads tool errors.
 */

/** The coded error body of a tool error's text content; throws when the text is not that JSON. */
export function toolErrorBody(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`a tool error whose text is not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof parsed !== "object" || parsed === null || !("error" in parsed)) {
    throw new Error(`a tool error without {error}: ${text.slice(0, 200)}`);
  }
  return parsed as Record<string, unknown>;
}

/** The text of a result's first text content ("" when it has none). */
export function firstText(result: { content?: unknown }): string {
  const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
  const first = content[0] as { type?: unknown; text?: unknown } | undefined;
  return first?.type === "text" && typeof first.text === "string" ? first.text : "";
}
