/**
 * @module
 * The largest body edgeflow accepts from outside: 1 MiB, for a request to `/mcp`, `/admin/*` or
 * `/events` and for a webhook delivery to `/hooks/*`. One limit: the worker's body limit
 * (worker/middleware/body-limit.ts) refuses a larger body before reading it, and the engine's
 * webhook body parser (engine/events/webhook-body.ts) defaults to the same number. Other 1 MiB
 * limits are separate limits that happen to be equal: a workflow file (`DEFAULT_MAX_WORKFLOW_BYTES`,
 * engine/loader/diagnostic.ts), a thread's state (`MAX_STATE_BYTES`, engine/machine/state-size.ts),
 * an expression's result (`MAX_RESULT_BYTES`, engine/expressions/quickjs-evaluator.ts) and a
 * `workflow_events` page (`MAX_PAGE_BYTES`, durable-objects/tenant/event-pages.ts).
 */

/** 1 MiB. GitHub caps its payloads at 25 MB, but events are stored and copied into sandboxes. */
export const MAX_BODY_BYTES = 1024 * 1024;
