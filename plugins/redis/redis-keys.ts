/**
 * @module
 * Turning Redis replies into store results, and a `SCAN MATCH` pattern for a literal prefix:
 * every glob character of the prefix (the tenant's and the workflow's) is escaped, so `*` or `[`
 * in a key prefix matches itself and nothing more.
 */
import { EngineError } from "../../engine/errors.ts";
import type { RespValue } from "./resp.ts";

export function matchPattern(literalPrefix: string): string {
  return `${literalPrefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`)}*`;
}

export function bulkOf(reply: RespValue, command: string): string | null {
  if (reply.type === "bulk") return reply.value;
  throw unexpected(command);
}

export function integerOf(reply: RespValue, command: string): number {
  if (reply.type === "integer") return reply.value;
  throw unexpected(command);
}

/** SCAN's `[cursor, [key, ...]]`. */
export function scanPageOf(reply: RespValue): { cursor: string; keys: string[] } {
  if (reply.type !== "array" || reply.items === null || reply.items.length !== 2) throw unexpected("SCAN");
  const [cursor, keys] = reply.items;
  if (cursor?.type !== "bulk" || cursor.value === null || keys?.type !== "array" || keys.items === null) {
    throw unexpected("SCAN");
  }
  return {
    cursor: cursor.value,
    keys: keys.items.flatMap((key) => (key.type === "bulk" && key.value !== null ? [key.value] : [])),
  };
}

function unexpected(command: string): EngineError {
  return new EngineError("external.failed", `redis ${command}: an unexpected reply type`);
}
