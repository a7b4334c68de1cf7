/**
 * @module
 * The events the runtime builds, one function per source, so every route and the alarm shape
 * them the same way: a verified webhook delivery, a schedule fire, a file change. Ids come in
 * from the caller (the runtime mints them; a schedule fire's id derives from its key so a
 * retried fire dedups). Webhook headers are kept for filters, minus credentials and signatures.
 */
import type { ScheduledFire } from "./cron.ts";
import type { FileChangePayload, TriggerEvent } from "./event.ts";

/** Headers never copied into an event: credentials, cookies and the signatures themselves. */
const DROPPED_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "webhook-signature",
  "x-hub-signature",
  "x-hub-signature-256",
  "stripe-signature",
]);
const MAX_HEADER_VALUE = 1024;
const MAX_HEADERS = 64;

/** Entries of a Fetch `Headers` (it is iterable) or a plain record. */
export type HeaderEntries = Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

/** Lowercased headers safe to show filters and runs: no credentials, no signatures, bounded. */
export function eventHeaders(headers: HeaderEntries): Record<string, string> {
  const entries =
    Symbol.iterator in headers
      ? [...(headers as Iterable<readonly [string, string]>)]
      : Object.entries(headers);
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (DROPPED_HEADERS.has(lower) || typeof value !== "string") continue;
    if (++count > MAX_HEADERS) break;
    kept[lower] = value.length > MAX_HEADER_VALUE ? value.slice(0, MAX_HEADER_VALUE) : value;
  }
  return kept;
}

export interface WebhookEventOptions {
  id: string;
  /** the endpoint as normalised by `normalizeEndpoint` */
  endpoint: string;
  /** the parsed body (`parseWebhookBody`) */
  payload: unknown;
  headers?: HeaderEntries;
  receivedAt: number;
}

export function webhookEvent(options: WebhookEventOptions): TriggerEvent {
  const event: TriggerEvent = {
    id: options.id,
    type: "webhook",
    source: options.endpoint,
    payload: options.payload,
    receivedAt: options.receivedAt,
  };
  if (options.headers !== undefined) event.headers = eventHeaders(options.headers);
  return event;
}

/**
 * A schedule fire as an event. Its id is `schedule:<fire key>`, the same for every retry of
 * the same due time, so storing events by id makes a fire idempotent.
 */
export function scheduleEvent(
  fire: ScheduledFire,
  schedule: { cron: string; timezone?: string | undefined },
  receivedAt: number,
): TriggerEvent {
  return {
    id: `schedule:${fire.key}`,
    type: "schedule",
    source: fire.scheduleId,
    payload: {
      scheduled_at: new Date(fire.scheduledAt).toISOString(),
      fire_at: new Date(fire.fireAt).toISOString(),
      late: fire.late,
      cron: schedule.cron,
      timezone: schedule.timezone ?? "UTC",
    },
    receivedAt,
  };
}

export interface FileChangeEventOptions {
  id: string;
  /** the watched root (`edgeflow watch <dir>`'s name for it) or `r2:<bucket>` */
  source: string;
  change: FileChangePayload;
  receivedAt: number;
}

export function fileChangeEvent(options: FileChangeEventOptions): TriggerEvent {
  return {
    id: options.id,
    type: "file_change",
    source: options.source,
    payload: { path: options.change.path, change: options.change.change },
    receivedAt: options.receivedAt,
  };
}
