/**
 * @module
 * The `cursor` of `workflow_events`: an opaque token for "go on after this event" (its received
 * time and id, base64url JSON). A token that does not decode to one is `events.invalid_cursor`.
 * It carries no tenant and grants nothing: it is read against the caller's own event log.
 */
import { z } from "zod";
import type { EventPosition } from "../../../durable-objects/tenant/contracts.ts";
import { EngineError } from "../../../engine/errors.ts";
import { RuntimeCodes } from "../../errors/codes.ts";

export const cursorArg = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_-]+$/, "a cursor is the next_cursor of an earlier answer");

const positionSchema = z.tuple([z.number().int().nonnegative(), z.string().min(1).max(256)]);

export function encodeCursor(position: EventPosition): string {
  const bytes = new TextEncoder().encode(JSON.stringify([position.receivedAt, position.id]));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function decodeCursor(cursor: string): EventPosition {
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    );
    const [receivedAt, id] = positionSchema.parse(JSON.parse(text));
    return { receivedAt, id };
  } catch {
    throw new EngineError(
      RuntimeCodes.eventsInvalidCursor,
      "This cursor is not one workflow_events gave: pass next_cursor from an earlier answer, unchanged.",
      { path: "cursor" },
    );
  }
}
