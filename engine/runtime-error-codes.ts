/**
 * @module
 * Codes raised by the runtime itself: the worker (requests, auth, admin, MCP arguments) and the
 * Durable Objects (tenants, workflows, runs, events, secrets, settings and quotas). They live here,
 * beside the engine's own codes, because `EngineError` (which both layers throw) names every code
 * and the engine may import neither `worker/` nor `durable-objects/`; the DOs may not import the
 * worker either. Data only: no behaviour, no imports.
 */

export const RuntimeCodes = {
  // requests and routes (worker)
  requestInvalidJson: "request.invalid_json",
  requestInvalidBody: "request.invalid_body",
  requestTooLarge: "request.too_large",
  routeNotFound: "route.not_found",
  inputInvalid: "input.invalid",
  inputTooDeep: "input.too_deep",
  // authentication and the admin API (worker)
  authMissingKey: "auth.missing_key",
  authInvalidKey: "auth.invalid_key",
  authInvalidToken: "auth.invalid_token",
  authInsufficientScope: "auth.insufficient_scope",
  authSignInLinksExhausted: "auth.sign_in_links_exhausted",
  adminNotConfigured: "admin.not_configured",
  adminInvalidToken: "admin.invalid_token",
  // tenants and their API keys
  tenantInvalidId: "tenant.invalid_id",
  tenantNotFound: "tenant.not_found",
  tenantExists: "tenant.exists",
  // tenant lifecycle: suspended by the operator, or being deleted (docs/operations.md)
  tenantSuspended: "tenant.suspended",
  tenantDeleting: "tenant.deleting",
  keyNotFound: "key.not_found",
  // published workflows and runs (TenantDO, RunDO)
  workflowNotFound: "workflow.not_found",
  workflowVersionExists: "workflow.version_exists",
  workflowInvalid: "workflow.invalid",
  runNotFound: "run.not_found",
  runExists: "run.exists",
  graphNotFound: "graph.not_found",
  // events, webhooks and subscriptions (TenantDO)
  hooksUnknownEndpoint: "hooks.unknown_endpoint",
  eventsReservedType: "events.reserved_type",
  eventsReservedId: "events.reserved_id",
  eventsInvalidPayload: "events.invalid_payload",
  eventsTooLarge: "events.too_large",
  eventsInvalidCursor: "events.invalid_cursor",
  eventStartFailed: "event.start_failed",
  subscriptionFromTrigger: "subscription.from_trigger",
  subscriptionLimitReached: "subscription.limit_reached",
  subscriptionNotFound: "subscription.not_found",
  // tenant secrets
  secretsNotConfigured: "secrets.not_configured",
  secretsUndecryptable: "secrets.undecryptable",
  secretsLimitReached: "secrets.limit_reached",
  secretInvalidName: "secret.invalid_name",
  secretInvalidValue: "secret.invalid_value",
  secretNotFound: "secret.not_found",
  // tenant settings and storage quotas
  settingsInvalid: "settings.invalid",
  quotaStoredRuns: "quota.stored_runs",
  // any other tenant quota (durable-objects/tenant/quota-settings.ts): the path names it
  quotaExceeded: "quota.exceeded",
  // the worker's expression checker (publish-time QuickJS compile)
  expressionCheckerUnavailable: "expression.checker_unavailable",
  // the command-line validator could not read the file it was given
  cliReadFailed: "cli.read_failed",
  // a stored checkpoint, task row or definition that does not parse (docs/storage-schema.md)
  storageCorrupt: "storage.corrupt",
  // anything unexpected
  internal: "internal.error",
} as const;

export type RuntimeCode = (typeof RuntimeCodes)[keyof typeof RuntimeCodes];

export const RUNTIME_CODES: readonly RuntimeCode[] = Object.values(RuntimeCodes);
