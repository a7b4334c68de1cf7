/**
 * @module
 * `workflow_events`: the tenant's event log. Every event received (webhook deliveries, schedule
 * fires, file changes, posted events, and rejected webhook deliveries), newest first, with what
 * each matching subscription made of it: the run it started, or why none. Payloads are read only
 * with `include_payload`; every answer is one page bounded by `limit` and by 1 MiB, and
 * `next_cursor` goes on from it.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import {
  EVENT_STATUSES,
  type LoggedEvent,
  MATCH_OUTCOMES,
  MAX_PAGE_BYTES,
} from "../../../durable-objects/tenant/contracts.ts";
import { errorShapeSchema, workflowNameArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";
import { cursorArg, decodeCursor, encodeCursor } from "./event-cursor.ts";

const MAX_EVENTS = 200;

const matchSchema = z.object({
  subscription_id: z.string(),
  workflow: z.string(),
  outcome: z
    .enum(MATCH_OUTCOMES)
    .describe(
      "started (workflow_id is the run), pending (being started), start_failed (error says why, e.g. bad inputs), " +
        "filtered_out (filter falsy), filter_error / mapping_error (the expression threw), rate_limited",
    ),
  workflow_id: z.string().optional().describe("the run it started"),
  started_at: z.string().optional().describe("when the run started, by the run's own clock"),
  error: errorShapeSchema.optional(),
});

const eventViewSchema = z.object({
  event_id: z.string(),
  type: z.string(),
  source: z
    .string()
    .describe("webhook endpoint, schedule subscription id, watched root, r2:<bucket>, sender"),
  received_at: z.string(),
  status: z
    .enum(EVENT_STATUSES)
    .describe(
      "accepted; rejected (a webhook that failed verification: see error); skipped (missed schedule fires)",
    ),
  error: errorShapeSchema.optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  payload_bytes: z
    .number()
    .int()
    .describe("size of the stored event (payload and headers) in bytes; 0 when none is stored"),
  payload_pruned_at: z
    .string()
    .optional()
    .describe(
      "the payload was deleted then to keep the tenant within its payload budget; the event and its runs remain",
    ),
  payload: z.unknown().optional().describe("only with include_payload: true"),
  headers: z.record(z.string(), z.string()).optional().describe("webhooks, only with include_payload: true"),
  matches: z
    .array(matchSchema)
    .describe("subscriptions that wanted the event; empty: nothing listens for it"),
  matches_truncated: z
    .number()
    .int()
    .optional()
    .describe(
      "matches left out of this answer: the event's log entries alone were over the page's byte budget",
    ),
});

export const workflowEvents = defineTool({
  name: "workflow_events",
  title: "Event log",
  description:
    "Shows the events your tenant received, newest first: signed webhooks, schedule fires, file changes, " +
    "posted events, and webhook deliveries refused with 401 (status rejected, with the error code). For each " +
    "event, every subscription that wanted it and the outcome: the run it started (workflow_id) or why none " +
    "(filtered_out, filter_error, mapping_error, rate_limited, start_failed). Filter by workflow, type, " +
    "status, outcome, event_id or time. Payloads and headers only with include_payload: true (or ask for one " +
    "event_id). Each answer is one page of at most `limit` events and about 1 MiB; when next_cursor is present, " +
    "pass it as `cursor` (same filters) for the next page. Events are kept 7 days.",
  input: z.strictObject({
    workflow: workflowNameArg.optional().describe("only events that matched this workflow"),
    type: z.string().min(1).max(128).optional().describe("event type, e.g. webhook, schedule, file_change"),
    status: z.enum(EVENT_STATUSES).optional(),
    outcome: z.enum(MATCH_OUTCOMES).optional().describe("only events with a match of this outcome"),
    event_id: z.string().min(1).max(256).optional(),
    since: z.iso.datetime().optional().describe("received at or after this ISO time"),
    before: z.iso.datetime().optional().describe("received before this ISO time"),
    cursor: cursorArg.optional().describe("next_cursor of the previous answer: the page after it"),
    limit: z.number().int().min(1).max(MAX_EVENTS).optional().describe("default 20, at most 200"),
    include_payload: z
      .boolean()
      .optional()
      .describe("include each event's payload and headers (pages then hold fewer events)"),
  }),
  output: z.object({
    events: z.array(eventViewSchema),
    count: z.number().int(),
    next_cursor: z
      .string()
      .optional()
      .describe("more events match: pass as `cursor`, with the same filters, for the next page"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { env, tenant }) {
    const query = {
      limit: args.limit ?? 20,
      ...(args.workflow === undefined ? {} : { workflow: args.workflow }),
      ...(args.type === undefined ? {} : { type: args.type }),
      ...(args.status === undefined ? {} : { status: args.status }),
      ...(args.outcome === undefined ? {} : { outcome: args.outcome }),
      ...(args.event_id === undefined ? {} : { eventId: args.event_id }),
      ...(args.since === undefined ? {} : { since: Date.parse(args.since) }),
      ...(args.before === undefined ? {} : { before: Date.parse(args.before) }),
      ...(args.cursor === undefined ? {} : { after: decodeCursor(args.cursor) }),
      withBodies: args.include_payload === true,
      maxBytes: MAX_PAGE_BYTES,
    };
    const page = await unwrap(tenantStub(env, tenant).listEvents(tenant, query));
    const events = page.events.map((entry) => eventView(entry, args.include_payload === true));
    return {
      events,
      count: events.length,
      ...(page.next === undefined ? {} : { next_cursor: encodeCursor(page.next) }),
    };
  },
});

function eventView(
  { record, entries, matchesTruncated }: LoggedEvent,
  withPayload: boolean,
): z.input<typeof eventViewSchema> {
  return {
    event_id: record.id,
    type: record.type,
    source: record.source,
    received_at: new Date(record.receivedAt).toISOString(),
    status: record.status,
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.detail === undefined ? {} : { detail: record.detail }),
    payload_bytes: record.bodyBytes ?? 0,
    ...(record.bodyPrunedAt === undefined
      ? {}
      : { payload_pruned_at: new Date(record.bodyPrunedAt).toISOString() }),
    ...(withPayload && record.event !== undefined
      ? {
          payload: record.event.payload,
          ...(record.event.headers === undefined ? {} : { headers: record.event.headers }),
        }
      : {}),
    matches: entries.map((entry) => ({
      subscription_id: entry.subscriptionId,
      workflow: entry.workflow,
      outcome: entry.outcome,
      ...(entry.runId === undefined ? {} : { workflow_id: entry.runId }),
      ...(entry.startedAt === undefined ? {} : { started_at: new Date(entry.startedAt).toISOString() }),
      ...(entry.error === undefined ? {} : { error: entry.error }),
    })),
    ...(matchesTruncated === undefined ? {} : { matches_truncated: matchesTruncated }),
  };
}
