/**
 * @module
 * The pure building blocks of event-driven workflows (issue 5), called by the runtime (the
 * Hono routes and the TenantDO): webhook signatures, cron schedules with catch-up and jitter,
 * the event model, subscriptions derived from `triggers:`, matching events to subscriptions
 * with sandboxed filters and input mappings, and debouncing file changes for `edgeflow watch`.
 * No I/O, no clock (`now` comes in), no Cloudflare imports; WebCrypto only for signatures.
 * The runtime's side of the contract is in docs/events.md ("What the runtime does").
 */
export {
  CATCHUP_POLICIES,
  type CatchupPolicy,
  DEFAULT_CATCHUP,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_MAX_CATCHUP,
  type DueFires,
  type DueFiresOptions,
  dueFires,
  type NextFireTimesOptions,
  nextFireTimes,
  type ScheduledFire,
  type ScheduleSpec,
  type SkippedFires,
  validateCron,
  validateSchedule,
} from "./cron.ts";
export {
  coalesceFileChanges,
  DEFAULT_DEBOUNCE_WINDOW_MS,
  type DebounceOptions,
  FileChangeDebouncer,
  type FileNotification,
  netChange,
} from "./debounce.ts";
export { endpointSecretProblem } from "./endpoint-secrets.ts";
export {
  BUILTIN_EVENT_TYPES,
  eventTypeSchema,
  type FileChangeKind,
  type FileChangePayload,
  fileChangePayloadSchema,
  type TriggerEvent,
  triggerEventSchema,
} from "./event.ts";
export {
  eventHeaders,
  type FileChangeEventOptions,
  fileChangeEvent,
  type HeaderEntries,
  scheduleEvent,
  type WebhookEventOptions,
  webhookEvent,
} from "./event-builders.ts";
export { eventPatternSchema, LIFECYCLE_TYPE_PREFIX, matchesEventPattern } from "./event-pattern.ts";
export { EVENT_ENVELOPE_FIELDS, eventBindings, eventScope } from "./event-scope.ts";
export { compileFilePatterns, normalizeFilePath, type PathMatcher } from "./file-pattern.ts";
export { jitterOffsetMs } from "./jitter.ts";
export { INTAKE_POLL_BUDGET, MATCH_BUDGET_EXCEEDED, MatchBudget } from "./match-budget.ts";
export { type EventMatch, isCandidate, matchEvent, type SkipReason } from "./matching.ts";
export {
  DEDUP_WINDOW_SECONDS,
  DEFAULT_TOLERANCE_SECONDS,
  decodeStandardSecret,
  type HeaderSource,
  isWebhookScheme,
  MAX_TOLERANCE_SECONDS,
  type SignWebhookOptions,
  signGithubWebhook,
  signStandardWebhook,
  signStripeWebhook,
  signWebhook,
  timingSafeEqual,
  type VerifyWebhookOptions,
  verifyWebhook,
  WEBHOOK_ERROR_CODES,
  WEBHOOK_SCHEMES,
  type WebhookErrorCode,
  type WebhookRejected,
  type WebhookScheme,
  type WebhookVerification,
  type WebhookVerified,
} from "./signatures/index.ts";
export {
  MAX_EXPRESSION_LENGTH,
  normalizeEndpoint,
  type Subscription,
  subscriptionSchema,
  subscriptionsForEndpoint,
  subscriptionsFromTriggers,
  triggerProblems,
} from "./subscription.ts";
export { triggerDiagnostics } from "./trigger-diagnostics.ts";
export {
  type ParseWebhookBodyOptions,
  parseWebhookBody,
  type WebhookBodyResult,
} from "./webhook-body.ts";
export {
  MAX_ENDPOINT_VERIFICATIONS,
  MAX_WEBHOOK_SECRETS,
} from "./webhook-limits.ts";
export { resolveWebhookSecrets } from "./webhook-secrets.ts";
