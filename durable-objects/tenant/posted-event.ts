/**
 * @module
 * An event posted to `POST /events` (or by the R2 queue consumer) as a `TriggerEvent`: the types
 * and id prefixes only edgeflow itself produces are refused, a `file_change` payload must be `{path, change}`
 * (its path normalised), the id is the sender's or a fresh `evt_…`, `receivedAt` is the route's
 * `now`. Pure apart from minting the id.
 */

import { EngineError } from "../../engine/errors.ts";
import {
  fileChangePayloadSchema,
  LIFECYCLE_TYPE_PREFIX,
  type TriggerEvent,
} from "../../engine/events/index.ts";
import { parseTraceparent } from "../../engine/telemetry/traceparent.ts";
import type { PostedEvent } from "./contracts.ts";
import { newEventId } from "./event-ids.ts";
import { LIFECYCLE_ID_PREFIX } from "./lifecycle-events.ts";

/** Event types only edgeflow itself produces; `POST /events` refuses them. */
const RESERVED_TYPES: ReadonlySet<string> = new Set(["webhook", "schedule"]);

/** Whether only edgeflow produces events of this type: `webhook`, `schedule`, and the whole `run.` namespace. */
function isReservedType(type: string): boolean {
  return RESERVED_TYPES.has(type) || type.startsWith(LIFECYCLE_TYPE_PREFIX);
}

/** Event id prefixes only edgeflow itself mints (a schedule fire is `schedule:<fire key>`, a lifecycle event `run:…`). */
const RESERVED_ID_PREFIXES = ["schedule:", LIFECYCLE_ID_PREFIX] as const;

export function eventOfPosted(posted: PostedEvent): TriggerEvent {
  if (isReservedType(posted.type)) {
    throw new EngineError(
      "events.reserved_type",
      `Events of type "${posted.type}" come only from edgeflow itself (signed webhooks, schedules, and every "run." type: run lifecycle events); post a custom type such as "deploy.requested".`,
      { path: "type" },
    );
  }
  const reserved = RESERVED_ID_PREFIXES.find((prefix) => posted.id?.startsWith(prefix));
  if (reserved !== undefined) {
    throw new EngineError(
      "events.reserved_id",
      `Event ids starting with "${reserved}" come only from edgeflow itself (schedule fires); choose another id.`,
      { path: "id" },
    );
  }
  let payload = posted.payload ?? {};
  if (posted.type === "file_change") {
    const parsed = fileChangePayloadSchema.safeParse(payload);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join(".") ?? "";
      throw new EngineError(
        "events.invalid_payload",
        'A file_change event needs payload {"path": "<relative path>", "change": "created" | "modified" | "deleted"}.',
        { path: where === "" ? "payload" : `payload.${where}` },
      );
    }
    payload = { ...parsed.data, path: parsed.data.path.replace(/\\/g, "/").replace(/^(\.\/)+/, "") };
  }
  // the poster's trace, when its header is a valid one (an invalid one is ignored)
  const traced = parseTraceparent(posted.traceparent) === undefined ? undefined : posted.traceparent;
  return {
    id: posted.id ?? newEventId(),
    type: posted.type,
    source: posted.source ?? "api",
    payload,
    receivedAt: posted.now,
    ...(traced === undefined ? {} : { headers: { traceparent: traced } }),
  };
}
