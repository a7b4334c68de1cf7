/**
 * @module
 * What one webhook delivery may cost in signature checks. A trigger's `secret` list holds the
 * current secret and the ones being rotated out (two or three are enough), and one endpoint's
 * subscriptions together name at most `MAX_ENDPOINT_VERIFICATIONS` distinct (scheme, secret)
 * pairs: each is one HMAC over the body, and an anonymous sender decides when they run.
 */
/** Entries of a webhook trigger's `secret` list. */
export const MAX_WEBHOOK_SECRETS = 3;

/** Distinct (scheme, secret) checks one delivery to one endpoint can cost (publish refuses more). */
export const MAX_ENDPOINT_VERIFICATIONS = 16;
