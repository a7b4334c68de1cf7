/**
 * @module
 * The publish-time check of MAX_ENDPOINT_VERIFICATIONS: how many distinct (scheme, secret)
 * pairs the webhook subscriptions on one endpoint name together.
 */
import type { ErrorShape } from "../errors.ts";
import { normalizeEndpoint, type Subscription } from "./subscription.ts";
import { MAX_ENDPOINT_VERIFICATIONS } from "./webhook-limits.ts";

/**
 * The first webhook trigger of `incoming` that would put more than MAX_ENDPOINT_VERIFICATIONS
 * distinct (scheme, secret) pairs on its endpoint, counted with the other workflows'
 * subscriptions (`others`); `incoming` pairs each new subscription with its trigger's path, as a located `subscription.too_many_secrets`. Secrets are counted by
 * their text before resolution, which is never fewer than the values they resolve to.
 */
export function endpointSecretProblem(
  others: readonly Subscription[],
  incoming: readonly { subscription: Subscription; path: string }[],
): ErrorShape | undefined {
  const pairsByEndpoint = new Map<string, Set<string>>();
  const add = (subscription: Subscription): boolean => {
    const trigger = subscription.trigger;
    if (trigger?.type !== "webhook") return true;
    const endpoint = normalizeEndpoint(trigger.endpoint) ?? trigger.endpoint;
    const pairs = pairsByEndpoint.get(endpoint) ?? new Set<string>();
    pairsByEndpoint.set(endpoint, pairs);
    const scheme = trigger.signature ?? "standard";
    for (const secret of typeof trigger.secret === "string" ? [trigger.secret] : trigger.secret) {
      pairs.add(JSON.stringify([scheme, secret]));
    }
    return pairs.size <= MAX_ENDPOINT_VERIFICATIONS;
  };
  for (const subscription of others) add(subscription);
  for (const { subscription, path } of incoming) {
    if (add(subscription)) continue;
    const trigger = subscription.trigger as { endpoint: string };
    return {
      code: "subscription.too_many_secrets",
      message: `endpoint '${trigger.endpoint}' would need more than ${MAX_ENDPOINT_VERIFICATIONS} distinct (signature scheme, secret) checks per delivery; share secrets between the triggers on one endpoint, or use another endpoint`,
      path: `${path}.secret`,
    };
  }
  return undefined;
}
