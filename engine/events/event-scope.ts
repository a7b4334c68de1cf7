/**
 * @module
 * How filters, `inputs_mapping` and the started run see an event. The `event` scope is the
 * payload's own fields (when the payload is an object) overlaid with the envelope: `id`,
 * `type`, `source`, `receivedAt`, `payload` (the payload as received) and, for webhooks,
 * `headers`. The same fields are also bound as bare names, so the seed's
 * `!path.includes('test')` reads a file change's path. Envelope names win over payload fields of
 * the same name: a Standard Webhooks body's own `type` is `payload.type`.
 * It must not evaluate anything; the views share the event's objects (the sandbox copies them).
 */
import { isBindableBareName } from "../state/bindings.ts";
import type { TriggerEvent } from "./event.ts";

/** The envelope fields every event scope has; they win over payload fields of the same name. */
export const EVENT_ENVELOPE_FIELDS = ["id", "type", "source", "receivedAt", "payload", "headers"] as const;

/** The `event` scope: payload fields, then the envelope over them. Pass it as a run's `event`. */
export function eventScope(event: TriggerEvent): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  const { payload } = event;
  if (isPlainObject(payload)) {
    for (const name of Object.keys(payload)) {
      Object.defineProperty(scope, name, {
        value: payload[name],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  scope.id = event.id;
  scope.type = event.type;
  scope.source = event.source;
  scope.receivedAt = event.receivedAt;
  scope.payload = payload;
  if (event.headers !== undefined) scope.headers = event.headers;
  return scope;
}

/** Bindings for a filter or mapping: `event` plus each of its fields that can be a bare name. */
export function eventBindings(event: TriggerEvent): Record<string, unknown> {
  const scope = eventScope(event);
  const bindings: Record<string, unknown> = {};
  for (const name of Object.keys(scope)) {
    if (isBindableBareName(name)) bindings[name] = scope[name];
  }
  bindings.event = scope;
  return bindings;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
