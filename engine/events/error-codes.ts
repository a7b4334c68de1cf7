/**
 * @module
 * Codes of the event layer: schedules, subscriptions and triggers, webhook verification and bodies, the intake's filter budget.
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts): a code not listed
 * here or in a sibling list does not compile, and worker/errors/codes.ts must classify each one.
 */

import { WEBHOOK_ERROR_CODES } from "./signatures/verification-result.ts";

export const EVENT_CODES = [
  // webhook signature verification, listed with their meanings beside the verifier
  ...WEBHOOK_ERROR_CODES,
  "events.match_budget_exceeded",
  "schedule.bad_catchup",
  "schedule.bad_cron",
  "schedule.bad_jitter",
  "schedule.bad_time",
  "schedule.bad_timezone",
  "subscription.bad_endpoint",
  "subscription.bad_pattern",
  "subscription.duplicate_id",
  "subscription.too_many_secrets",
  "webhook.bad_body",
  "webhook.body_too_large",
] as const;

export type EventCode = (typeof EVENT_CODES)[number];
