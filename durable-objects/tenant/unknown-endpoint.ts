/**
 * @module
 * The one answer for a webhook that reaches no trigger: a tenant id that is not well formed, a
 * tenant that does not exist, and a real tenant's endpoint that no trigger listens on all get
 * this same error (404 `hooks.unknown_endpoint`, the same message, echoing nothing), so the
 * answer cannot tell which tenants exist. It must never name the tenant or the endpoint.
 */
import { EngineError } from "../../engine/errors.ts";

export const UNKNOWN_ENDPOINT_CODE = "hooks.unknown_endpoint";

export function unknownEndpoint(): EngineError {
  return new EngineError(
    UNKNOWN_ENDPOINT_CODE,
    "No webhook trigger listens on this endpoint. Check the URL against a published webhook trigger: /hooks/<tenant><endpoint>.",
  );
}
